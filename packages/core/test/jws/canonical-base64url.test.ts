import fc from 'fast-check';
import { parseCompact } from '../../src/jws/token-syntax.js';

// The strict segment check in token-syntax.ts decides canonical base64url by decoded length,
// a native search for `+`/`/` and the last character's spare bits, without re-encoding. It must
// agree with the definition it replaces: a segment is canonical exactly when decoding it and
// encoding the bytes again gives back the same string.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// Characters Node's decoder skips or maps (padding, the other alphabet, whitespace, non-ASCII,
// NUL), which the round trip refuses.
const STRAY = '=+/ \n\t\r\u00e9\u0000\u00ff\u2028~*';
const HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
const SIGNATURE = 'c2lnbmF0dXJl';

function roundTrips(segment: string): boolean {
  return Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

// The segment sits once in the payload slot (which may be empty) and once in the signature
// slot (which may not), so both decodes go through the check under test.
function accepted(segment: string, slot: 'payload' | 'signature'): boolean {
  const token =
    slot === 'payload' ? `${HEADER}.${segment}.${SIGNATURE}` : `${HEADER}.e30.${segment}`;
  try {
    const parsed = parseCompact(token);
    const bytes = slot === 'payload' ? parsed.payload : parsed.signature;
    // Whatever passes must decode to the bytes the segment denotes.
    expect(bytes.equals(Buffer.from(segment, 'base64url'))).toBe(true);
    return true;
  } catch (error) {
    expect((error as { code?: unknown }).code).toBe('token_malformed');
    return false;
  }
}

function agrees(segment: string): void {
  expect(accepted(segment, 'payload')).toBe(roundTrips(segment));
  expect(accepted(segment, 'signature')).toBe(segment !== '' && roundTrips(segment));
}

const alphabetChar = fc.constantFrom(...ALPHABET.split(''));
const anyChar = fc.oneof(
  { weight: 20, arbitrary: alphabetChar },
  { weight: 1, arbitrary: fc.constantFrom(...STRAY.split('')) },
);

type Mutation =
  | { kind: 'replace'; at: number; char: string }
  | { kind: 'insert'; at: number; char: string }
  | { kind: 'delete'; at: number }
  | { kind: 'append'; text: string }
  | { kind: 'none' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: anyChar }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: anyChar }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), text: fc.constantFrom('=', '==', 'A', 'AA') }),
  fc.record({ kind: fc.constant('none' as const) }),
);

function mutate(segment: string, m: Mutation): string {
  switch (m.kind) {
    case 'replace': {
      if (segment === '') return m.char;
      const i = m.at % segment.length;
      return segment.slice(0, i) + m.char + segment.slice(i + 1);
    }
    case 'insert': {
      const i = m.at % (segment.length + 1);
      return segment.slice(0, i) + m.char + segment.slice(i);
    }
    case 'delete': {
      if (segment === '') return segment;
      const i = m.at % segment.length;
      return segment.slice(0, i) + segment.slice(i + 1);
    }
    case 'append':
      return segment + m.text;
    case 'none':
      return segment;
  }
}

describe('canonical base64url segments', () => {
  it('agree with the decode/re-encode round trip on random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: anyChar, maxLength: 40 }), (segment) => agrees(segment)),
      { numRuns: 5_000 },
    );
  });

  it('agree with the round trip on encoded byte arrays, mutated', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 48 }),
        fc.array(mutation, { maxLength: 3 }),
        (bytes, mutations) => {
          let segment = Buffer.from(bytes).toString('base64url');
          for (const m of mutations) segment = mutate(segment, m);
          agrees(segment);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('refuse every stray-bit spelling of a final partial group and keep the canonical one', () => {
    // One and two trailing bytes leave 4 and 2 spare bits in the last character: of the 16
    // and 4 spellings that decode to the same bytes, only the one with zero spare bits is
    // canonical.
    for (const bytes of [Buffer.from([0xfb]), Buffer.from([0xfb, 0xef])]) {
      const canonical = bytes.toString('base64url');
      let passing = 0;
      for (const c of ALPHABET) {
        const segment = canonical.slice(0, -1) + c;
        agrees(segment);
        if (Buffer.from(segment, 'base64url').equals(bytes) && roundTrips(segment)) passing++;
      }
      expect(passing).toBe(1);
    }
  });
});
