import { replayKey } from '@service-jwt/core';
import fc from 'fast-check';

describe('replayKey', () => {
  it('includes the issuer: the same jti of two issuers gives two keys', () => {
    expect(replayKey('https://a.example', 'x')).not.toBe(replayKey('https://b.example', 'x'));
  });

  it('is unambiguous for pairs that concatenate alike', () => {
    expect(replayKey('a', 'b:c')).not.toBe(replayKey('a:b', 'c'));
    expect(replayKey('a","b', 'c')).not.toBe(replayKey('a', 'b","c'));
  });

  it('is injective over arbitrary string pairs (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (i1, j1, i2, j2) => {
        fc.pre(i1 !== i2 || j1 !== j2);
        return replayKey(i1, j1) !== replayKey(i2, j2);
      }),
      { numRuns: 2000 },
    );
  });

  it('is well-formed Unicode, so UTF-8 stores keep lone surrogates apart', () => {
    const a = replayKey('iss', '\ud800');
    const b = replayKey('iss', '\ud801');
    expect(Buffer.from(a, 'utf8').toString('utf8')).toBe(a);
    expect(Buffer.from(a, 'utf8').equals(Buffer.from(b, 'utf8'))).toBe(false);
  });
});
