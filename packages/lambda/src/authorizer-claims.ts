import { type ServiceJwtClaims, ServiceJwtError } from '@service-jwt/core';

// NumericDate claims (RFC 7519 §4.1, OIDC `auth_time`): the only strings turned into numbers.
const NUMERIC_DATE_CLAIMS = new Set(['exp', 'nbf', 'iat', 'auth_time']);
const NUMBER = /^-?\d+(\.\d+)?$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeValue(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (NUMERIC_DATE_CLAIMS.has(name)) return NUMBER.test(value) ? Number(value) : value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (value.startsWith('{') && value.endsWith('}')) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (isPlainObject(parsed)) return parsed;
    } catch {
      // Not JSON after all: a string that happens to be braced stays a string.
    }
    return value;
  }
  if (value.startsWith('[') && value.endsWith(']')) {
    return value
      .slice(1, -1)
      .split(/\s+/)
      .filter((item) => item !== '');
  }
  return value;
}

/**
 * Decodes the claims an API Gateway authorizer hands over, where every value became a string:
 * `"[a b c]"` → `['a', 'b', 'c']`, a JSON object string → the object, `"true"`/`"false"` →
 * booleans, and the NumericDate claims `exp`, `nbf`, `iat`, `auth_time` → numbers. Other
 * strings stay strings, numeric-looking ones included (the gateway erased the difference
 * between `"42"` and `42`; `sub` and ids are often digits). Values that are not strings are
 * kept. Returns a frozen copy with no prototype.
 *
 * @example
 * ```ts
 * decodeAuthorizerClaims({ roles: '[admin ops]', 'st-ev': '{"v":true}', exp: '1700000000' });
 * // { roles: ['admin', 'ops'], 'st-ev': { v: true }, exp: 1700000000 }
 * ```
 */
export function decodeAuthorizerClaims(
  raw: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const claims: Record<string, unknown> = Object.create(null);
  for (const name of Object.keys(raw)) claims[name] = decodeValue(name, raw[name]);
  return Object.freeze(claims);
}

/**
 * Reads the claims of a verified token from an authorizer's context:
 * `requestContext.authorizer.jwt.claims` (HTTP API JWT authorizer) or
 * `requestContext.authorizer.claims` (REST API with a Cognito user pool authorizer), decoded
 * with {@link decodeAuthorizerClaims}. Headers are never read.
 *
 * @throws ServiceJwtError `token_missing` (401) when the event has no authorizer claims (the
 *   route is not behind an authorizer: fail closed), `claim_missing` (401) without an `iss`.
 */
export function readAuthorizerClaims(event: unknown): ServiceJwtClaims {
  const context = isPlainObject(event) ? event.requestContext : undefined;
  const authorizer = isPlainObject(context) ? context.authorizer : undefined;
  let raw: unknown;
  if (isPlainObject(authorizer)) {
    raw = isPlainObject(authorizer.jwt) ? authorizer.jwt.claims : authorizer.claims;
  }
  if (!isPlainObject(raw)) {
    throw new ServiceJwtError('token_missing', 'no authorizer claims on the event');
  }
  const claims = decodeAuthorizerClaims(raw);
  if (typeof claims.iss !== 'string' || claims.iss === '') {
    throw new ServiceJwtError('claim_missing', 'the authorizer claims lack "iss"');
  }
  return claims as ServiceJwtClaims;
}
