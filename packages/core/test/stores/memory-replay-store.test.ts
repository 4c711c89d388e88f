import { caughtBy } from '@service-jwt/conformance';
import {
  createMemoryReplayStore,
  errorResponse,
  replayKey,
  type ServiceJwtError,
} from '@service-jwt/core';
import { manualClock } from '../fixtures.js';

const NOW_MS = 1_900_000_000_000;
const NOW = NOW_MS / 1000;

const clock = () => manualClock(NOW_MS);

describe('createMemoryReplayStore', () => {
  it('rejects with store_unavailable (503, Retry-After) when full of unexpired keys', async () => {
    const c = clock();
    const store = createMemoryReplayStore({ maxEntries: 3, now: c.now });
    for (const jti of ['a', 'b', 'c'])
      expect(await store.claim(replayKey('i', jti), NOW + 60)).toBe(true);
    const err = await caughtBy(() => store.claim(replayKey('i', 'd'), NOW + 60));
    expect(err.code).toBe('store_unavailable');
    expect(err.status).toBe(503);
    expect(errorResponse(err).headers['retry-after']).toBe('5');
    // Nothing was forgotten to make room: the held keys are still replays.
    for (const jti of ['a', 'b', 'c'])
      expect(await store.claim(replayKey('i', jti), NOW + 60)).toBe(false);
  });

  it('makes room by sweeping expired keys when full', async () => {
    const c = clock();
    const store = createMemoryReplayStore({ maxEntries: 3, now: c.now });
    await store.claim('short-1', NOW + 10);
    await store.claim('short-2', NOW + 10);
    await store.claim('long', NOW + 100);
    expect((await caughtBy(() => store.claim('new', NOW + 100))).code).toBe('store_unavailable');
    c.at(NOW + 10);
    expect(await store.claim('new', NOW + 100)).toBe(true);
    expect(await store.claim('newer', NOW + 100)).toBe(true);
    expect((await caughtBy(() => store.claim('newest', NOW + 100))).code).toBe('store_unavailable');
    expect(await store.claim('long', NOW + 100)).toBe(false);
  });

  it('stays bounded under a stream of short-lived keys (amortised sweep, no timer)', async () => {
    const c = clock();
    const store = createMemoryReplayStore({ maxEntries: 2_000, now: c.now });
    // 50,000 keys living 1 s each, one new second every 1,000 keys.
    let accepted = 0;
    for (let i = 0; i < 50_000; i++) {
      if (i % 1_000 === 0) c.at(NOW + i / 1_000);
      if (await store.claim(`k${i}`, NOW + i / 1_000 + 1)) accepted++;
    }
    expect(accepted).toBe(50_000);
  });

  it('sweeps expired keys behind a long-lived one without refusing', async () => {
    const c = clock();
    const store = createMemoryReplayStore({ maxEntries: 100, now: c.now });
    expect(await store.claim('day-long', NOW + 86_400)).toBe(true);
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) {
      c.at(NOW + i);
      if (await store.claim(`k${i}`, NOW + i + 5)) accepted++;
    }
    expect(accepted).toBe(10_000);
    expect(await store.claim('day-long', NOW + 86_400)).toBe(false);
  });

  // How cheap each refusal is (no scan of the whole store per claim) is measured by
  // `pnpm bench:memory`, not here: no test asserts a wall-clock time.
  it('keeps refusing while overloaded and never forgets a live key to make room', async () => {
    const c = clock();
    const store = createMemoryReplayStore({ maxEntries: 20_000, now: c.now });
    for (let i = 0; i < 20_000; i++) await store.claim(`live${i}`, NOW + 3600);
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      try {
        store.claim(`more${i}`, NOW + 3600);
      } catch {
        refused++;
      }
    }
    expect(refused).toBe(20_000);
    expect(store.claim('live0', NOW + 3600)).toBe(false);
    expect(store.claim('live19999', NOW + 3600)).toBe(false);
  });

  it('does not record a key whose expiry has already passed', async () => {
    const store = createMemoryReplayStore({ now: clock().now });
    expect(await store.claim('late', NOW - 1)).toBe(true);
    expect(await store.claim('late', NOW + 60)).toBe(true);
    expect(await store.claim('late', NOW + 60)).toBe(false);
  });

  it('refuses a non-finite expiry or a non-string key as a bug (configuration_error)', async () => {
    const store = createMemoryReplayStore();
    for (const expiresAt of [Number.NaN, Number.POSITIVE_INFINITY, '1' as unknown as number]) {
      expect((await caughtBy(() => store.claim('k', expiresAt))).code).toBe('configuration_error');
    }
    expect((await caughtBy(() => store.claim(1 as unknown as string, NOW))).code).toBe(
      'configuration_error',
    );
  });

  it('keeps refusing replays after close()', async () => {
    const store = createMemoryReplayStore();
    const exp = Date.now() / 1000 + 60;
    expect(await store.claim('k', exp)).toBe(true);
    await store.close?.();
    expect(await store.claim('k', exp)).toBe(false);
  });

  it('validates its options with configuration_error naming the option', () => {
    for (const [options, name] of [
      [{ maxEntries: 0 }, 'replay.maxEntries'],
      [{ maxEntries: 2.5 }, 'replay.maxEntries'],
      [{ now: 5 }, 'replay.now'],
    ] as const) {
      try {
        createMemoryReplayStore(options as never);
        throw new Error('unreachable');
      } catch (err) {
        expect((err as ServiceJwtError).code).toBe('configuration_error');
        expect((err as ServiceJwtError).message).toContain(name);
      }
    }
  });
});
