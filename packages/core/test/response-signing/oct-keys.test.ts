import { randomBytes } from 'node:crypto';
import {
  createResponseSigner,
  createVerifier,
  type ResponseSignerOptions,
} from '@service-jwt/core';
import { decodeProtectedHeader } from 'jose';

// The gateway's oct keys, as a KrakenD set file holds them: picked by kid, "k" read as
// base64url, the key file's JSON text accepted as it is, short secrets refused at start-up.

const ISS = 'https://login.test/';
const AUD = 'https://orders.test/';
const claims = { iss: ISS, aud: AUD, sub: 'ada', exp: Math.floor(Date.now() / 1000) + 600 };
const octJwk = (kid: string, bytes = 32, alg = 'HS256') => ({
  kty: 'oct',
  kid,
  alg,
  k: randomBytes(bytes).toString('base64url'),
});
const set = { keys: [octJwk('sim1'), octJwk('sim2')] };

function signer(options: Partial<ResponseSignerOptions>) {
  return createResponseSigner({
    keysToSign: ['access_token'],
    alg: 'HS256',
    kid: 'sim2',
    keys: set,
    ...options,
  } as ResponseSignerOptions);
}

async function verify(token: string, secret: Uint8Array | string): Promise<unknown> {
  const verifier = createVerifier({ issuers: { [ISS]: { secret } }, audience: AUD, source: false });
  try {
    return await verifier.verifyToken(token);
  } finally {
    await verifier.close();
  }
}

describe('createResponseSigner with oct keys', () => {
  it.each([
    ['a set object', set],
    ['the JSON text of the set (a key file)', JSON.stringify(set, null, 2)],
    ['one JWK', set.keys[1]],
    ['the JSON text of one JWK', JSON.stringify(set.keys[1])],
  ])('signs with the kid picked from %s', async (_label, keys) => {
    const out = (await signer({ keys: keys as never }).signBody({ access_token: claims })) as {
      access_token: string;
    };
    expect(decodeProtectedHeader(out.access_token)).toEqual({
      alg: 'HS256',
      kid: 'sim2',
      typ: 'JWT',
    });
    const secret = Buffer.from(set.keys[1]?.k ?? '', 'base64url');
    await expect(verify(out.access_token, secret)).resolves.toMatchObject({ issuer: ISS });
    // The text of "k" is not the secret.
    await expect(verify(out.access_token, set.keys[1]?.k ?? '')).rejects.toMatchObject({
      code: 'signature_invalid',
    });
  });

  it.each([
    ['an oct key under 32 bytes', { keys: [octJwk('sim2', 31)] }, 'HS256'],
    ['an HS512 key under 64 bytes', { keys: [octJwk('sim2', 48, 'HS512')] }, 'HS512'],
  ] as const)('refuses %s at construction, naming the key', (_label, keys, alg) => {
    expect(() => signer({ keys, alg })).toThrow(
      expect.objectContaining({
        code: 'configuration_error',
        message: expect.stringMatching(/^options\.keys\["sim2"\] is a secret of/),
      }),
    );
  });

  it('refuses a string that is no JWK JSON, naming options.keys', () => {
    expect(() => signer({ keys: set.keys[1]?.k as never })).toThrow(
      expect.objectContaining({
        code: 'configuration_error',
        message: expect.stringMatching(/^options\.keys/),
      }),
    );
  });
});
