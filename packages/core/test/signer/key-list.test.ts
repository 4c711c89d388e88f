import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  createSigner,
  createVerifier,
  exportPem,
  exportPrivateJwk,
  type ServiceJwtSigner,
  type SignerOptions,
} from '@service-jwt/core';
import { decodeProtectedHeader } from 'jose';

// The forms of the `keys` option: key files as text or bytes (PEM, JWK JSON, JWK set JSON), JWK
// set objects, arrays mixing them; and the refusals, each naming the key at fault.

const ISS = 'https://m1.test/';
const AUD = 'https://m2.test/';
const ed = generateKeyPairSync('ed25519').privateKey;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const edJwk = exportPrivateJwk({ key: ed, kid: 'ed-1' });
const ecJwk = exportPrivateJwk({ key: ec, kid: 'ec-1' });

async function verifies(signer: ServiceJwtSigner): Promise<void> {
  const verifier = createVerifier({ issuers: { [ISS]: { keys: signer.jwks() } }, audience: AUD });
  try {
    await verifier.verifyToken(await signer.sign({}, { audience: AUD }));
  } finally {
    await verifier.close();
  }
}

function refusal(options: Partial<SignerOptions>): { code?: string; message: string } {
  try {
    createSigner({ issuer: ISS, ...options } as SignerOptions);
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('createSigner: key text and key sets', () => {
  it.each([
    ['a JWK as JSON text', JSON.stringify(edJwk, null, 2), ['ed-1']],
    ['a JWK as JSON bytes', new TextEncoder().encode(JSON.stringify(edJwk)), ['ed-1']],
    ['a JWK set as JSON text', JSON.stringify({ keys: [edJwk, ecJwk] }), ['ed-1', 'ec-1']],
    ['a JWK set object', { keys: [ecJwk, edJwk] }, ['ec-1', 'ed-1']],
    ['an array of a set and a key', [{ keys: [edJwk] }, ecJwk], ['ed-1', 'ec-1']],
  ] as const)('reads %s: the first key signs, all are published', async (_label, keys, kids) => {
    const signer = createSigner({ issuer: ISS, keys: keys as SignerOptions['keys'] });
    expect(signer.kid).toBe(kids[0]);
    expect(signer.jwks().keys.map((k) => k.kid)).toEqual(kids);
    expect(decodeProtectedHeader(await signer.sign({}, { audience: AUD })).kid).toBe(kids[0]);
    await verifies(signer);
  });

  it('reads PEM given as bytes (readFileSync without an encoding) as the key, not as a secret', async () => {
    const signer = createSigner({ issuer: ISS, keys: Buffer.from(exportPem(ec).privateKey) });
    expect(signer.algorithm).toBe('ES256');
    expect(signer.jwks().keys).toHaveLength(1);
    await verifies(signer);
  });

  it('keeps random bytes a secret, even when they start like JSON', () => {
    const bytes = Buffer.concat([Buffer.from('{'), randomBytes(40)]);
    const signer = createSigner({ issuer: ISS, keys: bytes });
    expect(signer.algorithm).toBe('HS256');
  });

  it.each([
    ['no keys', {}, /^keys is required/],
    ['an empty array', { keys: [] }, /^keys must hold/],
    ['an empty set', { keys: { keys: [] } }, /^keys is an empty JWK set/],
    ['JSON that does not parse', { keys: '{"kty":"OKP",' }, /^keys starts like JSON/],
    ['JSON that is no JWK', { keys: '{"use":"sig"}' }, /^keys is JSON but neither a JWK/],
    ['text that is neither PEM nor JSON', { keys: 'secret-ish text' }, /^keys is a string/],
    ['a set member that is not a JWK', { keys: { keys: [edJwk, 'x'] } }, /^keys\.keys\[1\]/],
    [
      'a set given as one key of { key, kid }',
      { keys: [{ key: JSON.stringify({ keys: [edJwk] }), kid: 'a' }] },
      /^keys\[0\] is a JWK set/,
    ],
    [
      'a kid twice across a set',
      { keys: { keys: [edJwk, edJwk] } },
      /^keys\.keys\[1\] repeats kid/,
    ],
    ['a public JWK in a set', { keys: { keys: [{ ...edJwk, d: undefined }] } }, /^keys\.keys\[0\]/],
  ] as const)('refuses %s, naming the key', (_label, options, message) => {
    const err = refusal(options as Partial<SignerOptions>);
    expect(err.code).toBe('configuration_error');
    expect(err.message).toMatch(message);
  });

  it('takes a JSON next key in a rotation, but not a set of several', () => {
    const signer = createSigner({ issuer: ISS, keys: edJwk });
    const other = exportPrivateJwk({ key: generateKeyPairSync('ed25519').privateKey, kid: 'x' });
    expect(() => signer.rotate(JSON.stringify({ keys: [ecJwk, other] }))).toThrow(
      expect.objectContaining({
        code: 'configuration_error',
        message: expect.stringMatching(/^nextKey/),
      }),
    );
    expect(signer.rotate(JSON.stringify(ecJwk)).kid).toBe('ec-1');
    expect(signer.jwks().keys.map((k) => k.kid)).toEqual(['ed-1', 'ec-1']);
  });
});
