import type { ServiceJwtErrorCode } from '@service-jwt/core';
import { humanDuration } from './values.js';

/** One check a verifier would apply to a token, as `inspect` explains it. */
export interface InspectCheck {
  /** `algorithm`, `key`, `crit`, `issuer`, `audience`, `expiry`, `not before`, `issued`, `source`, `subject`, `body`, `request`, `replay`. */
  readonly check: string;
  /** What the token holds for this check and what a verifier does with it. */
  readonly note: string;
  /** The code a verifier with default options refuses the token with, when it certainly would. */
  readonly refusal?: ServiceJwtErrorCode;
}

function when(seconds: unknown, nowSeconds: number): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds))
    return `not a number (${JSON.stringify(seconds)})`;
  const date = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  const delta = seconds - nowSeconds;
  return `${date} (${delta >= 0 ? `in ${humanDuration(delta)}` : `${humanDuration(delta)} ago`})`;
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The checks a service-jwt verifier would apply to a decoded (unverified) token, in pipeline
 * order, each with a note and, where a default verifier certainly refuses, the code.
 */
export function describeChecks(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  nowSeconds: number,
  sourceClaim: string,
): InspectCheck[] {
  const checks: InspectCheck[] = [];
  const add = (check: string, note: string, refusal?: ServiceJwtErrorCode) =>
    checks.push(refusal === undefined ? { check, note } : { check, note, refusal });
  add(
    'algorithm',
    `${show(header.alg)}: must be allowed for the issuer's key type (never "none")`,
    header.alg === 'none' ? 'algorithm_not_allowed' : undefined,
  );
  add(
    'key',
    header.kid === undefined
      ? 'no kid: the issuer must have a single key'
      : `kid ${show(header.kid)} selects the key in the issuer's set`,
  );
  if (header.crit !== undefined)
    add('crit', `${show(header.crit)}: unknown critical parameters are refused`);
  if (claims.iss === undefined) add('issuer', 'MISSING: refused', 'issuer_not_trusted');
  else add('issuer', `${show(claims.iss)}: must be a configured trusted issuer`);
  add(
    'audience',
    claims.aud === undefined
      ? 'none: refused unless the route opts out (audience: null)'
      : `${show(claims.aud)}: must contain the route's audience`,
  );
  if (claims.exp === undefined) add('expiry', 'no exp: refused by default', 'claim_missing');
  else if (typeof claims.exp === 'number' && claims.exp <= nowSeconds)
    add('expiry', `${when(claims.exp, nowSeconds)} — EXPIRED`, 'token_expired');
  else add('expiry', when(claims.exp, nowSeconds));
  if (claims.nbf !== undefined) {
    if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds)
      add('not before', `${when(claims.nbf, nowSeconds)} — NOT YET VALID`, 'token_not_yet_valid');
    else add('not before', when(claims.nbf, nowSeconds));
  }
  if (claims.iat !== undefined) {
    const lifetime =
      typeof claims.iat === 'number' && typeof claims.exp === 'number'
        ? `; lifetime ${humanDuration(claims.exp - claims.iat)}`
        : '';
    add('issued', `${when(claims.iat, nowSeconds)}${lifetime}`);
  }
  const source = claims[sourceClaim];
  add(
    'source',
    source === undefined
      ? `no ${sourceClaim} claim: refused where the service-source check is on (default)`
      : `${sourceClaim}=${show(source)}: the default check accepts "microservice"`,
  );
  add(
    'subject',
    claims.sub === undefined ? 'none' : `${show(claims.sub)}: handed to the application`,
  );
  add(
    'body',
    claims.bdy === undefined
      ? 'no bdy: the body is not bound (refused where policy requires it)'
      : `bdy ${show(claims.bdy)}: SHA-256 (base64url) of the raw body must match`,
  );
  if (claims.htm !== undefined || claims.htu !== undefined) {
    add(
      'request',
      `${show(claims.htm ?? '?')} ${show(claims.htu ?? '?')}: the request's method and target must match`,
    );
  } else add('request', 'no htm/htu: not bound to a method and target');
  add(
    'replay',
    claims.jti === undefined
      ? 'no jti: refused where a replay store is configured'
      : `jti ${show(claims.jti)}: one-time use where a replay store is configured`,
  );
  return checks;
}

/**
 * The checks a service-jwt verifier would apply, explained for a decoded token: one text line
 * per check, as `service-jwt inspect` prints them.
 */
export function explainChecks(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  nowSeconds: number,
  sourceClaim: string,
): string[] {
  return describeChecks(header, claims, nowSeconds, sourceClaim).map(
    ({ check, note, refusal }) =>
      `  ${check.padEnd(11)} ${note}${refusal === undefined ? '' : ` (${refusal})`}`,
  );
}
