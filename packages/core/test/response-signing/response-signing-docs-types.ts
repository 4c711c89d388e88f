// Type test for the `oct` example of docs/response-signing.md, compiled by `pnpm typecheck`
// (not run by jest): a key file's text is a key set, and a verifier takes the decoded bytes.
import { readFileSync } from 'node:fs';
import { createResponseSigner, createVerifier } from '@service-jwt/core';

const keyFile = readFileSync('/run/secrets/gateway-keys.json', 'utf8');
createResponseSigner({ keysToSign: ['access_token'], alg: 'HS256', kid: 'sim2', keys: keyFile });

const jwk = JSON.parse(keyFile).keys.find((key: { kid: string }) => key.kid === 'sim2');
createVerifier({
  issuers: { 'https://login.example/': { secret: Buffer.from(jwk.k, 'base64url') } },
  audience: 'https://orders.example/',
  source: false,
});
