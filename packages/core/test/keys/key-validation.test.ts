import { createHash, generateKeyPairSync } from 'node:crypto';
import { errorResponse } from '../../src/errors/service-jwt-error.js';
import type { Algorithm } from '../../src/jws/algorithms.js';
import { createIssuerKeyResolver } from '../../src/keys/create-issuer-key-resolver.js';
import type { VerificationKey } from '../../src/keys/key-resolver.js';
import type { IssuerKeys } from '../../src/verify/options.js';
import { caught, publicJwk } from './jwks-server.js';

const ISSUER = 'https://a';
const PATH = 'issuers["https://a"]';
const ASYMMETRIC: Algorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const HMAC: Algorithm[] = ['HS256', 'HS384', 'HS512'];

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const k256 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
const ed = generateKeyPairSync('ed25519');

function build(config: IssuerKeys, algorithms: readonly Algorithm[] = ASYMMETRIC) {
  return createIssuerKeyResolver(ISSUER, config, { algorithms, optionPath: PATH });
}

function boundKey(
  config: IssuerKeys,
  alg: string,
  algorithms?: readonly Algorithm[],
): VerificationKey {
  const key = build(config, algorithms).resolve({ alg });
  expect(key).not.toBeInstanceOf(Promise);
  return key as VerificationKey;
}

async function configFailure(config: IssuerKeys, algorithms?: readonly Algorithm[]) {
  const err = await caught(() => build(config, algorithms));
  expect(err.code).toBe('configuration_error');
  expect(err.status).toBe(500);
  expect(err.message).toContain(PATH);
  return err;
}

describe('public key validation', () => {
  it('binds an RSA JWK without alg to RS256 and refuses other RSA algorithms in tokens', async () => {
    const key = boundKey({ publicKey: publicJwk(rsa.publicKey) as never }, 'RS256');
    expect(key.algorithm).toBe('RS256');
    const err = await caught(() =>
      build({ publicKey: publicJwk(rsa.publicKey) as never }).resolve({ alg: 'PS256' }),
    );
    expect(err.code).toBe('algorithm_not_allowed');
    expect(err.status).toBe(401);
    expect(errorResponse(err).headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('binds an RSA key without alg to the single RSA algorithm allowed', () => {
    expect(boundKey({ publicKey: rsa.publicKey }, 'PS384', ['PS384', 'ES256']).algorithm).toBe(
      'PS384',
    );
  });

  it('refuses an RSA key without alg when several RSA algorithms but not RS256 are allowed', async () => {
    await configFailure({ publicKey: rsa.publicKey }, ['PS256', 'PS512']);
  });

  it('honours the JWK alg and refuses one that is not allowed', async () => {
    const jwk = publicJwk(rsa.publicKey, { alg: 'PS256' }) as never;
    expect(boundKey({ publicKey: jwk }, 'PS256').algorithm).toBe('PS256');
    await configFailure({ publicKey: jwk }, ['RS256']);
  });

  it('refuses RSA 1024, public exponent 1 and an even exponent', async () => {
    await configFailure({ publicKey: publicJwk(rsa1024.publicKey) as never });
    await configFailure({ publicKey: rsa1024.publicKey });
    const { n } = rsa.publicKey.export({ format: 'jwk' });
    await configFailure({ publicKey: { kty: 'RSA', n, e: 'AQ' } as never });
    await configFailure({ publicKey: { kty: 'RSA', n, e: 'AQAA' } as never });
  });

  it('refuses use other than sig, and key_ops without verify', async () => {
    await configFailure({ publicKey: publicJwk(ec.publicKey, { use: 'enc' }) as never });
    await configFailure({ publicKey: publicJwk(ec.publicKey, { key_ops: ['encrypt'] }) as never });
    const ok = boundKey(
      { publicKey: publicJwk(ec.publicKey, { use: 'sig', key_ops: ['verify'] }) as never },
      'ES256',
    );
    expect(ok.algorithm).toBe('ES256');
  });

  it('binds EC keys by curve and refuses a mismatched alg or curve', async () => {
    expect(boundKey({ publicKey: ec.publicKey }, 'ES256').algorithm).toBe('ES256');
    expect(boundKey({ publicKey: publicJwk(ec384.publicKey) as never }, 'ES384').algorithm).toBe(
      'ES384',
    );
    await configFailure({ publicKey: publicJwk(ec.publicKey, { alg: 'RS256' }) as never });
    await configFailure({ publicKey: publicJwk(ec.publicKey, { alg: 'ES384' }) as never });
    await configFailure({ publicKey: k256.publicKey });
    await configFailure({ publicKey: publicJwk(ec.publicKey, { crv: 'P-384' }) as never });
    await configFailure({ publicKey: ec.publicKey }, ['ES384']);
  });

  it('binds Ed25519 to EdDSA and accepts the Ed25519 alias in tokens', () => {
    const resolver = build({ publicKey: publicJwk(ed.publicKey) as never });
    expect((resolver.resolve({ alg: 'EdDSA' }) as VerificationKey).algorithm).toBe('EdDSA');
    expect((resolver.resolve({ alg: 'Ed25519' }) as VerificationKey).algorithm).toBe('EdDSA');
    expect(boundKey({ publicKey: ed.publicKey }, 'EdDSA', ['Ed25519']).algorithm).toBe('Ed25519');
  });

  it('refuses private key material in every form', async () => {
    await configFailure({ publicKey: ec.privateKey.export({ format: 'jwk' }) as never });
    await configFailure({ publicKey: ec.privateKey });
    await configFailure({
      publicKey: ec.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    });
  });

  it('accepts PEM, DER SPKI and JWK JSON strings', () => {
    const pem = rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    expect(boundKey({ publicKey: pem }, 'RS256').algorithm).toBe('RS256');
    const der = ec.publicKey.export({ format: 'der', type: 'spki' });
    expect(boundKey({ publicKey: new Uint8Array(der) }, 'ES256').algorithm).toBe('ES256');
    expect(
      boundKey({ publicKey: JSON.stringify(publicJwk(ed.publicKey)) }, 'EdDSA').algorithm,
    ).toBe('EdDSA');
  });

  it('refuses junk key material and kty oct as a public key', async () => {
    await configFailure({ publicKey: 'not a key' });
    await configFailure({ publicKey: { kty: 'oct', k: 'A'.repeat(64) } as never });
    await configFailure({ publicKey: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } as never });
  });

  it('refuses an EC JWK whose crv is a name every object inherits', async () => {
    const jwk = publicJwk(ec.publicKey);
    for (const crv of ['constructor', '__proto__', 'toString']) {
      const err = await configFailure({ publicKey: { ...jwk, crv } as never });
      expect(err.message).toContain('crv');
    }
  });

  it('names the option path in the message', async () => {
    const err = await configFailure({ publicKey: publicJwk(rsa1024.publicKey) as never });
    expect(err.message).toContain(`${PATH}.publicKey`);
  });
});

describe('secret issuers', () => {
  const secret = createHash('sha256').update('a shared secret').digest();

  it('binds a 32-byte secret to HS256 and refuses other algorithms in tokens', async () => {
    const resolver = build({ secret }, HMAC);
    expect((resolver.resolve({ alg: 'HS256' }) as VerificationKey).algorithm).toBe('HS256');
    expect((resolver.resolve({ alg: 'HS256', kid: 'any' }) as VerificationKey).key.type).toBe(
      'secret',
    );
    const err = await caught(() => resolver.resolve({ alg: 'RS256' }));
    expect(err.code).toBe('algorithm_not_allowed');
  });

  it('binds to the single HS algorithm allowed, and needs the hash size in bytes', async () => {
    const long = Buffer.alloc(64, 7);
    expect(boundKey({ secret: long }, 'HS512', ['HS512']).algorithm).toBe('HS512');
    await configFailure({ secret }, ['HS512']);
    await configFailure({ secret, algorithms: ['HS384'] }, HMAC);
  });

  it('refuses secrets shorter than 32 bytes, as string or bytes', async () => {
    await configFailure({ secret: 'x'.repeat(31) }, HMAC);
    await configFailure({ secret: new Uint8Array(31) }, HMAC);
    expect(boundKey({ secret: 'x'.repeat(32) }, 'HS256', HMAC).algorithm).toBe('HS256');
  });

  it('refuses asymmetric algorithms on a secret issuer and HS on a key issuer', async () => {
    await configFailure({ secret, algorithms: ['RS256'] }, [...HMAC, 'RS256']);
    await configFailure({ secret }, ASYMMETRIC);
    await configFailure({ publicKey: ec.publicKey, algorithms: ['HS256'] }, [...HMAC, 'ES256']);
  });

  it('ignores HS algorithms of the allow-list for public keys', () => {
    expect(boundKey({ publicKey: ec.publicKey }, 'ES256', [...HMAC, 'ES256']).algorithm).toBe(
      'ES256',
    );
  });
});

describe('configuration shape', () => {
  it('needs exactly one key source', async () => {
    await configFailure({} as never);
    await configFailure({ publicKey: ec.publicKey, jwksUri: 'https://a/jwks' } as never);
    await configFailure(null as never);
  });

  it.each([
    ['a JWK set object', () => ({ keys: [publicJwk(ec.publicKey, { kid: 'a' })] })],
    ['a bare array of JWKs', () => [publicJwk(ec.publicKey, { kid: 'a' })]],
    ['JWK set JSON text', () => JSON.stringify({ keys: [publicJwk(ec.publicKey)] })],
    ['JWK set JSON bytes', () => Buffer.from(JSON.stringify({ keys: [publicJwk(ec.publicKey)] }))],
  ])('refuses %s as publicKey and names keys as the fix', async (_name, set) => {
    const err = await configFailure({ publicKey: set() as never });
    expect(err.message).toContain(`${PATH}.publicKey is a JWK set`);
    expect(err.message).toContain(`${PATH}.keys`);
  });

  it('refuses unknown members and remote options on local forms', async () => {
    await configFailure({ publicKey: ec.publicKey, jwksUrl: 'x' } as never);
    await configFailure({ publicKey: ec.publicKey, timeout: 5 } as never);
  });

  it('validates remote options', async () => {
    await configFailure({ jwksUri: 'not a url' });
    await configFailure({ jwksUri: 'http://a/jwks.json' });
    await configFailure({ jwksUri: 'ftp://a/jwks.json', allowInsecureHttp: true });
    await configFailure({ jwksUri: 'https://a/jwks.json', cacheMaxAge: -1 });
    await configFailure({ jwksUri: 'https://a/jwks.json', timeout: 0 });
    await configFailure({ jwksUri: 'https://a/jwks.json', maxKeys: 1.5 });
    await configFailure({ jwksUri: 'https://a/jwks.json', fingerprints: ['abc'] });
    await configFailure({ jwksUri: 'https://a/jwks.json', ca: 42 as never });
    await configFailure({ discovery: false as never });
    await configFailure({ publicKey: ec.publicKey, algorithms: ['none' as never] });
  });

  it('accepts a valid remote configuration without fetching', () => {
    const resolver = build({
      jwksUri: 'https://a/jwks.json',
      fingerprints: [createHash('sha256').update('x').digest('hex')],
    });
    resolver.close();
  });
});
