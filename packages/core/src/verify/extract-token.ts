import {
  tokenDuplicated,
  tokenMalformed,
  tokenMissing,
  tokenTooLarge,
} from '../errors/refusals.js';
import type { ServiceJwtError } from '../errors/service-jwt-error.js';
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

// RFC 9110 §11.2: token68, and the token that an auth-scheme is.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const SCHEME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
// A part that has the form of a credential: `scheme 1*SP token68`, or a bare token68 when the
// header holds the token alone.
const SCHEMED_CREDENTIAL = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ +[A-Za-z0-9\-._~+/]+=*$/;

function missing(): ServiceJwtError {
  return tokenMissing();
}

function duplicated(): ServiceJwtError {
  return tokenDuplicated();
}

function malformed(message: string): ServiceJwtError {
  return tokenMalformed(message);
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

// `value` begins with `scheme` exactly as configured and a space. `scheme` is an RFC 9110 token
// (checked when the options are resolved), so the scheme scan would end at that space too.
function startsWithScheme(value: string, scheme: string): boolean {
  return value.charCodeAt(scheme.length) === 0x20 && value.startsWith(scheme);
}

/**
 * Counts the comma-separated parts that have the form of a credential. A platform that joins
 * repeated header lines with commas (API Gateway payload format 2.0) must get the same answer
 * as one that hands over every line: `Bearer x` and `Basic y` on two lines are two credentials
 * (RFC 6750 §2) however they arrive. A comma inside one credential (a JWS in JSON
 * serialization, a raw JSON payload) does not make a second one: that credential is malformed,
 * not duplicated.
 */
function credentialCount(value: string, bare: boolean): number {
  let count = 0;
  for (const part of value.split(',')) {
    const candidate = part.trim();
    if (bare ? TOKEN68.test(candidate) : SCHEMED_CREDENTIAL.test(candidate)) count++;
  }
  return count;
}

/**
 * Step 1 of the verification pipeline: reads the token from the request headers, before
 * anything decodes it.
 *
 * The header must hold `<scheme> <token68>` (the scheme compared case-insensitively, then one or
 * more spaces and nothing else, RFC 9110 §11.4) or, with `scheme: null`, the bare token. A
 * header of another scheme (`Basic …`) holds no credential of ours: `token_missing`, with a
 * plain challenge (RFC 6750 §3.1). Only comma-separated parts of the form `scheme SP token68`
 * count as credentials, so a comma inside a token does not make it two. Size is checked on the
 * raw header value before it is scanned, and on the token exactly.
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
 * @throws ServiceJwtError `token_missing` (no header, empty value, scheme without a token,
 *   another scheme), `token_duplicated` (the header given twice, two comma-joined credentials,
 *   or both `Authorization` and the custom header), `token_too_large`, `token_malformed`
 *   (anything but spaces after the scheme, characters outside token68).
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
  // Header strings are latin1 (one char per byte). A value far longer than the largest legal
  // credential is refused before it is scanned at all; the token itself is measured exactly
  // once the scheme and its spaces are off.
  if (value.length > 2 * (maxLength + prefixLength)) {
    if (value.includes(',') && credentialCount(value, scheme === null) > 1) throw duplicated();
    throw tokenTooLarge(maxLength);
  }

  let token: string;
  if (scheme === null) {
    token = value;
  } else {
    // The scheme as configured and a space, what nearly every request sends, is recognised
    // without the regular expression; the scan decides every other spelling.
    const given = startsWithScheme(value, scheme) ? scheme : SCHEME.exec(value)?.[0];
    if (given === undefined) throw malformed(`expected the ${scheme} authentication scheme`);
    if (given.length !== scheme.length || given.toLowerCase() !== scheme.toLowerCase()) {
      // Another scheme (Basic, DPoP, …) is not a malformed Bearer token: the request carries no
      // credential of ours, and RFC 6750 §3.1 says such a challenge has no error code.
      if (value.includes(',') && credentialCount(value, false) > 1) throw duplicated();
      throw missing();
    }
    // RFC 9110 §11.4: `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`; SP only, no tab.
    let start = given.length;
    while (value.charCodeAt(start) === 0x20) start++;
    if (start === given.length && start < value.length) {
      throw malformed(`expected a space after the ${scheme} scheme`);
    }
    token = value.slice(start);
    if (token.length === 0) throw missing();
  }

  if (token.includes(',') && credentialCount(value, scheme === null) > 1) throw duplicated();
  if (token.length > maxLength) throw tokenTooLarge(maxLength);
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
