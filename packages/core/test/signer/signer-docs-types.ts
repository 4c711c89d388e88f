// Type tests for the examples of docs/signer.md, compiled by `pnpm typecheck` (not run by
// jest): the shapes the docs show must compile against the public API as written. The cloud
// SDKs are not dependencies: the calls the recipes make are declared here with the types the
// SDKs document (Uint8Array in, Uint8Array or PEM out).
import { createHash, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSigner, type RemoteSigningKey } from '@service-jwt/core';

// The key file keygen wrote, read as it is.
createSigner({ issuer: 'https://orders.internal', keys: readFileSync('m1-key.json', 'utf8') });

// An oct set file, and the bytes of one "k" for a verifier's secret.
createSigner({
  issuer: 'https://gateway.internal',
  keys: readFileSync('/run/secrets/gateway-oct.json', 'utf8'),
});
const jwk = JSON.parse(readFileSync('/run/secrets/gateway-oct.json', 'utf8')).keys[0];
const secret: Uint8Array = Buffer.from(jwk.k, 'base64url');
void secret;

// AWS KMS: GetPublicKey answers DER SPKI; Sign answers DER (Uint8Array) and takes an abort signal.
declare const PublicKey: Uint8Array | undefined;
declare function kmsSign(
  input: { KeyId: string; Message: Uint8Array; MessageType: 'RAW'; SigningAlgorithm: string },
  options: { abortSignal?: AbortSignal },
): Promise<{ Signature?: Uint8Array }>;
const publicJwk = createPublicKey({
  key: Buffer.from(PublicKey!),
  format: 'der',
  type: 'spki',
}).export({ format: 'jwk' });
const kmsKey: RemoteSigningKey = {
  algorithm: 'ES256',
  publicKey: publicJwk,
  kid: 'orders-2026-11',
  async sign(signingInput, { signal }) {
    const { Signature } = await kmsSign(
      { KeyId: 'k', Message: signingInput, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' },
      { abortSignal: signal },
    );
    return Signature!;
  },
};
createSigner({ issuer: 'https://orders.internal', keys: kmsKey });
// The DER bytes themselves are a public key too.
createSigner({ issuer: 'https://orders.internal', keys: { ...kmsKey, publicKey: PublicKey! } });

// Google Cloud KMS: getPublicKey answers PEM; asymmetricSign takes a digest, answers bytes.
declare const pem: string | null | undefined;
declare function asymmetricSign(request: {
  name: string;
  digest: { sha256: Uint8Array };
}): Promise<[{ signature?: Uint8Array | string | null }]>;
const gcpKey: RemoteSigningKey = {
  algorithm: 'ES256',
  publicKey: pem!,
  kid: 'orders-jwt-1',
  async sign(signingInput) {
    const digest = createHash('sha256').update(signingInput).digest();
    const [{ signature }] = await asymmetricSign({ name: 'n', digest: { sha256: digest } });
    return Buffer.from(signature as Uint8Array);
  },
};
createSigner({ issuer: 'https://orders.internal', keys: [gcpKey] });

// A sidecar over HTTP.
const sidecarKey: RemoteSigningKey = {
  algorithm: 'EdDSA',
  publicKey: readFileSync('/etc/signer/public.jwk', 'utf8'),
  timeout: 500,
  async sign(signingInput, { signal }) {
    const res = await fetch('http://127.0.0.1:7070/sign', {
      method: 'POST',
      body: signingInput,
      signal,
    });
    if (!res.ok) throw new Error(`signing sidecar answered ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  },
};
createSigner({ issuer: 'https://orders.internal', keys: sidecarKey });
