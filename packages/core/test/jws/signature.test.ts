import {
  constants,
  createHmac,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { isServiceJwtError } from '../../src/errors/service-jwt-error.js';
import type { Algorithm } from '../../src/jws/algorithms.js';
import { verifyCompactJws, verifySignature } from '../../src/jws/signature.js';
import type { VerificationKey } from '../../src/keys/key-resolver.js';
import { signedWithLeadingZero } from '../fixtures.js';

// Every algorithm of the seam against node:crypto's own signer: a valid signature passes,
// one flipped bit, a signature of another hash or a key of the wrong kind fails, and nothing
// the caller sends makes it throw.
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const ed = generateKeyPairSync('ed25519');
const secret = createSecretKey(randomBytes(64));

interface Case {
  readonly alg: Algorithm;
  readonly verifyKey: KeyObject;
  readonly sign: (data: Buffer) => Buffer;
}

const pssOptions = (key: KeyObject) => ({
  key,
  padding: constants.RSA_PKCS1_PSS_PADDING,
  saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
});
const p1363 = (key: KeyObject) => ({ key, dsaEncoding: 'ieee-p1363' as const });
const hmac = (hash: string) => (data: Buffer) => createHmac(hash, secret).update(data).digest();

const CASES: readonly Case[] = [
  { alg: 'RS256', verifyKey: rsa.publicKey, sign: (d) => sign('sha256', d, rsa.privateKey) },
  { alg: 'RS384', verifyKey: rsa.publicKey, sign: (d) => sign('sha384', d, rsa.privateKey) },
  { alg: 'RS512', verifyKey: rsa.publicKey, sign: (d) => sign('sha512', d, rsa.privateKey) },
  {
    alg: 'PS256',
    verifyKey: rsa.publicKey,
    sign: (d) => sign('sha256', d, pssOptions(rsa.privateKey)),
  },
  {
    alg: 'PS384',
    verifyKey: rsa.publicKey,
    sign: (d) => sign('sha384', d, pssOptions(rsa.privateKey)),
  },
  {
    alg: 'PS512',
    verifyKey: rsa.publicKey,
    sign: (d) => sign('sha512', d, pssOptions(rsa.privateKey)),
  },
  {
    alg: 'ES256',
    verifyKey: p256.publicKey,
    sign: (d) => sign('sha256', d, p1363(p256.privateKey)),
  },
  {
    alg: 'ES384',
    verifyKey: p384.publicKey,
    sign: (d) => sign('sha384', d, p1363(p384.privateKey)),
  },
  {
    alg: 'ES512',
    verifyKey: p521.publicKey,
    sign: (d) => sign('sha512', d, p1363(p521.privateKey)),
  },
  { alg: 'EdDSA', verifyKey: ed.publicKey, sign: (d) => sign(null, d, ed.privateKey) },
  { alg: 'Ed25519', verifyKey: ed.publicKey, sign: (d) => sign(null, d, ed.privateKey) },
  { alg: 'HS256', verifyKey: secret, sign: hmac('sha256') },
  { alg: 'HS384', verifyKey: secret, sign: hmac('sha384') },
  { alg: 'HS512', verifyKey: secret, sign: hmac('sha512') },
];

const INPUT = 'eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhIn0';

describe.each(CASES)('verifySignature $alg', ({ alg, verifyKey, sign: signer }) => {
  const signature = signer(Buffer.from(INPUT, 'latin1'));

  it('accepts a valid signature over the string and over the bytes', () => {
    expect(verifySignature(alg, verifyKey, INPUT, signature)).toBe(true);
    expect(verifySignature(alg, verifyKey, Buffer.from(INPUT, 'latin1'), signature)).toBe(true);
  });

  it('refuses a flipped bit in the signature or in the input', () => {
    const flipped = Buffer.from(signature);
    flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1;
    expect(verifySignature(alg, verifyKey, INPUT, flipped)).toBe(false);
    expect(verifySignature(alg, verifyKey, `${INPUT}x`, signature)).toBe(false);
  });

  it('refuses a truncated or extended signature', () => {
    expect(verifySignature(alg, verifyKey, INPUT, signature.subarray(1))).toBe(false);
    expect(
      verifySignature(alg, verifyKey, INPUT, Buffer.concat([signature, Buffer.alloc(1)])),
    ).toBe(false);
    expect(verifySignature(alg, verifyKey, INPUT, Buffer.alloc(0))).toBe(false);
  });

  it('refuses the signature under every other algorithm of the table', () => {
    for (const other of CASES) {
      if (other.alg === alg || (other.sign === signer && other.verifyKey === verifyKey)) continue;
      if (other.alg.startsWith('Ed') && alg.startsWith('Ed')) continue;
      expect(verifySignature(other.alg, other.verifyKey, INPUT, signature)).toBe(false);
    }
  });
});

describe('verifySignature with keys of the wrong kind', () => {
  const data = Buffer.from(INPUT, 'latin1');

  it('an asymmetric algorithm never takes a secret, HMAC never a public key', () => {
    const mac = hmac('sha256')(data);
    expect(verifySignature('HS256', rsa.publicKey, INPUT, mac)).toBe(false);
    for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
      expect(verifySignature(alg, secret, INPUT, Buffer.alloc(64))).toBe(false);
    }
  });

  it('a private key does not stand in for the public key', () => {
    const pairs = [
      ['RS256', rsa.privateKey, sign('sha256', data, rsa.privateKey)],
      ['PS256', rsa.privateKey, sign('sha256', data, pssOptions(rsa.privateKey))],
      ['ES256', p256.privateKey, sign('sha256', data, p1363(p256.privateKey))],
      ['EdDSA', ed.privateKey, sign(null, data, ed.privateKey)],
    ] as const;
    for (const [alg, key, signature] of pairs) {
      expect(verifySignature(alg, key, INPUT, signature)).toBe(false);
    }
  });

  it('answers false where OpenSSL throws (ES256 over an Ed25519 key)', () => {
    // A 64-byte signature passes the width check, then OpenSSL throws (no digest fits an
    // Ed25519 key). RS256 over that key no longer gets that far: the key has no modulus.
    expect(() => verify('sha256', data, p1363(ed.publicKey), Buffer.alloc(64))).toThrow();
    expect(verifySignature('ES256', ed.publicKey, INPUT, Buffer.alloc(64))).toBe(false);
    expect(verifySignature('RS256', ed.publicKey, INPUT, Buffer.alloc(256))).toBe(false);
  });

  it('answers false for an algorithm it does not know', () => {
    const mac = hmac('sha256')(data);
    expect(verifySignature('none' as Algorithm, secret, INPUT, mac)).toBe(false);
    // Names every plain object inherits find no check either (the table has no prototype).
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(verifySignature(name as Algorithm, secret, INPUT, mac)).toBe(false);
    }
  });

  it('refuses a DER-encoded ECDSA signature of the right content', () => {
    const der = sign('sha256', data, p256.privateKey);
    expect(verifySignature('ES256', p256.publicKey, INPUT, der)).toBe(false);
  });

  it('reads a string input as latin1, one byte per character, under every algorithm', () => {
    const text = 'h\u00e9ader.p\u00e4yload';
    const bytes = Buffer.from(text, 'latin1');
    for (const { alg, verifyKey, sign: signer } of CASES) {
      const signature = signer(bytes);
      expect(verifySignature(alg, verifyKey, text, signature)).toBe(true);
      expect(verifySignature(alg, verifyKey, bytes, signature)).toBe(true);
      // The same text read as UTF-8 is other bytes.
      expect(verifySignature(alg, verifyKey, Buffer.from(text, 'utf8'), signature)).toBe(false);
    }
  });
});

describe('verifyCompactJws', () => {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const hs384: VerificationKey = { key: secret, algorithm: 'HS384', kid: undefined };
  const token = (alg: string, payload = 'cGF5bG9hZA') => {
    const input = `${b64({ alg })}.${payload}`;
    const hash = alg === 'HS256' ? 'sha256' : 'sha384';
    return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
  };
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (!isServiceJwtError(err)) throw err;
      return err.code;
    }
    return undefined;
  };

  it('returns the payload bytes of a valid HS384 token', () => {
    const payload = verifyCompactJws(token('HS384'), { resolve: () => hs384 });
    expect(payload.toString()).toBe('payload');
  });

  it('refuses a token whose alg is not the key algorithm', () => {
    expect(codeOf(() => verifyCompactJws(token('HS256'), { resolve: () => hs384 }))).toBe(
      'algorithm_not_allowed',
    );
  });

  it('refuses a bad signature and a payload swapped under a valid signature', () => {
    const good = token('HS384');
    const [header, , signature] = good.split('.');
    const swapped = `${header}.b3RoZXI.${signature}`;
    expect(codeOf(() => verifyCompactJws(swapped, { resolve: () => hs384 }))).toBe(
      'signature_invalid',
    );
  });

  it('passes alg and kid to the key source and needs a synchronous one', () => {
    const lookups: unknown[] = [];
    const input = `${b64({ alg: 'HS384', kid: 'k1' })}.cGF5bG9hZA`;
    const jws = `${input}.${createHmac('sha384', secret).update(input).digest('base64url')}`;
    verifyCompactJws(jws, {
      resolve: (lookup) => {
        lookups.push(lookup);
        return hs384;
      },
    });
    expect(lookups).toEqual([{ alg: 'HS384', kid: 'k1' }]);
    expect(() => verifyCompactJws(jws, { resolve: async () => hs384 })).toThrow(TypeError);
  });
});

// An RSA signature is an integer as wide as the modulus. About one in 256 begins with a zero
// byte; OpenSSL's PSS check verifies it with that byte dropped too (its PKCS#1 v1.5 check
// refuses it), where RFC 8017 asks for exactly the modulus's width.
describe('verifySignature, an RSA signature one leading zero byte short', () => {
  it.each([
    ['RS256', (d: Buffer) => sign('sha256', d, rsa.privateKey)],
    ['PS256', (d: Buffer) => sign('sha256', d, pssOptions(rsa.privateKey))],
  ] as const)('%s: the full width passes, the trimmed one fails', (alg, signer) => {
    const { data, signature } = signedWithLeadingZero(`${INPUT}.`, signer);
    const input = data.toString('latin1');
    expect(signature).toHaveLength(256);
    expect(verifySignature(alg, rsa.publicKey, input, signature)).toBe(true);
    expect(verifySignature(alg, rsa.publicKey, input, signature.subarray(1))).toBe(false);
  });
});
