/// <reference types="jest" />
import type { ReplayStore, RevocationList, RevocationSubject } from '@service-jwt/core';
import { replayKey } from '@service-jwt/core';

/** Moves the store's injected clock (epoch milliseconds). */
export interface ContractClock {
  set(ms: number): void;
}

/** What a store contract factory returns: a fresh, empty store for one test. */
export interface StoreContractSubject<S> {
  readonly store: S;
  /**
   * The store's clock, when it takes an injected one. Without it the contract runs on the real
   * clock and waits (bounded, at most a few seconds) for expiries, with expiry times a fraction
   * of a second ahead: configure the store with no extra clock tolerance.
   */
  readonly now?: ContractClock;
  /** Releases the store and whatever the factory opened. */
  close(): Promise<void>;
}

/** Factory of {@link describeReplayStoreContract}: called once per test. */
export type ReplayStoreFactory = () => Promise<StoreContractSubject<ReplayStore>>;
/** Factory of {@link describeRevocationListContract}: called once per test. */
export type RevocationListFactory = () => Promise<StoreContractSubject<RevocationList>>;

// A fixed instant for stores with an injected clock (2030-03-17T17:46:40Z).
const BASE_MS = 1_900_000_000_000;
const MAX_WAIT_MS = 5_000;

interface Clock {
  /** Epoch seconds "now" at the start of the test. */
  readonly start: number;
  /** Short expiry: far enough for two calls, close enough to wait for on a real clock. */
  readonly shortTtl: number;
  /** Makes `at` (epoch seconds) the past, then keeps calling `probe` until it says done. */
  passUntil(at: number, probe: () => boolean | Promise<boolean>): Promise<boolean>;
  /** Moves an injected clock to one millisecond before `at`; a no-op on a real clock. */
  justBefore(at: number): void;
}

function clockOf(subject: StoreContractSubject<unknown>): Clock {
  const controlled = subject.now;
  if (controlled !== undefined) {
    controlled.set(BASE_MS);
    return {
      start: BASE_MS / 1000,
      shortTtl: 60,
      justBefore: (at) => controlled.set(at * 1000 - 1),
      async passUntil(at, probe) {
        controlled.set(at * 1000 + 1);
        return probe();
      },
    };
  }
  return {
    start: Date.now() / 1000,
    shortTtl: 0.3,
    justBefore() {},
    async passUntil(at, probe) {
      const deadline = Date.now() + MAX_WAIT_MS;
      while (Date.now() < at * 1000) await sleep(at * 1000 - Date.now() + 1);
      for (;;) {
        if (await probe()) return true;
        if (Date.now() > deadline) return false;
        await sleep(50);
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(ms, MAX_WAIT_MS))));
}

async function using<S, T>(
  create: () => Promise<StoreContractSubject<S>>,
  body: (store: S, clock: Clock, subject: StoreContractSubject<S>) => Promise<T>,
): Promise<T> {
  const subject = await create();
  try {
    return await body(subject.store, clockOf(subject), subject);
  } finally {
    await subject.close();
  }
}

/**
 * The contract every {@link ReplayStore} must pass (memory, Redis, …). Defines a jest
 * `describe` block; `create` is called once per test and must return an empty store.
 *
 * @example
 * ```ts
 * describeReplayStoreContract('memory', async () => {
 *   let ms = 0;
 *   const store = createMemoryReplayStore({ now: () => ms });
 *   return { store, now: { set: (v) => { ms = v; } }, close: async () => {} };
 * });
 * ```
 */
export function describeReplayStoreContract(name: string, create: ReplayStoreFactory): void {
  describe(`ReplayStore contract: ${name}`, () => {
    it('resolves true for the first claim of a key and false for every later one', () =>
      using(create, async (store, clock) => {
        const key = replayKey('https://issuer.example', 'jti-1');
        const exp = clock.start + 60;
        expect(await store.claim(key, exp)).toBe(true);
        expect(await store.claim(key, exp)).toBe(false);
        expect(await store.claim(key, exp + 600)).toBe(false);
      }));

    it('lets exactly one of 100 concurrent claims of a key win', () =>
      using(create, async (store, clock) => {
        const key = replayKey('https://issuer.example', 'raced');
        const results = await Promise.all(
          Array.from({ length: 100 }, () => store.claim(key, clock.start + 60)),
        );
        expect(results.filter((won) => won)).toHaveLength(1);
      }));

    it('accepts 100 concurrent claims of distinct keys', () =>
      using(create, async (store, clock) => {
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            store.claim(replayKey('https://issuer.example', `jti-${i}`), clock.start + 60),
          ),
        );
        expect(results.every((won) => won)).toBe(true);
      }));

    it('never confuses the same jti of two issuers, or pairs that concatenate alike', () =>
      using(create, async (store, clock) => {
        const exp = clock.start + 60;
        const pairs: Array<[string, string]> = [
          ['https://a.example', 'same'],
          ['https://b.example', 'same'],
          ['a', 'b:c'],
          ['a:b', 'c'],
          ['a","b', 'c'],
          ['a', 'b","c'],
          ['https://a.example', '\ud800'],
          ['https://a.example', '\ud801'],
          ['https://a.example', 'é'],
          ['https://a.example', 'e\u0301'],
        ];
        for (const [issuer, jti] of pairs) {
          expect(await store.claim(replayKey(issuer, jti), exp)).toBe(true);
        }
        for (const [issuer, jti] of pairs) {
          expect(await store.claim(replayKey(issuer, jti), exp)).toBe(false);
        }
      }));

    it('holds a key until its expiry and releases it afterwards', () =>
      using(create, async (store, clock) => {
        const key = replayKey('https://issuer.example', 'expiring');
        const exp = clock.start + clock.shortTtl;
        expect(await store.claim(key, exp)).toBe(true);
        expect(await store.claim(key, exp)).toBe(false);
        clock.justBefore(exp);
        expect(await store.claim(key, exp)).toBe(false);
        const released = await clock.passUntil(exp, () => store.claim(key, exp + 60));
        expect(released).toBe(true);
        // Claimed again after the release: held again.
        expect(await store.claim(key, exp + 60)).toBe(false);
      }));
  });
}

function token(overrides: Partial<RevocationSubject> = {}): RevocationSubject {
  return {
    issuer: 'https://issuer.example',
    subject: 'user-1',
    jti: 'jti-1',
    kid: 'key-1',
    issuedAt: undefined,
    ...overrides,
  };
}

/**
 * The contract every {@link RevocationList} must pass (memory, Redis, …). Defines a jest
 * `describe` block; `create` is called once per test and must return an empty list. After a
 * `revoke*` promise resolves, `check` on the same list must reflect it.
 *
 * Semantics checked: a revoked `jti` (per issuer) until its expiry; subject and issuer
 * "issued before" revocations hit tokens whose `iat` is at or before the time (one-second
 * resolution: fail closed) and tokens without `iat`; a revoked `kid` (per issuer); revoking
 * again with an earlier time never narrows a revocation.
 */
export function describeRevocationListContract(name: string, create: RevocationListFactory): void {
  describe(`RevocationList contract: ${name}`, () => {
    it('passes tokens when nothing is revoked', () =>
      using(create, async (list, clock) => {
        expect(await list.check(token({ issuedAt: Math.floor(clock.start) }))).toBeUndefined();
        expect(
          await list.check(token({ subject: undefined, jti: undefined, kid: undefined })),
        ).toBeUndefined();
      }));

    it('revokes one jti of one issuer', () =>
      using(create, async (list, clock) => {
        await list.revokeToken('https://issuer.example', 'jti-1', clock.start + 600);
        expect(await list.check(token())).toBe('jti');
        expect(await list.check(token({ jti: 'jti-2' }))).toBeUndefined();
        expect(await list.check(token({ issuer: 'https://other.example' }))).toBeUndefined();
        expect(await list.check(token({ jti: undefined }))).toBeUndefined();
      }));

    it('forgets a revoked jti once it has expired', () =>
      using(create, async (list, clock) => {
        const exp = clock.start + clock.shortTtl;
        await list.revokeToken('https://issuer.example', 'jti-1', exp);
        expect(await list.check(token())).toBe('jti');
        clock.justBefore(exp);
        expect(await list.check(token())).toBe('jti');
        const dropped = await clock.passUntil(
          exp,
          async () => (await list.check(token())) === undefined,
        );
        expect(dropped).toBe(true);
      }));

    it('revokes tokens of a subject issued at or before a time, not after', () =>
      using(create, async (list, clock) => {
        const before = Math.floor(clock.start);
        await list.revokeSubject('https://issuer.example', 'user-1', before);
        expect(await list.check(token({ issuedAt: before - 10 }))).toBe('subject');
        expect(await list.check(token({ issuedAt: before }))).toBe('subject');
        expect(await list.check(token({ issuedAt: before + 1 }))).toBeUndefined();
        expect(
          await list.check(token({ issuedAt: before - 10, subject: 'user-2' })),
        ).toBeUndefined();
        expect(
          await list.check(token({ issuedAt: before - 10, subject: undefined })),
        ).toBeUndefined();
        expect(
          await list.check(token({ issuedAt: before - 10, issuer: 'https://other.example' })),
        ).toBeUndefined();
      }));

    it('revokes a subject token without iat (fail closed)', () =>
      using(create, async (list, clock) => {
        await list.revokeSubject('https://issuer.example', 'user-1', Math.floor(clock.start));
        expect(await list.check(token({ issuedAt: undefined }))).toBe('subject');
      }));

    it('revokes every token of an issuer issued at or before a time, not after', () =>
      using(create, async (list, clock) => {
        const before = Math.floor(clock.start);
        await list.revokeIssuer('https://issuer.example', before);
        expect(await list.check(token({ issuedAt: before - 1 }))).toBe('issuer');
        expect(await list.check(token({ issuedAt: before, subject: undefined }))).toBe('issuer');
        expect(await list.check(token({ issuedAt: undefined }))).toBe('issuer');
        expect(await list.check(token({ issuedAt: before + 5 }))).toBeUndefined();
        expect(
          await list.check(token({ issuedAt: before - 1, issuer: 'https://other.example' })),
        ).toBeUndefined();
      }));

    it('revokes every token signed with a key id of an issuer', () =>
      using(create, async (list, clock) => {
        await list.revokeKey('https://issuer.example', 'key-1');
        const iat = Math.floor(clock.start);
        expect(await list.check(token({ issuedAt: iat }))).toBe('kid');
        expect(await list.check(token({ issuedAt: iat, kid: 'key-2' }))).toBeUndefined();
        expect(await list.check(token({ issuedAt: iat, kid: undefined }))).toBeUndefined();
        expect(
          await list.check(token({ issuedAt: iat, issuer: 'https://other.example' })),
        ).toBeUndefined();
      }));

    it('never narrows a revocation when revoked again with an earlier time', () =>
      using(create, async (list, clock) => {
        const before = Math.floor(clock.start);
        await list.revokeSubject('https://issuer.example', 'user-1', before);
        await list.revokeSubject('https://issuer.example', 'user-1', before - 100);
        expect(await list.check(token({ issuedAt: before - 50 }))).toBe('subject');
        await list.revokeIssuer('https://b.example', before);
        await list.revokeIssuer('https://b.example', before - 100);
        expect(
          await list.check(token({ issuer: 'https://b.example', issuedAt: before - 50 })),
        ).toBe('issuer');
      }));

    it('never confuses issuer and id pairs that concatenate alike', () =>
      using(create, async (list, clock) => {
        const iat = Math.floor(clock.start) - 10;
        await list.revokeSubject('a', 'b:c', iat + 5);
        await list.revokeKey('a', 'b:c');
        await list.revokeToken('a', 'b:c', clock.start + 600);
        const probe = { issuer: 'a:b', subject: 'c', kid: 'c', jti: 'c', issuedAt: iat };
        expect(await list.check(probe)).toBeUndefined();
        expect(
          await list.check({
            ...probe,
            issuer: 'a',
            subject: 'b:c',
            kid: undefined,
            jti: undefined,
          }),
        ).toBe('subject');
      }));

    it('keeps every revocation of a burst of concurrent calls', () =>
      using(create, async (list, clock) => {
        const exp = clock.start + 600;
        await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            list.revokeToken('https://issuer.example', `burst-${i}`, exp),
          ),
        );
        for (let i = 0; i < 100; i++) {
          expect(await list.check(token({ jti: `burst-${i}` }))).toBe('jti');
        }
      }));
  });
}
