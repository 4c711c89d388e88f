import { isServiceJwtError } from '../../src/errors/service-jwt-error.js';
import { checkProtectedHeader, type JsonObject, parseCompact } from '../../src/jws/token-syntax.js';
import { claimsAt, expectCode, makeKey, mint, verifierFor } from '../fixtures.js';

// The protected-header rules, directly and through the verifier, and the compact split on
// tokens whose headers differ only slightly (the header cache must never mix them up).
const key = makeKey('ES256');
const verifier = verifierFor(key);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!isServiceJwtError(err)) throw err;
    return err.code;
  }
}

const header = (members: Record<string, unknown>) => members as JsonObject;

describe('checkProtectedHeader', () => {
  it('returns alg, which must be a string', () => {
    expect(checkProtectedHeader(header({ alg: 'ES256' }))).toBe('ES256');
    for (const alg of [undefined, 1, null, true, ['ES256'], { v: 'ES256' }]) {
      expect(codeOf(() => checkProtectedHeader(header({ alg })))).toBe('token_malformed');
    }
  });

  it('refuses zip and crit whatever their value', () => {
    for (const value of ['DEF', false, null, [], 0]) {
      expect(codeOf(() => checkProtectedHeader(header({ alg: 'ES256', zip: value })))).toBe(
        'token_malformed',
      );
      expect(codeOf(() => checkProtectedHeader(header({ alg: 'ES256', crit: value })))).toBe(
        'token_malformed',
      );
    }
  });

  it('accepts b64: true (the default meaning) and refuses any other b64', () => {
    expect(checkProtectedHeader(header({ alg: 'ES256', b64: true }))).toBe('ES256');
    for (const b64 of [false, 'true', 1, null]) {
      expect(codeOf(() => checkProtectedHeader(header({ alg: 'ES256', b64 })))).toBe(
        'token_malformed',
      );
    }
  });

  it('accepts a string kid and refuses any other', () => {
    expect(checkProtectedHeader(header({ alg: 'ES256', kid: 'k1' }))).toBe('ES256');
    for (const kid of [1, null, ['k1']]) {
      expect(codeOf(() => checkProtectedHeader(header({ alg: 'ES256', kid })))).toBe(
        'token_malformed',
      );
    }
  });
});

describe('the header rules through the verifier', () => {
  it('a non-string alg is malformed, not an unknown key', async () => {
    await expectCode(verifier.verifyToken(mint(key, claimsAt(), { alg: 1 })), 'token_malformed');
    await expectCode(verifier.verifyToken(mint(key, claimsAt(), { alg: null })), 'token_malformed');
  });

  it('b64: true passes, b64: false does not', async () => {
    await expect(verifier.verifyToken(mint(key, claimsAt(), { b64: true }))).resolves.toMatchObject(
      { subject: 'orders' },
    );
    await expectCode(
      verifier.verifyToken(mint(key, claimsAt(), { b64: false })),
      'token_malformed',
    );
  });
});

describe('parseCompact', () => {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('decodes each header afresh, alternating and after many others', () => {
    const a = `${b64({ alg: 'ES256', kid: 'a' })}.e30.c2ln`;
    const b = `${b64({ alg: 'ES256', kid: 'b' })}.e30.c2ln`;
    for (const token of [a, b, a, a, b]) {
      expect(parseCompact(token).header.kid).toBe(token === a ? 'a' : 'b');
    }
    for (let i = 0; i < 300; i++) {
      expect(parseCompact(`${b64({ alg: 'ES256', kid: `k${i}` })}.e30.c2ln`).header.kid).toBe(
        `k${i}`,
      );
    }
    expect(parseCompact(a).header.kid).toBe('a');
  });

  it('splits payload and signature at the dots and reports the signing input length', () => {
    const head = b64({ alg: 'ES256' });
    const parsed = parseCompact(`${head}.cGF5.c2ln`);
    expect(parsed.payload.toString()).toBe('pay');
    expect(parsed.signature.toString()).toBe('sig');
    expect(parsed.signingInputLength).toBe(head.length + 5);
    expect(parseCompact(`${head}..c2ln`).payload).toHaveLength(0);
  });

  it.each([
    ['no dot', 'abc'],
    ['one dot', 'abc.def'],
    ['four segments', 'e30.e30.e30.e30'],
    ['an empty header', '.e30.c2ln'],
    ['an empty signature', 'e30.e30.'],
    ['only dots', '..'],
    ['empty', ''],
  ])('refuses %s', (_, token) => {
    expect(codeOf(() => parseCompact(token))).toBe('token_malformed');
  });
});
