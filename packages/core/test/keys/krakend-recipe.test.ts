import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { createSigner, createVerifier } from '../../src/index.js';
import { caught } from './jwks-server.js';

// The KrakenD recipe of docs/keys.md, both ways, with the key file as KrakenD's configuration
// holds it (`jwk_local_path` of `auth/signer` and `auth/validator`: a JWK set of `oct` keys
// with `kid` and `alg`). KrakenD itself does not run here; its side is played by jose, which
// signs and validates HS256 JWTs over a JWK set the way KrakenD's JOSE library does (the key
// picked by `kid`, `k` decoded as base64url).

const GATEWAY = 'https://gateway.internal/';
const BACKEND = 'https://census.internal/';

let dir: string;
let keyFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'krakend-'));
  keyFile = join(dir, 'symmetric.json');
  // Two shared keys: "sim2" is the one KrakenD signs with now, "sim1" the one before it.
  const set = {
    keys: [
      { kty: 'oct', kid: 'sim2', alg: 'HS256', k: randomBytes(64).toString('base64url') },
      { kty: 'oct', kid: 'sim1', alg: 'HS256', k: randomBytes(64).toString('base64url') },
    ],
  };
  writeFileSync(keyFile, JSON.stringify(set, null, 2));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keySetFile = () => JSON.parse(readFileSync(keyFile, 'utf8'));

// KrakenD's auth/signer: { "alg": "HS256", "kid": "sim2", "jwk_local_path": "symmetric.json" }
async function krakendSigns(kid: string, claims: Record<string, unknown>): Promise<string> {
  const jwk = keySetFile().keys.find((key: { kid: string }) => key.kid === kid);
  const secret = Buffer.from(jwk.k, 'base64url');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(secret);
}

// KrakenD's auth/validator: { "alg": "HS256", "jwk_local_path": "symmetric.json",
// "issuer": GATEWAY, "audience": [BACKEND] }: the token's kid picks the key of the file.
async function krakendValidates(token: string) {
  const { kid } = decodeProtectedHeader(token);
  const jwk = keySetFile().keys.find((key: { kid: string }) => key.kid === kid);
  if (jwk === undefined) throw new Error(`no key ${String(kid)} in the key file`);
  return jwtVerify(token, Buffer.from(jwk.k, 'base64url'), {
    algorithms: ['HS256'],
    issuer: GATEWAY,
    audience: BACKEND,
  });
}

describe('KrakenD recipe: KrakenD signs, we verify with its key file', () => {
  const verifier = () =>
    createVerifier({
      issuers: { [GATEWAY]: { keys: keySetFile() } },
      audience: BACKEND,
      source: false, // KrakenD's tokens carry the claims it signs, not our service marker
    });

  it('verifies a token KrakenD signed with its current key, and one with its previous key', async () => {
    const v = verifier();
    for (const kid of ['sim2', 'sim1']) {
      const token = await krakendSigns(kid, { iss: GATEWAY, aud: BACKEND, sub: 'user-7' });
      const result = await v.verifyToken(token);
      expect(result.header.kid).toBe(kid);
      expect(result.subject).toBe('user-7');
    }
  });

  it('refuses a token signed with a key the file does not hold', async () => {
    const stranger = await new SignJWT({ iss: GATEWAY, aud: BACKEND })
      .setProtectedHeader({ alg: 'HS256', kid: 'sim2' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(randomBytes(64));
    expect((await caught(verifier().verifyToken(stranger))).code).toBe('signature_invalid');
  });
});

describe('KrakenD recipe: we sign with the key file, KrakenD validates', () => {
  it('KrakenD accepts our token; its kid names the key that signed', async () => {
    const signer = createSigner({ issuer: GATEWAY, keys: readFileSync(keyFile, 'utf8') });
    const token = await signer.tokenFor(BACKEND, { subject: 'svc-census' });
    const { payload, protectedHeader } = await krakendValidates(token);
    expect(protectedHeader).toMatchObject({ alg: 'HS256', kid: 'sim2' });
    expect(payload).toMatchObject({ iss: GATEWAY, aud: BACKEND, sub: 'svc-census' });
  });

  it('KrakenD refuses our token when its file holds other keys', async () => {
    const other = {
      keys: [{ kty: 'oct', kid: 'sim2', alg: 'HS256', k: randomBytes(64).toString('base64url') }],
    };
    const signer = createSigner({ issuer: GATEWAY, keys: other });
    const token = await signer.tokenFor(BACKEND);
    await expect(krakendValidates(token)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });
});
