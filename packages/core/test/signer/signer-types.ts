// Type tests, compiled by `pnpm typecheck` (not run by jest): what must and must not compile.
import {
  createServiceFetch,
  createSigner,
  type FetchLike,
  jwksResponse,
  type PublicJwk,
  type RemoteSigningKey,
  type ServiceJwtSigner,
} from '@service-jwt/core';
import type { JWK } from 'jose';

declare const key: import('node:crypto').KeyObject;
const signer: ServiceJwtSigner = createSigner({
  issuer: 'https://m1/',
  keys: [key, { key, kid: 'k2' }],
});

void signer.sign({ role: 'x' }, { audience: 'https://m2/' });
void signer.sign({}, { audience: null });
// @ts-expect-error the audience is required (null is the explicit opt-out)
void signer.sign({}, {});
// @ts-expect-error keys are required
createSigner({ issuer: 'https://m1/' });
// @ts-expect-error not a signing algorithm
createSigner({ issuer: 'https://m1/', keys: key, algorithm: 'none' });
// @ts-expect-error signRequest needs the method and url it binds
void signer.signRequest({ audience: 'https://m2/' });

// Published keys fit jose's JWK and core's own key-set input.
const published: PublicJwk[] = signer.jwks().keys;
const forJose: JWK[] = published;
void forJose;
const withBody: string = jwksResponse(signer).body;
void withBody;

const call: FetchLike = createServiceFetch({ signer, audience: 'https://m2/', bind: true });
void call('https://m2/x', { method: 'POST', body: new URLSearchParams() });

// Key files as text, JWK sets, and remote keys are signer keys.
createSigner({ issuer: 'https://m1/', keys: '{"kty":"OKP"}' });
createSigner({ issuer: 'https://m1/', keys: { keys: [{ kty: 'oct', k: 'x' }] } });
declare const der: Uint8Array;
const kms: RemoteSigningKey = {
  algorithm: 'ES256',
  publicKey: der,
  sign: async (signingInput, { signal }) => (signal.aborted ? signingInput : signingInput),
};
createSigner({ issuer: 'https://m1/', keys: [kms, key] });
signer.rotate(kms);
// @ts-expect-error a remote key signs with an asymmetric algorithm
const hmacKms: RemoteSigningKey = { ...kms, algorithm: 'HS256' };
void hmacKms;
// @ts-expect-error a remote key needs its public key
const noPublic: RemoteSigningKey = { algorithm: 'ES256', sign: kms.sign };
void noPublic;
