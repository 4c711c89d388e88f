import { isServiceJwtError } from '../../src/errors/service-jwt-error.js';
import type { JsonObject } from '../../src/jws/token-syntax.js';
import {
  checkClaimTypes,
  checkRegisteredClaims,
  normalizeTyp,
  type RegisteredClaimsPolicy,
} from '../../src/verify/claims.js';
import { claimsAt, expectCode, makeKey, mint, NOW, verifierFor } from '../fixtures.js';

// The registered-claim checks at their edges: each bound exactly at and one past its limit,
// each claim that a policy makes mandatory left out under that policy alone.
const key = makeKey('ES256');

const POLICY: RegisteredClaimsPolicy = {
  clockTolerance: 0,
  requireExpiration: true,
  maxTokenAge: undefined,
  maxLifetime: undefined,
  audiences: null,
  typ: undefined,
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!isServiceJwtError(err)) throw err;
    return err.code;
  }
}

function registered(
  claims: Record<string, unknown>,
  policy: Partial<RegisteredClaimsPolicy> = {},
  header: Record<string, unknown> = {},
): string | undefined {
  return codeOf(() =>
    checkRegisteredClaims(
      header as JsonObject,
      claims as JsonObject,
      { ...POLICY, ...policy },
      NOW,
    ),
  );
}

describe('iat is required by maxTokenAge or maxLifetime, each on its own', () => {
  it('maxTokenAge alone: a token without iat is refused through the verifier', async () => {
    const verifier = verifierFor(key, { maxTokenAge: 60 });
    await expectCode(
      verifier.verifyToken(mint(key, claimsAt({ iat: undefined }))),
      'claim_missing',
    );
    await expect(verifier.verifyToken(mint(key, claimsAt()))).resolves.toMatchObject({
      subject: 'orders',
    });
  });

  it('maxLifetime alone: a token without iat is refused through the verifier', async () => {
    const verifier = verifierFor(key, { maxLifetime: 600 });
    await expectCode(
      verifier.verifyToken(mint(key, claimsAt({ iat: undefined }))),
      'claim_missing',
    );
    await expect(verifier.verifyToken(mint(key, claimsAt()))).resolves.toMatchObject({
      subject: 'orders',
    });
  });

  it('maxLifetime needs exp even when expiration is otherwise optional', () => {
    const policy = { requireExpiration: false, maxLifetime: 600 };
    expect(registered({ iat: NOW }, policy)).toBe('claim_missing');
    expect(registered({ iat: NOW, exp: NOW + 600 }, policy)).toBeUndefined();
    expect(registered({ iat: NOW, exp: NOW + 601 }, policy)).toBe('token_too_old');
    expect(registered({ iat: NOW }, { requireExpiration: false })).toBeUndefined();
  });
});

describe('time bounds, exactly at the limit and one past it', () => {
  it('exp: expired from exp + tolerance on', () => {
    expect(registered({ exp: NOW + 1 })).toBeUndefined();
    expect(registered({ exp: NOW })).toBe('token_expired');
    expect(registered({ exp: NOW - 2 }, { clockTolerance: 3 })).toBeUndefined();
    expect(registered({ exp: NOW - 3 }, { clockTolerance: 3 })).toBe('token_expired');
    expect(registered({})).toBe('claim_missing');
  });

  it('nbf and iat: not in the future beyond the tolerance', () => {
    const exp = NOW + 60;
    expect(registered({ exp, nbf: NOW })).toBeUndefined();
    expect(registered({ exp, nbf: NOW + 1 })).toBe('token_not_yet_valid');
    expect(registered({ exp, nbf: NOW + 3 }, { clockTolerance: 3 })).toBeUndefined();
    expect(registered({ exp, iat: NOW })).toBeUndefined();
    expect(registered({ exp, iat: NOW + 1 })).toBe('token_not_yet_valid');
    expect(registered({ exp, iat: NOW + 3 }, { clockTolerance: 3 })).toBeUndefined();
    expect(registered({ exp, iat: NOW + 4 }, { clockTolerance: 3 })).toBe('token_not_yet_valid');
  });

  it('maxTokenAge: age up to the limit plus tolerance', () => {
    const exp = NOW + 60;
    expect(registered({ exp, iat: NOW - 60 }, { maxTokenAge: 60 })).toBeUndefined();
    expect(registered({ exp, iat: NOW - 61 }, { maxTokenAge: 60 })).toBe('token_too_old');
    const tolerant = { maxTokenAge: 60, clockTolerance: 5 };
    expect(registered({ exp, iat: NOW - 65 }, tolerant)).toBeUndefined();
    expect(registered({ exp, iat: NOW - 66 }, tolerant)).toBe('token_too_old');
  });

  it('maxLifetime: exp - iat up to the limit, tolerance not added', () => {
    const policy = { maxLifetime: 600, clockTolerance: 5 };
    expect(registered({ iat: NOW - 10, exp: NOW + 590 }, policy)).toBeUndefined();
    expect(registered({ iat: NOW - 10, exp: NOW + 591 }, policy)).toBe('token_too_old');
  });
});

describe('audience and typ', () => {
  const audiences = new Set(['https://a.test', 'https://b.test']);
  const exp = NOW + 60;

  it('accepts any listed audience in a string or a list, refuses others and none', () => {
    expect(registered({ exp, aud: 'https://b.test' }, { audiences })).toBeUndefined();
    expect(registered({ exp, aud: ['x', 'https://a.test'] }, { audiences })).toBeUndefined();
    expect(registered({ exp, aud: ['https://a.test', 'x'] }, { audiences })).toBeUndefined();
    expect(registered({ exp, aud: ['x', 'y'] }, { audiences })).toBe('audience_mismatch');
    expect(registered({ exp, aud: [] }, { audiences })).toBe('audience_mismatch');
    expect(registered({ exp, aud: 'x' }, { audiences })).toBe('audience_mismatch');
    expect(registered({ exp }, { audiences })).toBe('claim_missing');
    expect(registered({ exp, aud: 'x' }, { audiences: null })).toBeUndefined();
  });

  it('typ: normalised compare, refused when absent or not a string', () => {
    const policy = { typ: 'service+jwt' };
    expect(registered({ exp }, policy, { typ: 'application/service+JWT' })).toBeUndefined();
    expect(registered({ exp }, policy, { typ: 'jwt' })).toBe('token_malformed');
    expect(registered({ exp }, policy, {})).toBe('token_malformed');
    expect(registered({ exp }, policy, { typ: ['service+jwt'] })).toBe('token_malformed');
    expect(registered({ exp }, {}, { typ: 'anything' })).toBeUndefined();
  });

  it('normalizeTyp drops only a leading application/ of a two-part media type', () => {
    expect(normalizeTyp('Application/JWT')).toBe('jwt');
    expect(normalizeTyp('JWT')).toBe('jwt');
    expect(normalizeTyp('application/a/b')).toBe('application/a/b');
    expect(normalizeTyp('text/application/jwt')).toBe('text/application/jwt');
    expect(normalizeTyp('application/')).toBe('');
  });
});

describe('jti: a string of 1 to 128 characters', () => {
  it('accepts 1 and 128 characters and refuses empty and 129 through the verifier', async () => {
    const verifier = verifierFor(key);
    for (const jti of ['j', 'j'.repeat(128)]) {
      await expect(verifier.verifyToken(mint(key, claimsAt({ jti })))).resolves.toMatchObject({
        claims: { jti },
      });
    }
    for (const jti of ['', 'j'.repeat(129)]) {
      await expectCode(verifier.verifyToken(mint(key, claimsAt({ jti }))), 'token_malformed');
    }
  });
});

describe('checkClaimTypes', () => {
  const types = (claims: Record<string, unknown>) =>
    codeOf(() => checkClaimTypes(claims as JsonObject));

  it('returns iss and needs it', () => {
    expect(checkClaimTypes({ iss: 'https://i.test' } as JsonObject)).toBe('https://i.test');
    expect(types({})).toBe('claim_missing');
    expect(types({ sub: 's' })).toBe('claim_missing');
  });

  it.each([
    ['exp', '1'],
    ['nbf', null],
    ['iat', Number.POSITIVE_INFINITY],
    ['exp', Number.NaN],
    ['iss', 1],
    ['sub', ['s']],
    ['jti', 2],
    ['aud', 3],
    ['aud', ['a', 1]],
    ['aud', { 0: 'a' }],
  ])('refuses %s = %p as malformed, before asking for iss', (name, value) => {
    expect(types({ [name]: value })).toBe('token_malformed');
    expect(types({ iss: 'i', [name]: value })).toBe('token_malformed');
  });

  it('accepts well-typed claims', () => {
    const claims = { iss: 'i', sub: 's', jti: 'j', exp: 1.5, nbf: -1, iat: 0, aud: ['a', 'b'] };
    expect(types(claims)).toBeUndefined();
    expect(types({ iss: 'i', aud: 'a' })).toBeUndefined();
    expect(types({ iss: 'i', aud: [] })).toBeUndefined();
  });
});
