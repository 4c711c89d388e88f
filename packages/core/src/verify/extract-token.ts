import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { HeadersLike } from './request.js';

/**
 * Where the token is read from, after option resolution: a lower-case header name and an auth
 * scheme (`null` when the header holds the bare token).
 */
export interface ResolvedTokenLocation {
  /** Header name, lower-case (Node's `IncomingHttpHeaders` keys). */
  readonly header: string;
  /** Auth scheme such as `Bearer`, compared case-insensitively; `null` for a bare token. */
  readonly scheme: string | null;
}

// RFC 7235 §2.1 token68. A compact JWS is a strict subset; the verifier checks that later.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

function missing(): ServiceJwtError {
  return new ServiceJwtError('token_missing', 'no token in the request');
}

function duplicated(): ServiceJwtError {
  return new ServiceJwtError('token_duplicated', 'the request carries more than one credential');
}

function malformed(message: string): ServiceJwtError {
  return new ServiceJwtError('token_malformed', message);
}

function tooLarge(maxLength: number): ServiceJwtError {
  return new ServiceJwtError('token_too_large', `token exceeds ${maxLength} bytes`);
}

function singleValue(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (value.length > 1) throw duplicated();
  return value[0];
}

function hasCredential(value: string | readonly string[] | undefined): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string') return value.length > 0;
  return value.some((item) => item.length > 0);
}

function schemeMatches(value: string, scheme: string): boolean {
  return (
    value.length > scheme.length &&
    value.charCodeAt(scheme.length) === 0x20 &&
    value.slice(0, scheme.length).toLowerCase() === scheme.toLowerCase()
  );
}

/**
 * Counts the non-empty comma-separated parts: each is a credential, of `scheme` or not. A
 * platform that joins repeated header lines with commas (API Gateway payload format 2.0) must
 * get the same answer as one that hands over every line: `Bearer x` and `Basic y` on two
 * lines are two credentials (RFC 6750 §2) however they arrive.
 */
function credentialCount(value: string): number {
  let count = 0;
  for (const part of value.split(',')) {
    if (part.trim().length > 0) count++;
  }
  return count;
}

/**
 * Step 1 of the verification pipeline: reads the token from the request headers, before
 * anything decodes it.
 *
 * The header must hold exactly `<scheme> <token68>` (one space; the scheme is compared
 * case-insensitively, RFC 7235 §2.1) or, with `scheme: null`, the bare token. Size is checked
 * on the raw header value before it is split or scanned.
 *
 * When the configured header is not `authorization`, a request that also carries a non-empty
 * `Authorization` header is refused as `token_duplicated`: two credentials are ambiguous
 * (RFC 6750 §2: a client must not use more than one method to transmit the token).
 *
 * Messages never contain the token.
 *
 * @param headers - Request headers with lower-case names.
 * @param location - Header and scheme, already resolved from the verifier's `token` option.
 * @param maxLength - Largest accepted token in bytes (the verifier's `maxTokenLength`).
 * @returns The compact token.
 * @throws ServiceJwtError `token_missing` (no header, empty value, scheme without a token),
 *   `token_duplicated` (the header given twice, two comma-joined credentials, or both
 *   `Authorization` and the custom header), `token_too_large`, `token_malformed` (another
 *   scheme, extra spaces or parts, characters outside token68).
 *
 * @example
 * ```ts
 * const token = extractToken(req.headers, { header: 'authorization', scheme: 'Bearer' }, 8192);
 * ```
 */
export function extractToken(
  headers: HeadersLike,
  location: ResolvedTokenLocation,
  maxLength: number,
): string {
  const token = extractTokenCandidate(headers, location, maxLength);
  assertToken68(token);
  return token;
}

/**
 * {@link extractToken} without its last step, the scan of every character against token68:
 * the header, scheme, duplicate and size checks all run. For a verifier that looks the token
 * up by exact string in a cache of verified tokens first (a token equal to a verified one
 * needs no character scan) and calls {@link assertToken68} before it verifies any other.
 *
 * @returns The credential, not yet checked character by character.
 * @throws ServiceJwtError the codes of {@link extractToken} but `token_malformed` for
 *   characters outside token68.
 * @example
 * ```ts
 * const token = extractTokenCandidate(req.headers, { header: 'authorization', scheme: 'Bearer' }, 8192);
 * if (!verified.has(token)) assertToken68(token);
 * ```
 */
export function extractTokenCandidate(
  headers: HeadersLike,
  location: ResolvedTokenLocation,
  maxLength: number,
): string {
  const raw = headers[location.header];
  if (
    location.header !== 'authorization' &&
    hasCredential(raw) &&
    hasCredential(headers.authorization)
  ) {
    throw duplicated();
  }
  const value = singleValue(raw);
  if (value === undefined || value.length === 0) throw missing();

  const scheme = location.scheme;
  const prefixLength = scheme === null ? 0 : scheme.length + 1;
  // Header strings are latin1 (one char per byte); anything longer than the largest legal
  // credential is refused before it is scanned at all.
  if (value.length > maxLength + prefixLength) {
    if (value.includes(',') && credentialCount(value) > 1) throw duplicated();
    throw tooLarge(maxLength);
  }

  let token: string;
  if (scheme === null) {
    token = value;
  } else {
    if (value.length === scheme.length && value.toLowerCase() === scheme.toLowerCase()) {
      throw missing();
    }
    if (!schemeMatches(value, scheme)) {
      if (value.includes(',') && credentialCount(value) > 1) throw duplicated();
      throw malformed(`expected the ${scheme} authentication scheme`);
    }
    token = value.slice(prefixLength);
    if (token.length === 0) throw missing();
  }

  if (token.includes(',') && credentialCount(value) > 1) throw duplicated();
  if (token.length > maxLength) throw tooLarge(maxLength);
  return token;
}

/**
 * Checks that a credential is a single RFC 7235 §2.1 token68 (the last step of
 * {@link extractToken}).
 *
 * @throws ServiceJwtError `token_malformed` for any character outside token68.
 * @example
 * ```ts
 * assertToken68(token);
 * ```
 */
export function assertToken68(token: string): void {
  if (!TOKEN68.test(token)) throw malformed('the credential is not a single token');
}
