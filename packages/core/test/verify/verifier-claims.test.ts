import {
  type ClaimCheckRules,
  createClaimsCheck,
  createVerifier,
  type ServiceJwtError,
} from '@service-jwt/core';

const checkClaims = (claims: Record<string, unknown>, rules?: ClaimCheckRules) =>
  createClaimsCheck(rules)(claims);

import {
  AUDIENCE,
  claimsAt,
  expectCode,
  ISSUER,
  issuerConfig,
  makeKey,
  mint,
  NOW,
  NOW_MS,
  verifierFor,
} from '../fixtures.js';

const key = makeKey('ES256');

describe('verifyToken: registered claims', () => {
  const verifier = verifierFor(key, { clockTolerance: 5 });

  it('accepts a valid service token and hands out frozen claims without a prototype', async () => {
    const token = mint(key, claimsAt({ roles: ['a'], nested: { deep: { x: 1 } } }));
    const result = await verifier.verifyToken(token);
    expect(result.token).toBe(token);
    expect(result.issuer).toBe(ISSUER);
    expect(result.subject).toBe('orders');
    expect(result.header.alg).toBe('ES256');
    expect(Object.getPrototypeOf(result.claims)).toBeNull();
    expect(Object.getPrototypeOf(result.header)).toBeNull();
    expect(Object.isFrozen(result.claims)).toBe(true);
    expect(Object.isFrozen(result.header)).toBe(true);
    expect(Object.isFrozen(result.claims.roles)).toBe(true);
    expect(Object.isFrozen((result.claims.nested as { deep: object }).deep)).toBe(true);
    expect(Object.getPrototypeOf(result.claims.nested)).toBeNull();
  });

  it.each([
    ['exactly at exp + tolerance', NOW - 5, 'token_expired'],
    ['one second before exp + tolerance', NOW - 4, null],
    ['long expired', NOW - 3600, 'token_expired'],
  ] as const)('exp %s', async (_, exp, code) => {
    const token = mint(key, claimsAt({ exp, iat: NOW - 3600 }));
    if (code === null) await expect(verifier.verifyToken(token)).resolves.toBeDefined();
    else await expectCode(verifier.verifyToken(token), code);
  });

  it.each([
    ['nbf within the tolerance', { nbf: NOW + 5 }, null],
    ['nbf beyond the tolerance', { nbf: NOW + 6 }, 'token_not_yet_valid'],
    ['iat within the tolerance', { iat: NOW + 5 }, null],
    ['iat in the future beyond the tolerance', { iat: NOW + 6 }, 'token_not_yet_valid'],
  ] as const)('%s', async (_, claims, code) => {
    const token = mint(key, claimsAt(claims));
    if (code === null) await expect(verifier.verifyToken(token)).resolves.toBeDefined();
    else await expectCode(verifier.verifyToken(token), code);
  });

  it('requires exp by default and allows opting out', async () => {
    const token = mint(key, claimsAt({ exp: undefined }));
    await expectCode(verifier.verifyToken(token), 'claim_missing');
    const lenient = verifierFor(key, { requireExpiration: false });
    await expect(lenient.verifyToken(token)).resolves.toBeDefined();
  });

  it.each([
    ['exp as a string', { exp: String(NOW + 60) }],
    ['nbf as null', { nbf: null }],
    ['iat as an object', { iat: {} }],
    ['iss as a number', { iss: 42 }],
    ['sub as a list', { sub: ['a'] }],
    ['aud as a list with a number', { aud: [AUDIENCE, 1] }],
  ])('refuses %s as malformed', async (_, claims) => {
    await expectCode(verifier.verifyToken(mint(key, claimsAt(claims))), 'token_malformed');
  });

  it('refuses an exp of 1e400 (not finite once parsed)', async () => {
    const text = JSON.stringify(claimsAt({ exp: 0 })).replace('"exp":0', '"exp":1e400');
    await expectCode(verifier.verifyToken(mint(key, text)), 'token_malformed');
  });

  it('enforces maxTokenAge (iat required then) and maxLifetime', async () => {
    const aged = verifierFor(key, { maxTokenAge: 60, maxLifetime: 600 });
    await expect(aged.verifyToken(mint(key, claimsAt({ iat: NOW - 65 })))).resolves.toBeDefined();
    await expectCode(aged.verifyToken(mint(key, claimsAt({ iat: NOW - 66 }))), 'token_too_old');
    await expectCode(aged.verifyToken(mint(key, claimsAt({ iat: undefined }))), 'claim_missing');
    const long = claimsAt({ iat: NOW - 1, exp: NOW + 700 });
    await expectCode(aged.verifyToken(mint(key, long)), 'token_too_old');
  });

  it('checks aud as a string and as a list, and allows an explicit opt-out', async () => {
    await expect(
      verifier.verifyToken(mint(key, claimsAt({ aud: ['x', AUDIENCE] }))),
    ).resolves.toBeDefined();
    await expectCode(
      verifier.verifyToken(mint(key, claimsAt({ aud: 'https://other.test' }))),
      'audience_mismatch',
    );
    await expectCode(
      verifier.verifyToken(mint(key, claimsAt({ aud: ['x', 'y'] }))),
      'audience_mismatch',
    );
    await expectCode(verifier.verifyToken(mint(key, claimsAt({ aud: [] }))), 'audience_mismatch');
    await expectCode(
      verifier.verifyToken(mint(key, claimsAt({ aud: undefined }))),
      'claim_missing',
    );
    const open = verifier.forRoute({ audience: null });
    await expect(open.verifyToken(mint(key, claimsAt({ aud: undefined })))).resolves.toBeDefined();
    const other = verifier.forRoute({ audience: ['https://a.test', 'https://b.test'] });
    await expect(
      other.verifyToken(mint(key, claimsAt({ aud: 'https://b.test' }))),
    ).resolves.toBeDefined();
    await expectCode(other.verifyToken(mint(key, claimsAt())), 'audience_mismatch');
  });

  it('checks typ when configured (case-insensitive, application/ prefix optional)', async () => {
    const typed = verifierFor(key, { typ: 'service+jwt' });
    const ok = mint(key, claimsAt(), { typ: 'application/Service+JWT' });
    await expect(typed.verifyToken(ok)).resolves.toBeDefined();
    await expectCode(typed.verifyToken(mint(key, claimsAt(), { typ: 'JWT' })), 'token_malformed');
    await expectCode(typed.verifyToken(mint(key, claimsAt())), 'token_malformed');
  });
});

describe('verifyToken: source, required claims, claim rules, callers', () => {
  const verifier = verifierFor(key);

  it.each([
    ['missing', { source: undefined }],
    ['of the wrong type', { source: ['microservice'] }],
    ['of the wrong value', { source: 'user' }],
  ])('refuses a source claim %s with 403', async (_, claims) => {
    await expectCode(verifier.verifyToken(mint(key, claimsAt(claims))), 'source_mismatch');
  });

  it('honours a custom source claim and value, and source: false', async () => {
    const custom = verifier.forRoute({ source: { claim: 'kind', value: ['svc', 'batch'] } });
    await expect(custom.verifyToken(mint(key, claimsAt({ kind: 'batch' })))).resolves.toBeDefined();
    await expectCode(custom.verifyToken(mint(key, claimsAt())), 'source_mismatch');
    const none = verifier.forRoute({ source: false });
    await expect(none.verifyToken(mint(key, claimsAt({ source: 'user' })))).resolves.toBeDefined();
  });

  it('requires configured claims', async () => {
    const route = verifier.forRoute({ requiredClaims: ['tenant'] });
    await expectCode(route.verifyToken(mint(key, claimsAt())), 'claim_missing');
    await expect(route.verifyToken(mint(key, claimsAt({ tenant: 't1' })))).resolves.toBeDefined();
  });

  it('applies claim rules: value, equals, includes, oneOf, predicate', async () => {
    const route = verifier.forRoute({
      claims: {
        tier: 'gold',
        meta: { equals: { a: [1, 2] } },
        scope: { includes: ['read', 'write'] },
        roles: { includes: 'admin' },
        region: { oneOf: ['eu', 'us'] },
        'st-ev': (value) => (value as { v?: unknown } | undefined)?.v === true,
      },
    });
    const good = {
      tier: 'gold',
      meta: { a: [1, 2] },
      scope: 'read write delete',
      roles: ['admin', 'ops'],
      region: 'eu',
      'st-ev': { v: true },
    };
    await expect(route.verifyToken(mint(key, claimsAt(good)))).resolves.toBeDefined();
    for (const bad of [
      { tier: 'silver' },
      { meta: { a: [1, 2], b: 1 } },
      { scope: 'read' },
      { roles: 'admin-ish' },
      { region: 'asia' },
      { 'st-ev': { v: false } },
    ]) {
      await expectCode(
        route.verifyToken(mint(key, claimsAt({ ...good, ...bad }))),
        'claim_check_failed',
      );
    }
  });

  it('restricts callers by issuer and subject', async () => {
    const route = verifier.forRoute({ callers: { subjects: ['billing'] } });
    await expectCode(route.verifyToken(mint(key, claimsAt())), 'caller_not_allowed');
    await expect(route.verifyToken(mint(key, claimsAt({ sub: 'billing' })))).resolves.toBeDefined();
    const byIssuer = verifier.forRoute({ callers: { issuers: ['https://elsewhere.test'] } });
    await expectCode(byIssuer.verifyToken(mint(key, claimsAt())), 'caller_not_allowed');
  });

  it('a predicate that throws is a server fault, not a 401', async () => {
    const route = verifier.forRoute({
      claims: {
        tier: () => {
          throw new Error('bug in the app');
        },
      },
    });
    const err = await expectCode(route.verifyToken(mint(key, claimsAt())), 'configuration_error');
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('verifyToken overrides apply per call', async () => {
    const token = mint(key, claimsAt({ aud: 'https://x.test' }));
    await expect(
      verifier.verifyToken(token, { audience: 'https://x.test' }),
    ).resolves.toBeDefined();
    await expectCode(verifier.verifyToken(token), 'audience_mismatch');
  });
});

describe('createClaimsCheck on already-verified claims', () => {
  const claims = { iss: ISSUER, sub: 'u1', source: 'microservice', 'st-ev': { v: true } };

  it('passes and fails like the verifier', () => {
    expect(() =>
      checkClaims(claims, { claims: { 'st-ev': { equals: { v: true } } } }),
    ).not.toThrow();
    const codeOf = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        return (err as ServiceJwtError).code;
      }
      return undefined;
    };
    expect(codeOf(() => checkClaims({ ...claims, source: 'user' }))).toBe('source_mismatch');
    expect(codeOf(() => checkClaims(claims, { requiredClaims: ['email'] }))).toBe('claim_missing');
    expect(codeOf(() => checkClaims(claims, { claims: { sub: 'u2' } }))).toBe('claim_check_failed');
    expect(codeOf(() => checkClaims(claims, { callers: { issuers: ['https://x'] } }))).toBe(
      'caller_not_allowed',
    );
    expect(codeOf(() => checkClaims(claims, { claims: { sub: { nope: 1 } as never } }))).toBe(
      'configuration_error',
    );
  });
});

describe('createVerifier options', () => {
  const base = { issuers: { [ISSUER]: issuerConfig(key) }, audience: AUDIENCE };
  const messageOf = (options: unknown): string => {
    try {
      createVerifier(options as never);
    } catch (err) {
      expect((err as ServiceJwtError).code).toBe('configuration_error');
      expect((err as ServiceJwtError).status).toBe(500);
      return (err as Error).message;
    }
    throw new Error('expected a configuration error');
  };

  it.each([
    ['audience', { ...base, audience: undefined }],
    ['audince', { ...base, audince: 'x' }],
    ['issuers', { ...base, issuers: {} }],
    ['algorithms', { ...base, algorithms: ['none'] }],
    ['algorithms', { ...base, algorithms: ['HS256'] }],
    [
      'issuer algorithms',
      { ...base, issuers: { [ISSUER]: { ...issuerConfig(key), algorithms: ['HS256'] } } },
    ],
    ['clockTolerance', { ...base, clockTolerance: -1 }],
    ['maxTokenAge', { ...base, maxTokenAge: Number.NaN }],
    ['maxLifetime', { ...base, maxLifetime: 0 }],
    ['maxTokenLength', { ...base, maxTokenLength: 1.5 }],
    ['bodyHash.algorithm', { ...base, bodyHash: { algorithm: 'md5-hex' } }],
    ['bodyHash.algorithm', { ...base, bodyHash: { algorithm: 'crc32' } }],
    ['bodyHash.maxBodyBytes', { ...base, bodyHash: { maxBodyBytes: -1 } }],
    ['requestBinding.mountPrefix', { ...base, requestBinding: { mountPrefix: 'api' } }],
    ['replay', { ...base, replay: {} }],
    ['revocation', { ...base, revocation: { check: 1 } }],
    ['cache.maxEntries', { ...base, cache: { maxEntries: 0 } }],
    ['token.header', { ...base, token: { header: 'bad header' } }],
    // A `/` is token68, not an auth-scheme character: no request could ever match it.
    ['token.scheme', { ...base, token: { scheme: 'Bearer/1' } }],
    ['source.value', { ...base, source: { value: [] } }],
    ['claims.a', { ...base, claims: { a: { equals: 1, oneOf: [1] } } }],
    ['callers.subjects', { ...base, callers: { subjects: 'x' } }],
    ['requiredClaims', { ...base, requiredClaims: 'sub' }],
    ['typ', { ...base, typ: '' }],
    ['now', { ...base, now: 5 }],
  ])('refuses a bad %s option, naming it', (name, options) => {
    expect(messageOf(options)).toContain(name.replace('issuer ', ''));
  });

  it('accepts md5-hex with the legacy opt-in, and replay as { store, required }', () => {
    expect(() =>
      createVerifier({ ...base, bodyHash: { algorithm: 'md5-hex', allowLegacyMd5: true } }),
    ).not.toThrow();
    const store = { claim: async () => true };
    expect(() => createVerifier({ ...base, replay: { store, required: false } })).not.toThrow();
  });

  it('forRoute validates its overrides and names them', () => {
    const verifier = createVerifier(base);
    expect(() => verifier.forRoute({ issuers: {} } as never)).toThrow(/issuers/);
    expect(() => verifier.forRoute({ audience: '' })).toThrow(/forRoute: audience/);
    expect(() => verifier.forRoute({ maxTokenAge: -5 })).toThrow(/maxTokenAge/);
  });

  it('uses the injected clock', async () => {
    const token = mint(key, claimsAt());
    const later = createVerifier({ ...base, now: () => NOW_MS + 3_600_000 });
    await expectCode(later.verifyToken(token), 'token_expired');
  });
});
