// Type tests, compiled by `pnpm typecheck` (not run by jest): an issuer takes exactly one key
// source, and fetch options only where keys are fetched. The run-time checks behind these are
// tested in test/errors/option-names.test.ts.
import { Agent } from 'node:https';
import { createVerifier, type IssuerKeys, type JsonWebKeyInput } from '@service-jwt/core';

declare const publicKey: import('node:crypto').KeyObject;
declare const jwk: JsonWebKeyInput;
const audience = 'https://census.internal/';

// Each form alone compiles, with its own options.
createVerifier({
  issuers: {
    a: { publicKey },
    b: { keys: { keys: [jwk] } },
    c: { keys: [{ kty: 'oct', kid: 'sim2', k: 'base64url' }], algorithms: ['HS256'] },
    d: { jwksUri: 'https://d/jwks.json', cacheMaxAge: 60, agent: new Agent() },
    e: { discovery: true, fingerprints: ['ab'] },
    f: { secret: Buffer.alloc(32) },
  },
  audience,
});

// @ts-expect-error jwksUri and publicKey are two key sources: an issuer takes one
const two: IssuerKeys = { jwksUri: 'https://a/jwks.json', publicKey };
// @ts-expect-error secret and keys are two key sources
const secretAndKeys: IssuerKeys = { secret: 'x'.repeat(32), keys: [jwk] };
// @ts-expect-error discovery and jwksUri are two key sources
const discoveryAndUri: IssuerKeys = { discovery: true, jwksUri: 'https://a/jwks.json' };
// @ts-expect-error fetch options mean nothing to a local key
const localFetching: IssuerKeys = { publicKey, timeout: 5000 };
// @ts-expect-error an agent fetches keys; a secret is not fetched
const secretAgent: IssuerKeys = { secret: 'x'.repeat(32), agent: new Agent() };
// @ts-expect-error a misspelt key source (jwksUrl) is no issuer form
const misspelt: IssuerKeys = { jwksUrl: 'https://a/jwks.json' };
// @ts-expect-error the agent must be an http(s).Agent
const notAnAgent: IssuerKeys = { jwksUri: 'https://a/jwks.json', agent: { proxy: 'x' } };

createVerifier({
  // @ts-expect-error the same inside createVerifier's issuers
  issuers: { a: { jwksUri: 'https://a/jwks.json', publicKey } },
  audience,
});

void [two, secretAndKeys, discoveryAndUri, localFetching, secretAgent, misspelt, notAnAgent];
