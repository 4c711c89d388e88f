import { createHash, timingSafeEqual } from 'node:crypto';
import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { BodyHasher } from './pending-verification.js';

/**
 * Body digest algorithms. SHA digests are encoded base64url without padding; `md5-hex` is the
 * legacy lower-case hex MD5 some older services send, allowed only by explicit opt-in.
 */
export type BodyHashAlgorithm = 'sha256' | 'sha384' | 'sha512' | 'md5-hex';

const NODE_ALGORITHMS: Readonly<Record<BodyHashAlgorithm, string>> = {
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  'md5-hex': 'md5',
};

function nodeAlgorithm(algorithm: BodyHashAlgorithm): string {
  const name = Object.hasOwn(NODE_ALGORITHMS, algorithm) ? NODE_ALGORITHMS[algorithm] : undefined;
  if (name === undefined) {
    throw new ServiceJwtError(
      'configuration_error',
      `bodyHash.algorithm must be one of ${Object.keys(NODE_ALGORITHMS).join(', ')}`,
    );
  }
  return name;
}

/**
 * An incremental body digest for adapters that hash the body while it streams.
 *
 * `digest()` returns the encoded digest (base64url without padding, or lower-case hex for
 * `md5-hex`); it finalises the hasher, so later calls return the same value and later
 * `update` calls throw.
 *
 * @throws ServiceJwtError `configuration_error` for an unknown algorithm.
 * @example
 * ```ts
 * const hasher = createBodyHasher('sha256');
 * for await (const chunk of stream) hasher.update(chunk);
 * bodyHashEquals(claims.bdy, hasher.digest());
 * ```
 */
export function createBodyHasher(algorithm: BodyHashAlgorithm): BodyHasher & { digest(): string } {
  const encoding = algorithm === 'md5-hex' ? 'hex' : 'base64url';
  const hash = createHash(nodeAlgorithm(algorithm));
  let bytes = 0;
  let result: string | undefined;
  return {
    update(chunk: Uint8Array): void {
      if (result !== undefined) {
        throw new ServiceJwtError('configuration_error', 'body hasher updated after digest()');
      }
      hash.update(chunk);
      bytes += chunk.byteLength;
    },
    get bytes(): number {
      return bytes;
    },
    digest(): string {
      result ??= hash.digest(encoding);
      return result;
    },
  };
}

/**
 * Digest of a whole body: base64url without padding for SHA digests, lower-case hex for
 * `md5-hex`. A string is hashed as its UTF-8 bytes; an empty body hashes the empty string.
 *
 * @throws ServiceJwtError `configuration_error` for an unknown algorithm.
 * @example
 * ```ts
 * computeBodyHash('sha256', '') // '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU'
 * ```
 */
export function computeBodyHash(algorithm: BodyHashAlgorithm, body: Uint8Array | string): string {
  const hash = createHash(nodeAlgorithm(algorithm));
  // A string is hashed as its UTF-8 bytes: `update` encodes strings as UTF-8 unless told otherwise.
  hash.update(body);
  return hash.digest(algorithm === 'md5-hex' ? 'hex' : 'base64url');
}

/**
 * Compares a body hash claim with the computed digest in constant time
 * (`crypto.timingSafeEqual` over the UTF-8 bytes). Different lengths return `false` at once:
 * the length of a digest is public.
 */
export function bodyHashEquals(expected: string, actual: string): boolean {
  if (typeof expected !== 'string' || typeof actual !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual, 'utf8');
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
