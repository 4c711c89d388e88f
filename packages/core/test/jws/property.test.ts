import { isServiceJwtError } from '@service-jwt/core';
import fc from 'fast-check';
import { decodeJsonObject } from '../../src/jws/token-syntax.js';
import { claimsAt, type FixtureAlg, makeKey, mint, verifierFor } from '../fixtures.js';

// Byte-level mutations of valid tokens: no mutation may pass, throw anything but a
// ServiceJwtError, or come back as anything but a 4xx.
const ALGS: readonly FixtureAlg[] = ['ES256', 'RS256', 'EdDSA', 'HS256'];
const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \n\u00e9\u0000';

type Mutation =
  | { kind: 'replace'; at: number; char: string }
  | { kind: 'insert'; at: number; char: string }
  | { kind: 'delete'; at: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'bit'; segment: number; at: number; bit: number }
  | { kind: 'truncate'; at: number };

const position = fc.nat({ max: 10_000 });
const char = fc.constantFrom(...CHARS.split(''));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: position, char }),
  fc.record({ kind: fc.constant('insert' as const), at: position, char }),
  fc.record({ kind: fc.constant('delete' as const), at: position }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat({ max: 2 }), b: fc.nat({ max: 2 }) }),
  fc.record({
    kind: fc.constant('bit' as const),
    segment: fc.nat({ max: 2 }),
    at: position,
    bit: fc.nat({ max: 7 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
);

function apply(token: string, m: Mutation): string {
  const at = (n: number) => ('at' in m ? m.at % n : 0);
  switch (m.kind) {
    case 'replace': {
      const i = at(token.length);
      return token.slice(0, i) + m.char + token.slice(i + 1);
    }
    case 'insert': {
      const i = at(token.length + 1);
      return token.slice(0, i) + m.char + token.slice(i);
    }
    case 'delete': {
      const i = at(token.length);
      return token.slice(0, i) + token.slice(i + 1);
    }
    case 'truncate':
      return token.slice(0, at(token.length));
    case 'swap': {
      const parts = token.split('.');
      const a = parts[m.a] as string;
      parts[m.a] = parts[m.b] as string;
      parts[m.b] = a;
      return parts.join('.');
    }
    case 'bit': {
      const parts = token.split('.');
      const segment = parts[m.segment];
      if (segment === undefined) return `${token}.x`;
      const bytes = Buffer.from(segment, 'base64url');
      if (bytes.length === 0) return `${token}x`;
      const i = at(bytes.length);
      bytes[i] = (bytes[i] as number) ^ (1 << m.bit);
      parts[m.segment] = bytes.toString('base64url');
      return parts.join('.');
    }
  }
}

describe.each(ALGS)('mutated %s tokens', (alg) => {
  const key = makeKey(alg);
  const verifier = verifierFor(key);
  const token = mint(key, claimsAt({ jti: 'p1', roles: ['a', 'b'] }));

  it('the unmutated token passes', async () => {
    await expect(verifier.verifyToken(token)).resolves.toBeDefined();
  });

  it('never pass and always fail with a 4xx ServiceJwtError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const mutated = mutations.reduce(apply, token);
        fc.pre(mutated !== token);
        let outcome: unknown = 'passed';
        try {
          await verifier.verifyToken(mutated);
        } catch (err) {
          outcome = err;
        }
        expect(outcome).not.toBe('passed');
        expect(isServiceJwtError(outcome)).toBe(true);
        const status = (outcome as { status: number }).status;
        expect(status >= 400 && status < 500).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('the request path behaves the same', async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const mutated = apply(token, m);
        // Spaces before the token are the separator after the scheme (RFC 9110 §11.4:
        // `Bearer  token` is the same credential), not a mutation of the token.
        fc.pre(mutated.replace(/^ +/, '') !== token);
        const request = {
          method: 'GET',
          url: '/',
          headers: { authorization: `Bearer ${mutated}` },
        };
        const outcome = await verifier.verify(request).then(
          () => 'passed',
          (err: unknown) => err,
        );
        expect(isServiceJwtError(outcome)).toBe(true);
        const status = (outcome as { status: number }).status;
        expect(status >= 400 && status < 500).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('strict JSON decoding agrees with JSON.parse', () => {
  const decode = (text: string) => decodeJsonObject(Buffer.from(text, 'utf8'), 'payload');
  const plain = (value: unknown) => JSON.parse(JSON.stringify(value));
  // Full Unicode (astral planes and control characters included), so JSON.stringify writes
  // escapes (\n, \t, \u0001, \", \\) into names and values; registered names take the
  // parser's name table.
  const REGISTERED = ['alg', 'kid', 'typ', 'iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'source'];
  const name = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.constantFrom(...REGISTERED),
    fc.string({
      unit: fc.constantFrom('a', '\t', '\n', '"', '\\', '\u0000', '\u00e9'),
      maxLength: 4,
    }),
  );
  const value = fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 });
  const indent = fc.constantFrom(undefined, 2, '\t', '\r\n');

  /** What JSON.parse and ours make of `text`: the value, or `undefined` when refused. */
  function both(text: string): [unknown, unknown] {
    let expected: unknown;
    try {
      expected = JSON.parse(text);
    } catch {
      expected = undefined;
    }
    try {
      return [expected, plain(decode(text))];
    } catch (err) {
      expect((err as { code?: string }).code).toBe('token_malformed');
      return [expected, undefined];
    }
  }

  it('on every JSON object (same values, null prototypes, frozen)', () => {
    fc.assert(
      fc.property(fc.dictionary(name, value), indent, (object, space) => {
        const text = JSON.stringify(object, null, space);
        const decoded = decode(text);
        expect(plain(decoded)).toEqual(JSON.parse(text));
        expect(Object.getPrototypeOf(decoded)).toBeNull();
        expect(Object.isFrozen(decoded)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('on string literals with every escape (JSON.stringify never writes \\/ or \\u00e9)', () => {
    const piece = fc.oneof(
      fc
        .string({ unit: 'binary', minLength: 1, maxLength: 3 })
        .map((text) => [...text].filter((c) => c >= ' ' && c !== '"' && c !== '\\').join('')),
      fc.constantFrom('\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t'),
      fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.boolean()).map(([code, upper]) => {
        const hex = code.toString(16).padStart(4, '0');
        return `\\u${upper ? hex.toUpperCase() : hex}`;
      }),
      // Refused: raw control characters, unknown or short escapes, a lone backslash.
      fc.constantFrom('\u0001', '\t', '\n', '\\x', '\\u12', '\\'),
    );
    const literal = fc.array(piece, { maxLength: 6 }).map((parts) => `"${parts.join('')}"`);
    fc.assert(
      fc.property(literal, literal, fc.boolean(), (key, val, nested) => {
        // One member: JSON.parse and ours must accept and refuse the same texts.
        const [expected, ours] = both(nested ? `{"o":{${key}:[${val}]}}` : `{${key}:${val}}`);
        expect(ours).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('on arbitrary text: malformed or the same object as JSON.parse', () => {
    const fragments = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      '"',
      ':',
      ',',
      '\\',
      'u00',
      '1',
      '-',
      'e',
      'E',
      '+',
      '.',
      ' ',
      '\t',
      '\r',
      '\n',
      'true',
      'false',
      'null',
      '"a"',
      '"alg"',
      '\\t',
      '\\f',
      '\\r',
      '\\/',
      '\\u00e9',
      '\u0001',
      '\u00e9',
      '\u{1f600}',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fragments, fc.string({ unit: 'binary', maxLength: 3 })), {
          maxLength: 20,
        }),
        (parts) => {
          // Ours may refuse more (duplicates, non-objects, depth), never accept otherwise.
          const [expected, ours] = both(parts.join(''));
          if (ours !== undefined) expect(ours).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
