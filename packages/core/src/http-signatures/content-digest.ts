import { createHash } from 'node:crypto';
import { configurationError, contentDigestMissing } from '../errors/refusals.js';
import type { BodyHasher } from '../verify/pending-verification.js';
import { isInnerList, parseDictionary } from './structured-fields.js';

// Content-Digest (RFC 9530 §2): a dictionary of digest algorithm → byte sequence, computed
// over the message content as sent (after any content coding, before transfer coding).

/** The digest algorithms of RFC 9530 §5 that are not deprecated. */
export type ContentDigestAlgorithm = 'sha-256' | 'sha-512';

const NODE_HASH: Readonly<Record<ContentDigestAlgorithm, string>> = {
  'sha-256': 'sha256',
  'sha-512': 'sha512',
};

/** The digest a request's Content-Digest commits to, for the algorithm the verifier chose. */
export interface ContentDigestExpectation {
  readonly algorithm: ContentDigestAlgorithm;
  /** Base64 (standard alphabet, padded), as the digest hasher reports it. */
  readonly expected: string;
}

/** Longest Content-Digest field read; a few digests of SHA-512 fit many times over. */
export const MAX_CONTENT_DIGEST_LENGTH = 1024;

/**
 * `Content-Digest` field value for the exact bytes of a body: `sha-256=:…:` by default.
 * A string is taken as its UTF-8 bytes; no body is the empty body.
 *
 * @throws ServiceJwtError `configuration_error` for an algorithm other than `sha-256`/`sha-512`.
 * @example
 * ```ts
 * computeContentDigest('{"hello": "world"}')
 * // 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:'  (RFC 9530 §2)
 * ```
 */
export function computeContentDigest(
  body: Uint8Array | string | undefined,
  algorithm: ContentDigestAlgorithm = 'sha-256',
): string {
  if (!Object.hasOwn(NODE_HASH, algorithm)) {
    throw configurationError('Content-Digest algorithm must be sha-256 or sha-512');
  }
  const hash = createHash(NODE_HASH[algorithm]);
  hash.update(body ?? '');
  return `${algorithm}=:${hash.digest('base64')}:`;
}

/**
 * Reads a Content-Digest field: the strongest supported digest (sha-512, else sha-256).
 * Unknown algorithms are ignored (RFC 9530 §2); a field with none we support has no digest
 * for us.
 *
 * @throws ServiceJwtError `http_signature_malformed` for a field that does not parse or a
 *   digest of the wrong length; `content_digest_missing` when no supported digest is in it.
 */
export function parseContentDigest(value: string | readonly string[]): ContentDigestExpectation {
  const length = typeof value === 'string' ? value.length : value.join(', ').length;
  if (length > MAX_CONTENT_DIGEST_LENGTH) {
    throw contentDigestMissing('Content-Digest is too long');
  }
  const members = parseDictionary(value, 'Content-Digest', { members: 8, items: 0, params: 4 });
  let found: ContentDigestExpectation | undefined;
  for (const algorithm of ['sha-512', 'sha-256'] as const) {
    const member = members.get(algorithm);
    if (member === undefined || found !== undefined) continue;
    if (isInnerList(member) || !(member.value instanceof Uint8Array)) {
      throw contentDigestMissing(`Content-Digest ${algorithm} is not a byte sequence`);
    }
    if (member.value.byteLength !== (algorithm === 'sha-512' ? 64 : 32)) {
      throw contentDigestMissing(`Content-Digest ${algorithm} has the wrong length`);
    }
    found = { algorithm, expected: Buffer.from(member.value).toString('base64') };
  }
  if (found === undefined) throw contentDigestMissing('Content-Digest has no sha-256 or sha-512');
  return found;
}

/** An incremental Content-Digest hasher: `digest()` is the base64 of the hash. */
export function createContentDigestHasher(
  algorithm: ContentDigestAlgorithm,
): BodyHasher & { digest(): string } {
  const hash = createHash(NODE_HASH[algorithm]);
  let bytes = 0;
  let result: string | undefined;
  return {
    update(chunk: Uint8Array): void {
      if (result !== undefined) throw configurationError('digest hasher updated after digest()');
      hash.update(chunk);
      bytes += chunk.byteLength;
    },
    get bytes(): number {
      return bytes;
    },
    digest(): string {
      result ??= hash.digest('base64');
      return result;
    },
  };
}
