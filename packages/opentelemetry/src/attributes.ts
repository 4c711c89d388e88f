import { SERVICE_JWT_ERROR_CODES } from '@service-jwt/core';

/**
 * The attribute names this package records. `error.type` is OpenTelemetry's semantic
 * convention; the others are namespaced so they never clash with an HTTP instrumentation's
 * attributes on the same span.
 */
export const ATTRIBUTES = Object.freeze({
  /** The issuer: its `iss` value, `(untrusted)` or `(other)`; absent when no `iss` was readable. */
  issuer: 'service_jwt.issuer',
  /** `accepted` or `refused` (verification metrics and spans). */
  result: 'service_jwt.result',
  /** Metrics: the refusal code (when refused), or a fetch's errno or HTTP status (when failed). */
  errorType: 'error.type',
  /** Spans: the refusal code (`error.type` on a request span belongs to the HTTP instrumentation). */
  code: 'service_jwt.code',
  /** Spans: `true` when the signature check was answered from the verification cache. */
  cached: 'service_jwt.cached',
  /** `fetched` or `failed` (key-set fetches). */
  outcome: 'service_jwt.outcome',
  /** `replay` or `revocation` (store errors). */
  store: 'service_jwt.store',
  /** `synchronized`, `lagging` or `resync` (revocation list synchronisation). */
  syncEvent: 'service_jwt.sync.event',
} as const);

/** The issuer bucket of a token whose `iss` is not a configured issuer: any caller can write it. */
export const UNTRUSTED_ISSUER = '(untrusted)';
/** The issuer bucket of a trusted issuer left out of the `issuers` option. */
export const OTHER_ISSUER = '(other)';
/** OpenTelemetry's `error.type` value for an error outside the known set. */
export const OTHER_ERROR = '_OTHER';

const codes: ReadonlySet<string> = new Set(SERVICE_JWT_ERROR_CODES);
const errno = /^E[A-Z0-9_]{1,62}$/;

/** How an issuer is recorded: by value only when trusted and (if a list is given) listed. */
export function issuerLabel(
  issuer: string,
  trusted: boolean,
  recorded: ReadonlySet<string> | undefined,
): string {
  if (!trusted) return UNTRUSTED_ISSUER;
  return recorded === undefined || recorded.has(issuer) ? issuer : OTHER_ISSUER;
}

/** A refusal code from core's closed set, else `_OTHER`. */
export function refusalCode(code: unknown): string {
  return typeof code === 'string' && codes.has(code) ? code : OTHER_ERROR;
}

/** A failed fetch's `error.type`: the errno (`ECONNREFUSED`), else the HTTP status, else `_OTHER`. */
export function fetchErrorType(
  errnoCode: string | undefined,
  httpStatus: number | undefined,
): string {
  if (typeof errnoCode === 'string' && errno.test(errnoCode)) return errnoCode;
  if (Number.isInteger(httpStatus) && (httpStatus as number) >= 100 && (httpStatus as number) < 600)
    return String(httpStatus);
  return OTHER_ERROR;
}

/** `value` when it is one of `allowed`, else `_OTHER`: for the closed enums of the events. */
export function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
): T | typeof OTHER_ERROR {
  return allowed.includes(value as T) ? (value as T) : OTHER_ERROR;
}
