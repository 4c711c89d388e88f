import { rejectUnknownOptions } from '../errors/option-names.js';
import { configurationError } from '../errors/refusals.js';
import {
  type ErrorResponse,
  errorResponse,
  type ServiceJwtError,
  toServiceJwtError,
} from '../errors/service-jwt-error.js';
import { type HttpResponseToSign, signHttpResponse } from '../http-signatures/sign-response.js';
import { type Logger, resolveLogger } from '../observability/logger.js';
import { type Internals, internalsOf } from '../verify/internals.js';
import type { RouteOptions } from '../verify/options.js';
import type { PendingVerification } from '../verify/pending-verification.js';
import type { RequestLike } from '../verify/request.js';
import { ROUTE_KEYS } from '../verify/resolve-route.js';
import type { VerifiedServiceJwt } from '../verify/result.js';
import type { ServiceJwtVerifier } from '../verify/verifier-interface.js';
import { authenticateRequest, verifyNow } from '../verify/verify-now.js';
import {
  type AdapterOptionsSettings,
  type ErrorHandlingOptions,
  resolveAdapterOptions,
  resolveErrorHandling,
} from './adapter-options.js';
import { withRealmHeaders } from './realm-headers.js';

/**
 * Everything an adapter needs from core, resolved once from its options: the verifier, how
 * refusals are answered, and the calls a request makes. Adapters map their framework's
 * request to `RequestLike`, call {@link Guard.verify} (or {@link Guard.authenticate} when they
 * stream the body), attach the result, and write {@link Guard.response} or hand
 * {@link Guard.forHost} to the framework. Nothing else.
 */
export interface Guard {
  /** The route's verifier (shared key caches and stores with every guard of the same options). */
  readonly verifier: ServiceJwtVerifier;
  /** `'respond'`: write {@link Guard.response}; `'throw'`: hand {@link Guard.forHost} to the host. */
  readonly onError: 'respond' | 'throw';
  /** `true` when the guard created the verifier, so the adapter closes it with the app. */
  readonly owned: boolean;
  /**
   * The guard of one route: `onError` and `realm` replace the guard's own, the rest goes
   * through the verifier's `forRoute` (validated now, `configuration_error` naming the
   * option). No overrides: this guard itself. `label` is how the user wrote these options,
   * put before each option name in messages: `requireServiceJwt(options)`,
   * `route GET /a config.serviceJwt`. @default 'route options'
   */
  forRoute(overrides: (RouteOptions & ErrorHandlingOptions) | undefined, label?: string): Guard;
  /**
   * Every step of the pipeline. Returns the result itself when no step had to wait (a cached
   * token, local keys, in-memory stores, no body to read), so the framework can go on in the
   * same turn; otherwise a promise. Throws (or rejects with) `ServiceJwtError` only. A
   * refusal is logged to `logger` (a per-request logger such as Fastify's `request.log`), else
   * to the adapter's `logger` option, else to the verifier's own.
   */
  verify(request: RequestLike, logger?: Logger): VerifiedServiceJwt | Promise<VerifiedServiceJwt>;
  /** Steps 1–9 now and the body hash and replay record after the body streamed through. */
  authenticate(request: RequestLike, logger?: Logger): Promise<PendingVerification>;
  /** The response for a refusal: status, headers (with the realm) and the JSON body. */
  response(err: ServiceJwtError): ErrorResponse;
  /** The refusal as the host's error handling gets it: `headers` carry the configured realm. */
  forHost(err: unknown): ServiceJwtError;
  /**
   * The route's response signing (`httpSignature.signResponse`), or `null` when its answers
   * are not signed: the headers (`Signature-Input`, `Signature`, `Content-Digest`) to add to
   * the answer to `request`, a request this guard accepted, given the exact body bytes.
   * Throws `configuration_error` only.
   */
  readonly signResponse:
    | ((request: RequestLike, response: HttpResponseToSign) => Record<string, string>)
    | null;
}

type ResponseSigning = NonNullable<Guard['signResponse']>;

function responseSigning({ state, route }: Internals): ResponseSigning | null {
  const signing = route.httpSignature?.signResponse ?? null;
  if (signing === null) return null;
  const options = {
    key: signing.bound.key,
    bound: signing.bound,
    tag: signing.tag,
    lifetime: signing.lifetime,
    now: state.now,
  };
  return (request, response) => ({
    ...signHttpResponse(response, request, options),
  });
}

const ROUTE_OPTION_NAMES = new Set<string>([...ROUTE_KEYS, 'onError', 'realm', 'logger']);

function makeGuard(
  verifier: ServiceJwtVerifier,
  owned: boolean,
  onError: 'respond' | 'throw',
  realm: string | undefined,
  ownLogger: Logger | null,
): Guard {
  const loggerFor = (logger: Logger | undefined) => logger ?? ownLogger ?? undefined;
  // Looked up once per guard rather than on every request.
  const internals = internalsOf(verifier);
  const responseOptions = realm === undefined ? {} : { realm };
  const guard: Guard = {
    verifier,
    onError,
    owned,
    forRoute(overrides, label = 'route options') {
      if (overrides === undefined) return guard;
      if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
        throw configurationError(`${label} must be an object`);
      }
      if (Object.keys(overrides).length === 0) return guard;
      const prefix = `${label}: `;
      rejectUnknownOptions(overrides, ROUTE_OPTION_NAMES, { path: prefix });
      const {
        onError: ownOnError,
        realm: ownRealm,
        logger: routeLogger,
        ...route
      } = overrides as RouteOptions & ErrorHandlingOptions & { logger?: unknown };
      const handling = resolveErrorHandling({ onError: ownOnError, realm: ownRealm });
      const logger = resolveLogger(routeLogger, `${prefix}logger`) ?? ownLogger;
      return makeGuard(
        Object.keys(route).length === 0 ? verifier : internals.derive(route, prefix),
        false,
        ownOnError === undefined ? onError : handling.onError,
        ownRealm === undefined ? realm : handling.realm,
        logger,
      );
    },
    verify: (request, logger) => verifyNow(internals, request, loggerFor(logger)),
    authenticate: (request, logger) => authenticateRequest(internals, request, loggerFor(logger)),
    response: (err) => errorResponse(err, responseOptions),
    forHost: (err) => withRealmHeaders(toServiceJwtError(err), realm),
    signResponse: responseSigning(internals),
  };
  return guard;
}

/**
 * Resolves an adapter's options once, at construction: core's verifier options (or
 * `{ verifier, ...routeOverrides }`) plus `onError` and `realm`.
 *
 * @throws ServiceJwtError `configuration_error` naming the invalid option.
 * @example
 * ```ts
 * const guard = createGuard(options, { adapterKeys: ['global'] });
 * const outcome = guard.verify(toRequestLike(req));
 * ```
 */
export function createGuard(options: unknown, settings: AdapterOptionsSettings = {}): Guard {
  const { verifier, owned, onError, realm, logger } = resolveAdapterOptions(options, settings);
  return makeGuard(verifier, owned, onError, realm, logger);
}
