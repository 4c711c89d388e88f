import { createMemoryRevocationList, ServiceJwtError } from '@service-jwt/core';
import { manualClock } from '../fixtures.js';

const NOW_MS = 1_900_000_000_000;
const NOW = NOW_MS / 1000;

const clock = () => manualClock(NOW_MS);

const base = { issuer: 'iss', subject: 's', jti: 'j', kid: 'k', issuedAt: NOW };

describe('createMemoryRevocationList', () => {
  it('answers check() synchronously', async () => {
    const list = createMemoryRevocationList();
    await list.revokeKey('iss', 'k');
    expect(list.check(base)).toBe('kid');
    expect(list.check({ ...base, kid: 'other' })).toBeUndefined();
  });

  it('is bounded: a revocation beyond maxEntries rejects with store_unavailable', async () => {
    const c = clock();
    const list = createMemoryRevocationList({ maxEntries: 3, now: c.now });
    await list.revokeToken('iss', 'a', NOW + 10);
    await list.revokeSubject('iss', 's', NOW);
    await list.revokeKey('iss', 'k');
    await expect(list.revokeToken('iss', 'b', NOW + 10)).rejects.toMatchObject({
      code: 'store_unavailable',
      status: 503,
    });
    await expect(list.revokeKey('iss', 'k2')).rejects.toMatchObject({ code: 'store_unavailable' });
    // Revoking what is already held needs no room.
    await list.revokeKey('iss', 'k');
    await list.revokeSubject('iss', 's', NOW + 5);
    // Nothing was forgotten.
    expect(list.check({ ...base, jti: 'a', subject: undefined, kid: undefined })).toBe('jti');
    // Expired token ids make room.
    c.at(NOW + 10);
    await list.revokeToken('iss', 'b', NOW + 20);
    expect(list.check({ ...base, jti: 'b', subject: undefined, kid: undefined })).toBe('jti');
  });

  it('drops a jti revocation at its expiry and ignores one already expired', async () => {
    const c = clock();
    const list = createMemoryRevocationList({ now: c.now });
    await list.revokeToken('iss', 'j', NOW + 10);
    await list.revokeToken('iss', 'old', NOW - 1);
    const token = { ...base, subject: undefined, kid: undefined };
    expect(list.check(token)).toBe('jti');
    expect(list.check({ ...token, jti: 'old' })).toBeUndefined();
    c.at(NOW + 10);
    expect(list.check(token)).toBeUndefined();
  });

  it('keeps the later expiry when a jti is revoked twice', async () => {
    const c = clock();
    const list = createMemoryRevocationList({ now: c.now });
    await list.revokeToken('iss', 'j', NOW + 100);
    await list.revokeToken('iss', 'j', NOW + 10);
    c.at(NOW + 50);
    expect(list.check({ ...base, subject: undefined, kid: undefined })).toBe('jti');
  });

  it('rejects invalid arguments with configuration_error', async () => {
    const list = createMemoryRevocationList();
    const bad = 'x' as unknown as number;
    await expect(list.revokeToken('iss', 'j', bad)).rejects.toMatchObject({
      code: 'configuration_error',
    });
    await expect(list.revokeSubject('iss', 's', Number.NaN)).rejects.toMatchObject({
      code: 'configuration_error',
    });
    await expect(list.revokeIssuer(1 as unknown as string, 0)).rejects.toMatchObject({
      code: 'configuration_error',
    });
    await expect(list.revokeKey('iss', undefined as unknown as string)).rejects.toBeInstanceOf(
      ServiceJwtError,
    );
  });

  it('validates its options with configuration_error naming the option', () => {
    for (const [options, name] of [
      [{ maxEntries: -1 }, 'revocation.maxEntries'],
      [{ now: 'now' }, 'revocation.now'],
    ] as const) {
      try {
        createMemoryRevocationList(options as never);
        throw new Error('unreachable');
      } catch (err) {
        expect((err as ServiceJwtError).code).toBe('configuration_error');
        expect((err as ServiceJwtError).message).toContain(name);
      }
    }
  });
});
