import { configurationError } from '../errors/refusals.js';
import { isServiceJwtError, type ServiceJwtError } from '../errors/service-jwt-error.js';

type LogMethod = (fields: Record<string, unknown>, message: string) => void;

/**
 * Where service-jwt writes what it decides: a pino logger (`fastify.log`, `request.log`), a
 * console, or anything with these four methods. Each call is `(fields, message)`; no field or
 * message ever holds a token, an Authorization value, a signature or key material.
 */
export interface Logger {
  readonly error: LogMethod;
  readonly warn: LogMethod;
  readonly info: LogMethod;
  readonly debug: LogMethod;
}

const LEVELS = ['error', 'warn', 'info', 'debug'] as const;

/**
 * Validates a `logger` option: `undefined` (no logging) or an object with `error`, `warn`,
 * `info` and `debug` functions.
 *
 * @throws ServiceJwtError `configuration_error` naming the option and the missing method.
 */
export function resolveLogger(value: unknown, option: string): Logger | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw configurationError(
      `${option} must be a logger (pino, console, or { error, warn, info, debug })`,
    );
  }
  for (const level of LEVELS) {
    if (typeof (value as Record<string, unknown>)[level] !== 'function') {
      throw configurationError(
        `${option}.${level} must be a function: pass a pino or console-shaped logger`,
      );
    }
  }
  // Bound once, so a method that relies on `this` (console, pino) keeps it.
  const source = value as Record<(typeof LEVELS)[number], LogMethod>;
  return Object.freeze({
    error: source.error.bind(value),
    warn: source.warn.bind(value),
    info: source.info.bind(value),
    debug: source.debug.bind(value),
  });
}

/**
 * An error by its shape, not `instanceof`: errors made in another realm (a worker, a `vm`
 * context, a test environment) are not instances of this realm's `Error`.
 */
export function isErrorLike(value: unknown): value is Error {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

// The errno-like fields a Node error carries; anything else of a cause stays out of the log.
const CAUSE_FIELDS = ['code', 'errno', 'syscall', 'address', 'port', 'status'] as const;
const MAX_CAUSES = 5;

/**
 * The `cause` chain of an error (with the error itself when `withSelf`, or when it is not a
 * `ServiceJwtError`) as plain log fields: name, message and the network fields of each
 * (`ECONNREFUSED`, the address), at most five deep. Messages of service-jwt never hold a
 * token; a cause's message is the one its library wrote (a URL, an errno).
 */
export function describeCauses(
  err: unknown,
  options: { readonly withSelf?: boolean } = {},
): Array<Record<string, unknown>> {
  const chain: Array<Record<string, unknown>> = [];
  let current: unknown = isServiceJwtError(err) && options.withSelf !== true ? err.cause : err;
  while (current !== undefined && current !== null && chain.length < MAX_CAUSES) {
    if (isErrorLike(current)) {
      const entry: Record<string, unknown> = { name: current.name, message: current.message };
      for (const field of CAUSE_FIELDS) {
        const value = (current as unknown as Record<string, unknown>)[field];
        if (typeof value === 'string' || typeof value === 'number') entry[field] = value;
      }
      chain.push(entry);
      current = current.cause;
    } else {
      chain.push({ message: String(current) });
      break;
    }
  }
  return chain;
}

// What to do about a 5xx, said once in the log rather than to the caller.
const FIX: Partial<Record<ServiceJwtError['code'], string>> = {
  keys_unavailable:
    "the issuer's key set cannot be fetched and no usable keys are cached: check that its URL is reachable from this service (see cause)",
  store_unavailable:
    'the replay store or revocation list cannot answer, so requests fail closed: check the store (see cause)',
};

/** Facts about the token a refusal log may carry: `iss`, `sub`, `jti`, `kid`, `alg`. */
export interface RefusalContext {
  readonly issuer?: string | undefined;
  readonly subject?: string | undefined;
  readonly jti?: string | undefined;
  readonly kid?: string | undefined;
  readonly alg?: string | undefined;
}

/**
 * Logs one refused request: a 5xx at `error` with its cause chain and the fix (an outage or a
 * misconfiguration someone must act on), anything else at `debug` (the caller's problem).
 */
export function logRefusal(logger: Logger, err: ServiceJwtError, context: RefusalContext): void {
  const fields: Record<string, unknown> = { code: err.code, status: err.status };
  for (const [name, value] of Object.entries(context)) {
    if (value !== undefined) fields[name] = value;
  }
  const message = `service-jwt refused a request: ${err.status} ${err.code}: ${err.message}`;
  if (err.status < 500) {
    logger.debug(fields, message);
    return;
  }
  const fix = FIX[err.code] ?? (err.code === 'configuration_error' ? err.message : undefined);
  if (fix !== undefined) fields.fix = fix;
  const causes = describeCauses(err);
  if (causes.length > 0) fields.cause = causes;
  logger.error(fields, message);
}
