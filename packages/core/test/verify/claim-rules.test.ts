import { isServiceJwtError } from '../../src/errors/service-jwt-error.js';
import {
  type ClaimCheckRules,
  checkClaims,
  compileClaimsCheck,
  createClaimsCheck,
} from '../../src/verify/claim-rules.js';

// Claim rules compiled once and run on verified claims: which values pass each kind of rule,
// and which configuration is refused (naming the option, as createVerifier's errors do).
const BASE = { iss: 'https://caller.test', sub: 'orders', source: 'microservice' };

function codeOf(claims: Record<string, unknown>, rules: ClaimCheckRules): string | undefined {
  try {
    checkClaims(claims, rules);
    return undefined;
  } catch (err) {
    if (!isServiceJwtError(err)) throw err;
    return err.code;
  }
}

function passes(rules: ClaimCheckRules, claims: Record<string, unknown>): boolean {
  const code = codeOf({ ...BASE, ...claims }, rules);
  if (code !== undefined && code !== 'claim_check_failed') throw new Error(`unexpected ${code}`);
  return code === undefined;
}

describe('equals rules compare deeply', () => {
  it('compares object members by value, not only their count', () => {
    const rules = { claims: { st: { equals: { v: true } } } };
    expect(passes(rules, { st: { v: true } })).toBe(true);
    expect(passes(rules, { st: { v: false } })).toBe(false);
    expect(passes(rules, { st: { w: true } })).toBe(false);
    expect(passes(rules, { st: { v: true, w: true } })).toBe(false);
    expect(passes(rules, { st: {} })).toBe(false);
  });

  it('tells arrays from objects with the same keys', () => {
    const rules = { claims: { list: { equals: ['a', 'b'] } } };
    expect(passes(rules, { list: ['a', 'b'] })).toBe(true);
    expect(passes(rules, { list: { 0: 'a', 1: 'b' } })).toBe(false);
    expect(passes(rules, { list: ['b', 'a'] })).toBe(false);
    expect(passes(rules, { list: ['a'] })).toBe(false);
    const objectRule = { claims: { list: { equals: { 0: 'a', 1: 'b' } } } };
    expect(passes(objectRule, { list: ['a', 'b'] })).toBe(false);
  });

  it('compares nested values and refuses null, missing and other types', () => {
    const rules = { claims: { m: { equals: { a: [1, { b: null }] } } } };
    expect(passes(rules, { m: { a: [1, { b: null }] } })).toBe(true);
    expect(passes(rules, { m: { a: [1, { b: 0 }] } })).toBe(false);
    expect(passes(rules, { m: { a: [1, {}] } })).toBe(false);
    expect(passes(rules, { m: null })).toBe(false);
    expect(passes(rules, {})).toBe(false);
    expect(passes(rules, { m: 'a' })).toBe(false);
    expect(passes({ claims: { m: { equals: null } } }, { m: null })).toBe(true);
    expect(passes({ claims: { m: { equals: null } } }, { m: {} })).toBe(false);
    expect(passes({ claims: { m: { equals: 1 } } }, { m: '1' })).toBe(false);
  });

  it('never takes a primitive for an object with the same keys', () => {
    // Object.keys(5) and Object.keys({}) are both empty; Object.keys('ab') is ['0', '1'].
    for (const value of [5, true, '', 'ab']) {
      expect(passes({ claims: { m: { equals: {} } } }, { m: value })).toBe(false);
      expect(passes({ claims: { m: { equals: { 0: 'a', 1: 'b' } } } }, { m: value })).toBe(false);
      expect(passes({ claims: { m: { equals: value } } }, { m: {} })).toBe(false);
    }
    expect(passes({ claims: { m: { equals: {} } } }, { m: {} })).toBe(true);
  });

  it('matches members by name, even when both values are undefined', () => {
    const rules = { claims: { st: { equals: { w: undefined } } } };
    expect(passes(rules, { st: { w: undefined } })).toBe(true);
    expect(passes(rules, { st: { v: undefined } })).toBe(false);
  });
});

describe('includes rules need every listed item', () => {
  it('on a space-separated string (OAuth scope)', () => {
    const rules = { claims: { scope: { includes: ['read', 'write'] } } };
    expect(passes(rules, { scope: 'write read' })).toBe(true);
    expect(passes(rules, { scope: 'read' })).toBe(false);
    expect(passes(rules, { scope: 'write' })).toBe(false);
    expect(passes(rules, { scope: 'read-write' })).toBe(false);
  });

  it('on a list', () => {
    const rules = { claims: { roles: { includes: ['a', 'b'] } } };
    expect(passes(rules, { roles: ['b', 'c', 'a'] })).toBe(true);
    expect(passes(rules, { roles: ['a'] })).toBe(false);
    expect(passes(rules, { roles: ['b'] })).toBe(false);
    expect(passes(rules, { roles: { 0: 'a', 1: 'b', length: 2 } })).toBe(false);
    expect(passes(rules, {})).toBe(false);
  });

  it('a single string is one item', () => {
    const rules = { claims: { roles: { includes: 'admin' } } };
    expect(passes(rules, { roles: ['admin'] })).toBe(true);
    expect(passes(rules, { roles: 'admin ops' })).toBe(true);
    expect(passes(rules, { roles: ['admin-ish'] })).toBe(false);
  });
});

describe('oneOf, plain values and predicates', () => {
  it('oneOf compares each option deeply', () => {
    const rules = { claims: { r: { oneOf: ['eu', { zone: 'us' }] } } };
    expect(passes(rules, { r: 'eu' })).toBe(true);
    expect(passes(rules, { r: { zone: 'us' } })).toBe(true);
    expect(passes(rules, { r: { zone: 'eu' } })).toBe(false);
    expect(passes(rules, { r: 'us' })).toBe(false);
  });

  it('a plain value is compared strictly', () => {
    expect(passes({ claims: { n: 3 } }, { n: 3 })).toBe(true);
    expect(passes({ claims: { n: 3 } }, { n: '3' })).toBe(false);
    expect(passes({ claims: { b: false } }, { b: false })).toBe(true);
    expect(passes({ claims: { b: false } }, { b: 0 })).toBe(false);
  });

  it('a predicate must return exactly true, and sees all the claims', () => {
    const seen: unknown[] = [];
    const rules = {
      claims: {
        t: (value: unknown, claims: Readonly<Record<string, unknown>>) => {
          seen.push(claims.sub);
          return value as boolean;
        },
      },
    };
    expect(passes(rules, { t: true })).toBe(true);
    expect(passes(rules, { t: 1 })).toBe(false);
    expect(passes(rules, { t: 'yes' })).toBe(false);
    expect(seen).toEqual(['orders', 'orders', 'orders']);
  });

  it('every rule runs, not only the first', () => {
    const rules = { claims: { a: 1, b: 2 } };
    expect(passes(rules, { a: 1, b: 2 })).toBe(true);
    expect(passes(rules, { a: 1, b: 3 })).toBe(false);
    expect(passes(rules, { a: 0, b: 2 })).toBe(false);
  });
});

describe('checks run in the documented order, and only the configured ones', () => {
  it('source, then required claims, then claim rules, then callers', () => {
    const rules: ClaimCheckRules = {
      requiredClaims: ['tenant'],
      claims: { tier: 'gold' },
      callers: { subjects: ['billing'] },
    };
    const claims = { ...BASE, tenant: 't', tier: 'gold', sub: 'billing' };
    expect(codeOf(claims, rules)).toBeUndefined();
    expect(codeOf({ ...claims, source: 'user', tenant: undefined }, rules)).toBe('source_mismatch');
    expect(codeOf({ ...claims, tenant: undefined, tier: 'x' }, rules)).toBe('claim_missing');
    expect(codeOf({ ...claims, tier: 'x', sub: 'x' }, rules)).toBe('claim_check_failed');
    expect(codeOf({ ...claims, sub: 'x' }, rules)).toBe('caller_not_allowed');
  });

  it('the default source check alone, or nothing at all with source: false', () => {
    expect(codeOf({ ...BASE, source: 'user' }, {})).toBe('source_mismatch');
    expect(codeOf({ ...BASE, source: 'microservice' }, {})).toBeUndefined();
    const none = createClaimsCheck({ source: false, claims: {}, callers: {} });
    expect(() => none({})).not.toThrow();
    expect(() => createClaimsCheck()({ source: 'user' })).toThrow(
      expect.objectContaining({ code: 'source_mismatch' }),
    );
  });

  it('a custom source claim with several accepted values', () => {
    const rules = { source: { claim: 'kind', value: ['svc', 'batch'] } };
    expect(codeOf({ kind: 'batch' }, rules)).toBeUndefined();
    expect(codeOf({ kind: 'svc' }, rules)).toBeUndefined();
    expect(codeOf({ kind: 'user', source: 'microservice' }, rules)).toBe('source_mismatch');
    expect(codeOf({ kind: ['svc'] }, rules)).toBe('source_mismatch');
    expect(codeOf({ kind: 'x' }, { source: { value: 'x' } })).toBe('source_mismatch');
  });

  it('callers by issuer and by subject; an empty list allows everyone', () => {
    const both = { callers: { issuers: [BASE.iss], subjects: ['orders', 'billing'] } };
    expect(codeOf(BASE, both)).toBeUndefined();
    expect(codeOf({ ...BASE, iss: 'https://other.test' }, both)).toBe('caller_not_allowed');
    expect(codeOf({ ...BASE, sub: 'x' }, both)).toBe('caller_not_allowed');
    expect(codeOf({ ...BASE, sub: undefined }, both)).toBe('caller_not_allowed');
    expect(
      codeOf({ ...BASE, sub: 'x' }, { callers: { issuers: [], subjects: [] } }),
    ).toBeUndefined();
  });
});

describe('invalid rules are configuration errors naming the option', () => {
  function configError(rules: unknown, prefix = ''): string {
    try {
      compileClaimsCheck(rules as ClaimCheckRules, prefix);
    } catch (err) {
      if (!isServiceJwtError(err)) throw err;
      expect(err.code).toBe('configuration_error');
      expect(err.status).toBe(500);
      return err.message;
    }
    throw new Error('expected a configuration error');
  }

  it.each([
    ['claims.n', { claims: { n: Number.POSITIVE_INFINITY } }],
    ['claims.n', { claims: { n: Number.NaN } }],
    ['claims.n', { claims: { n: null } }],
    ['claims.n', { claims: { n: undefined } }],
    ['claims.n', { claims: { n: 1n } }],
    ['claims.n', { claims: { n: {} } }],
    ['claims.n', { claims: { n: { equals: 1, oneOf: [1] } } }],
    ['claims.n', { claims: { n: { nope: 1 } } }],
    ['claims.n.includes', { claims: { n: { includes: '' } } }],
    ['claims.n.includes', { claims: { n: { includes: [] } } }],
    ['claims.n.includes', { claims: { n: { includes: ['a', ''] } } }],
    ['claims.n.includes', { claims: { n: { includes: [1] } } }],
    ['claims.n.oneOf', { claims: { n: { oneOf: [] } } }],
    ['claims.n.oneOf', { claims: { n: { oneOf: 'a' } } }],
    ['claims', { claims: null }],
    ['claims', { claims: 'tier' }],
    ['source', { source: 'microservice' }],
    ['source', { source: null }],
    ['source', { source: 5 }],
    ['source', { source: true }],
    ['source.extra', { source: { extra: 1 } }],
    ['source.claim', { source: { claim: '' } }],
    ['source.claim', { source: { claim: 1 } }],
    ['source.value', { source: { value: [] } }],
    ['source.value', { source: { value: [''] } }],
    ['source.value', { source: { value: 5 } }],
    ['requiredClaims', { requiredClaims: 'sub' }],
    ['requiredClaims', { requiredClaims: [''] }],
    ['callers', { callers: null }],
    ['callers', { callers: 'x' }],
    ['callers', { callers: 5 }],
    ['callers.bogus', { callers: { bogus: [] } }],
    ['callers.issuers', { callers: { issuers: 'x' } }],
    ['callers.subjects', { callers: { subjects: [1] } }],
  ])('%s', (name, rules) => {
    // The message starts with the option's path, prefixed for route overrides.
    expect(configError(rules)).toMatch(new RegExp(`^${name.replaceAll('.', '\\.')} `));
    expect(configError(rules, 'forRoute ')).toMatch(
      new RegExp(`^forRoute ${name.replaceAll('.', '\\.')} `),
    );
  });

  it('top-level rules name their options without a prefix', () => {
    for (const check of [
      createClaimsCheck,
      (rules: ClaimCheckRules) => compileClaimsCheck(rules),
    ]) {
      expect(() => check({ claims: { n: Number.NaN } })).toThrow(
        expect.objectContaining({
          code: 'configuration_error',
          message: expect.stringMatching(/^claims\.n /),
        }),
      );
    }
  });

  it('createClaimsCheck refuses rules that are not an object', () => {
    for (const rules of [null, [], 'x']) {
      expect(() => createClaimsCheck(rules as never)).toThrow(
        expect.objectContaining({
          code: 'configuration_error',
          message: expect.stringContaining('rules'),
        }),
      );
    }
  });
});
