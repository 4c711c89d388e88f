import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { JsonObject } from '../jws/token-syntax.js';

/** The registered-claim part of a route's policy, resolved once. */
export interface RegisteredClaimsPolicy {
  /** Seconds of leeway for `exp`, `nbf`, `iat`. */
  readonly clockTolerance: number;
  readonly requireExpiration: boolean;
  readonly maxTokenAge: number | undefined;
  readonly maxLifetime: number | undefined;
  /** Accepted audiences, or `null` when the route explicitly opted out. */
  readonly audiences: ReadonlySet<string> | null;
  /** Expected `typ`, normalised by {@link normalizeTyp}, when configured. */
  readonly typ: string | undefined;
}

/** Longest accepted `jti`, in characters. */
export const MAX_JTI = 128;

function malformed(message: string): ServiceJwtError {
  return new ServiceJwtError('token_malformed', message);
}

function missing(name: string): ServiceJwtError {
  return new ServiceJwtError('claim_missing', `token lacks the "${name}" claim`);
}

function isNumericDate(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && Number.isFinite(value));
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/**
 * Type checks done once per distinct token, before the key lookup: numeric dates must be
 * finite numbers (RFC 7519 §2 NumericDate), `iss`, `sub`, `jti` strings, `aud` a string or a
 * list of strings. Returns `iss`.
 *
 * @throws ServiceJwtError `token_malformed`, `claim_missing` (no `iss`)
 */
export function checkClaimTypes(claims: JsonObject): string {
  // Named loads rather than a loop over names: this runs on every fresh token.
  if (!isNumericDate(claims.exp)) throw malformed('token claim "exp" must be a number');
  if (!isNumericDate(claims.nbf)) throw malformed('token claim "nbf" must be a number');
  if (!isNumericDate(claims.iat)) throw malformed('token claim "iat" must be a number');
  const iss = claims.iss;
  if (!isOptionalString(iss)) throw malformed('token claim "iss" must be a string');
  if (!isOptionalString(claims.sub)) throw malformed('token claim "sub" must be a string');
  const jti = claims.jti;
  // A one-time id is a key of the replay store: bounded, never empty (design: 1 to 128).
  if (jti !== undefined && (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI)) {
    throw malformed(`token claim "jti" must be a string of 1 to ${MAX_JTI} characters`);
  }
  const aud = claims.aud;
  if (aud !== undefined && typeof aud !== 'string') {
    if (!Array.isArray(aud) || !aud.every((item) => typeof item === 'string')) {
      throw malformed('token claim "aud" must be a string or a list of strings');
    }
  }
  if (iss === undefined) throw missing('iss');
  return iss as string;
}

/** Lower-cases a media type and drops an `application/` prefix (RFC 7515 §4.1.9). */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') && lower.indexOf('/', 12) === -1
    ? lower.slice(12)
    : lower;
}

/**
 * Checks `exp`, `nbf`, `iat` (not in the future), the maximum age and lifetime, `aud` and the
 * `typ` header against `policy` at `now` (epoch seconds).
 *
 * @throws ServiceJwtError `claim_missing`, `token_expired`, `token_not_yet_valid`,
 *   `token_too_old`, `audience_mismatch`, `token_malformed` (wrong `typ`)
 */
export function checkRegisteredClaims(
  header: JsonObject,
  claims: JsonObject,
  policy: RegisteredClaimsPolicy,
  now: number,
): void {
  const tolerance = policy.clockTolerance;
  const exp = claims.exp as number | undefined;
  const nbf = claims.nbf as number | undefined;
  const iat = claims.iat as number | undefined;
  if (exp === undefined) {
    if (policy.requireExpiration) throw missing('exp');
  } else if (now >= exp + tolerance) {
    throw new ServiceJwtError('token_expired', 'token has expired');
  }
  if (nbf !== undefined && nbf > now + tolerance) {
    throw new ServiceJwtError('token_not_yet_valid', 'token is not valid yet');
  }
  if (iat !== undefined && iat > now + tolerance) {
    throw new ServiceJwtError('token_not_yet_valid', 'token was issued in the future');
  }
  if (policy.maxTokenAge !== undefined) {
    if (iat === undefined) throw missing('iat');
    if (now - iat > policy.maxTokenAge + tolerance) {
      throw new ServiceJwtError('token_too_old', 'token is too old');
    }
  }
  if (policy.maxLifetime !== undefined) {
    if (iat === undefined) throw missing('iat');
    if (exp === undefined) throw missing('exp');
    if (exp - iat > policy.maxLifetime) {
      throw new ServiceJwtError('token_too_old', 'token lifetime is too long');
    }
  }
  const audiences = policy.audiences;
  if (audiences !== null) {
    const aud = claims.aud as string | string[] | undefined;
    if (aud === undefined) throw missing('aud');
    let found = false;
    if (typeof aud === 'string') found = audiences.has(aud);
    else {
      for (let i = 0; i < aud.length && !found; i++) found = audiences.has(aud[i] as string);
    }
    if (!found)
      throw new ServiceJwtError('audience_mismatch', 'token is not meant for this audience');
  }
  if (policy.typ !== undefined) {
    const typ = header.typ;
    if (typeof typ !== 'string' || normalizeTyp(typ) !== policy.typ) {
      throw malformed('token type is not accepted');
    }
  }
}
