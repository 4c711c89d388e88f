import {
  createVerifier,
  type ServiceJwtErrorCode,
  type VerifiedServiceJwt,
} from '@service-jwt/core';
import { serveJwks } from '@service-jwt/testing';
import {
  AUDIENCE,
  b64,
  expectCode,
  issuerConfig,
  makeKey,
  mint,
  NOW,
  NOW_MS,
} from '../fixtures.js';
import {
  ISSUER,
  mintTxn,
  sha256,
  TOKEN_SERVICE,
  TRUST_DOMAIN,
  txnClaimsAt,
  txnVerifierFor,
  withTxn,
} from './txn-fixtures.js';

const serviceKey = makeKey('ES256', 'service-1');
const txnKey = makeKey('EdDSA', 'txn-1');
const verifier = txnVerifierFor(serviceKey, txnKey);
const requireRoute = verifier.forRoute({ transactionToken: 'require' });

afterAll(() => verifier.close());

describe('a route that reads Txn-Tokens', () => {
  it('attaches the verified Txn-Token beside the service token', async () => {
    const token = mintTxn(txnKey);
    const verified = await requireRoute.verify(withTxn(serviceKey, token));
    const transaction = verified.transaction;
    expect(verified.issuer).toBe(ISSUER);
    expect(transaction).toBeDefined();
    expect(transaction?.token).toBe(token);
    expect(transaction?.hash).toBe(sha256(token));
    expect(transaction?.txn).toBe(txnClaimsAt().txn);
    expect(transaction?.subject).toBe('user-42');
    expect(transaction?.scopes).toEqual(['orders:read', 'orders:write']);
    expect(transaction?.issuer).toBe(TOKEN_SERVICE);
    expect(transaction?.claims.tctx).toEqual({ region: 'eu', amount: 120 });
    expect(Object.isFrozen(transaction)).toBe(true);
    expect(Object.isFrozen(transaction?.claims)).toBe(true);
    expect(Object.isFrozen(transaction?.claims.tctx)).toBe(true);
  });

  it('keeps the token text out of JSON and enumeration', async () => {
    const token = mintTxn(txnKey);
    const verified = await requireRoute.verify(withTxn(serviceKey, token));
    expect(Object.keys(verified.transaction ?? {})).not.toContain('token');
    expect(JSON.stringify(verified.transaction)).not.toContain(token.split('.')[2]);
    expect(JSON.stringify(verified.transaction)).toContain(sha256(token));
  });

  it("accepts a request without one by default ('accept') and attaches nothing", async () => {
    const verified: VerifiedServiceJwt = await verifier.verify(withTxn(serviceKey));
    expect(verified.issuer).toBe(ISSUER);
    expect('transaction' in verified).toBe(false);
  });

  it("verifies one when present on an 'accept' route", async () => {
    const token = mintTxn(txnKey);
    expect((await verifier.verify(withTxn(serviceKey, token))).transaction?.hash).toBe(
      sha256(token),
    );
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${mintTxn(makeKey('EdDSA')).split('.')[2]}`;
    await expectCode(verifier.verify(withTxn(serviceKey, forged)), 'txn_token_invalid');
  });

  it("does not read the header on an 'ignore' route", async () => {
    const ignoring = verifier.forRoute({ transactionToken: 'ignore' });
    const verified = await ignoring.verify(withTxn(serviceKey, 'not a token'));
    expect('transaction' in verified).toBe(false);
  });

  it('ignores Txn-Tokens on a verifier without transactionTokens', async () => {
    const plain = createVerifier({
      issuers: { [ISSUER]: { keys: [serviceKey.jwk as never] } },
      audience: AUDIENCE,
      now: () => NOW_MS,
    });
    const verified = await plain.verify(withTxn(serviceKey, mintTxn(txnKey)));
    expect('transaction' in verified).toBe(false);
  });

  it('checks no Txn-Token for a bare token (verifyToken has no request)', async () => {
    const verified = await requireRoute.verifyToken(mint(serviceKey));
    expect(verified.transaction).toBeUndefined();
  });

  it('applies claim rules to the Txn-Token claims and to tctx fields', async () => {
    const ruled = verifier.forRoute({
      transactionToken: {
        mode: 'require',
        claims: { scope: { includes: 'orders:write' }, sub: { oneOf: ['user-42'] } },
        context: { region: 'eu', amount: (value) => typeof value === 'number' && value < 500 },
      },
    });
    const accepted = await ruled.verify(withTxn(serviceKey, mintTxn(txnKey)));
    expect(accepted.transaction?.subject).toBe('user-42');
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ scope: 'orders:read' }, 'scope'],
      [{ sub: 'user-7' }, 'sub'],
      [{ tctx: { region: 'us', amount: 120 } }, 'tctx.region'],
      [{ tctx: { region: 'eu', amount: 900 } }, 'tctx.amount'],
      [{ tctx: undefined }, 'tctx.region'],
    ];
    for (const [overrides, claim] of refusals) {
      const err = await expectCode(
        ruled.verify(withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt(overrides)))),
        'txn_token_claim_check_failed',
      );
      expect(err.message).toContain(`"${claim}"`);
    }
  });

  it('keeps the verifier-wide rules when a route names only a mode', async () => {
    const scoped = txnVerifierFor(serviceKey, txnKey, {
      transactionToken: { mode: 'accept', claims: { scope: { includes: 'admin' } } },
    });
    await expectCode(
      scoped.forRoute({ transactionToken: 'require' }).verify(withTxn(serviceKey, mintTxn(txnKey))),
      'txn_token_claim_check_failed',
    );
    await expectCode(
      scoped.forRoute({ transactionToken: 'require' }).verify(withTxn(serviceKey)),
      'txn_token_missing',
    );
    await scoped.close();
  });
});

describe('every Txn-Token refusal has its own code', () => {
  const other = makeKey('EdDSA', 'txn-1');
  const cases: ReadonlyArray<[string, ServiceJwtErrorCode, () => Promise<unknown>]> = [
    [
      'no Txn-Token on a require route',
      'txn_token_missing',
      () => requireRoute.verify(withTxn(serviceKey)),
    ],
    [
      'an empty Txn-Token header',
      'txn_token_missing',
      () => requireRoute.verify(withTxn(serviceKey, '')),
    ],
    [
      'two Txn-Token headers',
      'txn_token_duplicated',
      () => requireRoute.verify(withTxn(serviceKey, [mintTxn(txnKey), mintTxn(txnKey)])),
    ],
    [
      'two Txn-Tokens joined by Node',
      'txn_token_duplicated',
      () => requireRoute.verify(withTxn(serviceKey, `${mintTxn(txnKey)}, ${mintTxn(txnKey)}`)),
    ],
    [
      'not a compact token',
      'txn_token_malformed',
      () => requireRoute.verify(withTxn(serviceKey, 'a.b')),
    ],
    [
      'an oversized Txn-Token',
      'txn_token_malformed',
      () => requireRoute.verify(withTxn(serviceKey, 'a'.repeat(9000))),
    ],
    [
      'typ JWT (a service token in the Txn-Token header)',
      'txn_token_malformed',
      () =>
        requireRoute.verify(withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt(), { typ: 'JWT' }))),
    ],
    [
      'typ in another case',
      'txn_token_malformed',
      () =>
        requireRoute.verify(
          withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt(), { typ: 'TxnToken+JWT' })),
        ),
    ],
    ...(['txn', 'sub', 'scope', 'req_wl', 'iat', 'exp'] as const).map(
      (claim) =>
        [
          `no ${claim}`,
          'txn_token_malformed',
          () =>
            requireRoute.verify(
              withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt({ [claim]: undefined }))),
            ),
        ] as [string, ServiceJwtErrorCode, () => Promise<unknown>],
    ),
    ...(
      [
        ['txn', 42],
        ['txn', 'x'.repeat(257)],
        ['sub', ''],
        ['scope', ['orders:read']],
        ['req_wl', null],
        ['exp', '9999999999'],
        ['tctx', 'eu'],
        ['tctx', ['eu']],
        ['rctx', null],
        ['aud', 7],
      ] as const
    ).map(
      ([claim, value]) =>
        [
          `${claim} ${JSON.stringify(value).slice(0, 20)}`,
          'txn_token_malformed',
          () =>
            requireRoute.verify(
              withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt({ [claim]: value }))),
            ),
        ] as [string, ServiceJwtErrorCode, () => Promise<unknown>],
    ),
    [
      'a token service nobody trusts',
      'txn_token_untrusted',
      () =>
        requireRoute.verify(
          withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt({ iss: 'https://rogue.test' }))),
        ),
    ],
    [
      'a service token issuer posing as token service',
      'txn_token_untrusted',
      () =>
        requireRoute.verify(withTxn(serviceKey, mintTxn(serviceKey, txnClaimsAt({ iss: ISSUER })))),
    ],
    [
      'a signature by another key',
      'txn_token_invalid',
      () => requireRoute.verify(withTxn(serviceKey, mintTxn(other))),
    ],
    [
      'an unknown kid',
      'txn_token_invalid',
      () =>
        requireRoute.verify(withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt(), { kid: 'nope' }))),
    ],
    [
      'alg none',
      'txn_token_invalid',
      () =>
        requireRoute.verify(
          withTxn(
            serviceKey,
            `${b64({ alg: 'none', typ: 'txntoken+jwt' })}.${b64(txnClaimsAt())}.AA`,
          ),
        ),
    ],
    [
      'expired',
      'txn_token_expired',
      () =>
        requireRoute.verify(
          withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt({ iat: NOW - 400, exp: NOW - 100 }))),
        ),
    ],
    [
      'issued in the future',
      'txn_token_not_yet_valid',
      () =>
        requireRoute.verify(
          withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt({ iat: NOW + 60, exp: NOW + 120 }))),
        ),
    ],
    [
      'nbf in the future',
      'txn_token_not_yet_valid',
      () =>
        requireRoute.verify(withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt({ nbf: NOW + 60 })))),
    ],
    [
      'a lifetime over the cap',
      'txn_token_lifetime_exceeded',
      () =>
        requireRoute.verify(
          withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt({ iat: NOW - 10, exp: NOW + 3600 }))),
        ),
    ],
    [
      'another trust domain',
      'txn_token_audience_mismatch',
      () =>
        requireRoute.verify(
          withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt({ aud: 'https://elsewhere.test' }))),
        ),
    ],
    [
      'no aud',
      'txn_token_audience_mismatch',
      () =>
        requireRoute.verify(withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt({ aud: undefined })))),
    ],
    [
      'a Txn-Token as the service credential',
      'txn_token_in_authorization',
      () =>
        requireRoute.verify({
          method: 'GET',
          url: '/',
          headers: { authorization: `Bearer ${mintTxn(serviceKey, txnClaimsAt({ iss: ISSUER }))}` },
        }),
    ],
    [
      'a Txn-Token as a bare token',
      'txn_token_in_authorization',
      () => verifier.verifyToken(mintTxn(txnKey)),
    ],
  ];

  it.each(cases)('%s → %s', async (_name, code, produce) => {
    await expectCode(produce(), code);
  });

  it('verifies a Txn-Token as its own token only on a verifier whose typ is txntoken+jwt', async () => {
    // The token service checks the Txn-Token a replacement names this way.
    const txnVerifier = createVerifier({
      issuers: { [TOKEN_SERVICE]: issuerConfig(txnKey) as never },
      audience: TRUST_DOMAIN,
      source: false,
      typ: 'txntoken+jwt',
      now: () => NOW_MS,
    });
    const verified = await txnVerifier.verifyToken(mintTxn(txnKey));
    expect(verified.claims.txn).toBe(txnClaimsAt().txn);
    const loose = createVerifier({
      issuers: { [TOKEN_SERVICE]: issuerConfig(txnKey) as never },
      audience: TRUST_DOMAIN,
      source: false,
      now: () => NOW_MS,
    });
    await expectCode(loose.verifyToken(mintTxn(txnKey)), 'txn_token_in_authorization');
    await Promise.all([txnVerifier.close(), loose.close()]);
  });

  it('accepts an aud list holding the trust domain', async () => {
    const token = mintTxn(txnKey, txnClaimsAt({ aud: ['https://other.test', TRUST_DOMAIN] }));
    expect((await requireRoute.verify(withTxn(serviceKey, token))).transaction?.hash).toBe(
      sha256(token),
    );
  });

  it('honours the clock tolerance and a configured lifetime cap', async () => {
    const lenient = txnVerifierFor(serviceKey, txnKey, { clockTolerance: 30 }, { maxLifetime: 60 });
    const route = lenient.forRoute({ transactionToken: 'require' });
    // Expired 20 s ago, within 30 s of tolerance.
    await route.verify(
      withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt({ iat: NOW - 50, exp: NOW - 20 }))),
    );
    await expectCode(
      route.verify(withTxn(serviceKey, mintTxn(txnKey, txnClaimsAt({ iat: NOW, exp: NOW + 61 })))),
      'txn_token_lifetime_exceeded',
    );
    await lenient.close();
  });
});

describe('the calling service must be a workload of the trust domain', () => {
  it('refuses a caller outside `workloads` when it sends a Txn-Token', async () => {
    const listed = txnVerifierFor(serviceKey, txnKey, {}, { workloads: ['https://gateway.test'] });
    await expectCode(listed.verify(withTxn(serviceKey, mintTxn(txnKey))), 'txn_workload_unknown');
    // Without a Txn-Token the rule has nothing to protect.
    expect((await listed.verify(withTxn(serviceKey))).issuer).toBe(ISSUER);
    await listed.close();
  });

  it("takes the verifier's trusted issuers by default", async () => {
    const listed = txnVerifierFor(serviceKey, txnKey, {}, { workloads: [ISSUER] });
    expect((await listed.verify(withTxn(serviceKey, mintTxn(txnKey)))).transaction).toBeDefined();
    await listed.close();
  });
});

describe("a token service's remote keys", () => {
  it('are fetched once, reported by ready() and health(), and 503 while unreachable', async () => {
    const server = await serveJwks({ keys: [txnKey.jwk as never] });
    const remote = txnVerifierFor(
      serviceKey,
      txnKey,
      {},
      {
        issuers: {
          [TOKEN_SERVICE]: { jwksUri: server.url, allowInsecureHttp: true, timeout: 1000 },
        },
      },
    );
    try {
      expect(remote.health().tokenServices?.[TOKEN_SERVICE]?.state).toBe('cold');
      // The first request waits for the fetch (the synchronous path hands over to it).
      const token = mintTxn(txnKey);
      expect((await remote.verify(withTxn(serviceKey, token))).transaction?.hash).toBe(
        sha256(token),
      );
      expect(remote.health().tokenServices?.[TOKEN_SERVICE]?.state).toBe('fresh');
      await remote.ready({ timeout: 1000 });
    } finally {
      await remote.close();
      await server.close();
    }
    const down = await serveJwks({ keys: [txnKey.jwk as never] });
    await down.stop();
    const unreachable = txnVerifierFor(
      serviceKey,
      txnKey,
      {},
      {
        issuers: { [TOKEN_SERVICE]: { jwksUri: down.url, allowInsecureHttp: true, timeout: 300 } },
      },
    );
    try {
      await expectCode(
        unreachable.verify(withTxn(serviceKey, mintTxn(txnKey))),
        'keys_unavailable',
      );
      await expectCode(unreachable.ready({ timeout: 500 }), 'keys_unavailable');
      expect(unreachable.health().status).toBe('unavailable');
    } finally {
      await unreachable.close();
      await down.close();
    }
  });
});

describe('options are validated at construction', () => {
  const bad: ReadonlyArray<[string, () => unknown, string]> = [
    [
      'a route mode without transactionTokens',
      () =>
        createVerifier({
          issuers: { [ISSUER]: { keys: [serviceKey.jwk as never] } },
          audience: AUDIENCE,
          transactionToken: 'require',
        }),
      'transactionToken',
    ],
    [
      'no trust domain',
      () => txnVerifierFor(serviceKey, txnKey, {}, { trustDomain: '' }),
      'trustDomain',
    ],
    [
      'a secret for a token service',
      () =>
        txnVerifierFor(
          serviceKey,
          txnKey,
          {},
          { issuers: { [TOKEN_SERVICE]: { secret: 'x'.repeat(32) } as never } },
        ),
      'secret',
    ],
    [
      'no token service',
      () => txnVerifierFor(serviceKey, txnKey, {}, { issuers: {} }),
      'transactionTokens.issuers',
    ],
    [
      'a bad maxLifetime',
      () => txnVerifierFor(serviceKey, txnKey, {}, { maxLifetime: -1 }),
      'maxLifetime',
    ],
    [
      'bad workloads',
      () => txnVerifierFor(serviceKey, txnKey, {}, { workloads: [''] }),
      'workloads',
    ],
    [
      'an unknown option',
      () => txnVerifierFor(serviceKey, txnKey, {}, { audience: 'x' } as never),
      'audience',
    ],
    ['an unknown mode', () => verifier.forRoute({ transactionToken: 'maybe' as never }), 'mode'],
    [
      'a bad context rule',
      () =>
        verifier.forRoute({
          transactionToken: { mode: 'accept', context: { region: {} as never } },
        }),
      'transactionToken.context.region',
    ],
    [
      'a bad claims rule',
      () =>
        verifier.forRoute({
          transactionToken: { mode: 'accept', claims: { scope: { includes: [] } } },
        }),
      'transactionToken.claims.scope',
    ],
  ];

  it.each(bad)('%s', (_name, create, named) => {
    let caught: unknown;
    try {
      create();
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'configuration_error' });
    expect((caught as Error).message).toContain(named);
  });
});
