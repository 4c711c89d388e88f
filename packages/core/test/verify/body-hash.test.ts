import { createHash } from 'node:crypto';
import { type BodyHashAlgorithm, computeBodyHash, ServiceJwtError } from '@service-jwt/core';
import { bodyHashEquals, createBodyHasher } from '../../src/verify/body-hash.js';

const ALGORITHMS: BodyHashAlgorithm[] = ['sha256', 'sha384', 'sha512', 'md5-hex'];

describe('computeBodyHash', () => {
  it('hashes the empty body as the empty string (SHA-256 base64url, no padding)', () => {
    expect(computeBodyHash('sha256', '')).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
    expect(computeBodyHash('sha256', new Uint8Array(0))).toBe(computeBodyHash('sha256', ''));
  });

  it('encodes SHA digests as base64url without padding and md5-hex as lower-case hex', () => {
    const body = '{"amount":100,"to":"ü"}';
    for (const algorithm of ['sha256', 'sha384', 'sha512'] as const) {
      const expected = createHash(algorithm).update(Buffer.from(body, 'utf8')).digest('base64url');
      const actual = computeBodyHash(algorithm, body);
      expect(actual).toBe(expected);
      expect(actual).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(computeBodyHash('md5-hex', 'abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
  });

  it('hashes a string as its UTF-8 bytes', () => {
    const text = 'héllo ✓';
    expect(computeBodyHash('sha256', text)).toBe(
      computeBodyHash('sha256', Buffer.from(text, 'utf8')),
    );
    expect(computeBodyHash('sha256', text)).not.toBe(
      computeBodyHash('sha256', Buffer.from(text, 'latin1')),
    );
  });

  it('refuses an unknown algorithm with configuration_error naming the option', () => {
    try {
      computeBodyHash('sha1' as BodyHashAlgorithm, '');
      throw new Error('unreachable');
    } catch (err) {
      expect(err).toBeInstanceOf(ServiceJwtError);
      expect((err as ServiceJwtError).code).toBe('configuration_error');
      expect((err as ServiceJwtError).status).toBe(500);
      expect((err as ServiceJwtError).message).toContain('bodyHash.algorithm');
    }
    expect(() => createBodyHasher('__proto__' as BodyHashAlgorithm)).toThrow(ServiceJwtError);
  });
});

describe('createBodyHasher', () => {
  it('gives the same digest as computeBodyHash over chunks, and counts bytes', () => {
    const body = Buffer.from('x'.repeat(100_000) + 'ü');
    for (const algorithm of ALGORITHMS) {
      const hasher = createBodyHasher(algorithm);
      for (let i = 0; i < body.length; i += 7_777) hasher.update(body.subarray(i, i + 7_777));
      expect(hasher.bytes).toBe(body.length);
      expect(hasher.digest()).toBe(computeBodyHash(algorithm, body));
      expect(hasher.digest()).toBe(computeBodyHash(algorithm, body));
    }
  });

  it('refuses updates after digest()', () => {
    const hasher = createBodyHasher('sha256');
    hasher.digest();
    expect(() => hasher.update(new Uint8Array(1))).toThrow(ServiceJwtError);
  });
});

describe('bodyHashEquals', () => {
  const hash = computeBodyHash('sha256', 'body');

  it('is true only for identical digests', () => {
    expect(bodyHashEquals(hash, computeBodyHash('sha256', 'body'))).toBe(true);
    expect(bodyHashEquals(hash, computeBodyHash('sha256', 'Body'))).toBe(false);
    const flipped = (hash[0] === 'A' ? 'B' : 'A') + hash.slice(1);
    expect(bodyHashEquals(hash, flipped)).toBe(false);
  });

  it('is false on a length mismatch (padding, truncation) without throwing', () => {
    expect(bodyHashEquals(hash, `${hash}=`)).toBe(false);
    expect(bodyHashEquals(hash, hash.slice(0, -1))).toBe(false);
    expect(bodyHashEquals(hash, '')).toBe(false);
    expect(bodyHashEquals('', '')).toBe(true);
  });

  it('is false for a non-string claim or computed value, without throwing', () => {
    expect(bodyHashEquals(42 as unknown as string, hash)).toBe(false);
    expect(bodyHashEquals(hash, 42 as unknown as string)).toBe(false);
    expect(bodyHashEquals(hash, undefined as unknown as string)).toBe(false);
    expect(bodyHashEquals([hash] as unknown as string, hash)).toBe(false);
  });
});
