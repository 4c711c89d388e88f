import {
  errorResponse,
  type ServiceJwtClaims,
  type ServiceJwtError,
  type VerifiedServiceJwt,
  type VerifiedTransactionToken,
} from '@service-jwt/core';
import {
  configurationError,
  logRefusal,
  runInTransaction,
  toServiceJwtError,
  withRealmHeaders,
} from '@service-jwt/core/adapter';
import { readAuthorizerClaims } from './authorizer-claims.js';
import type { ApiGatewayEventLike, ServiceJwtErrorResult } from './events.js';
import {
  type LambdaAuthorizerOptions,
  type LambdaServiceJwtOptions,
  type LambdaVerifyOptions,
  resolveLambdaOptions,
} from './options.js';
import { toRequestLike } from './request.js';
import { signAnswer } from './signed-response.js';

/**
 * What authorizer mode hands to the handler: the decoded authorizer claims (a frozen copy
 * with no prototype), `claims.iss` and `claims.sub`. There is no token or header: the function
 * never saw the token. A {@link VerifiedServiceJwt} is assignable to it.
 */
export interface AuthorizedServiceJwt {
  readonly claims: ServiceJwtClaims;
  readonly issuer: string;
  readonly subject: string | undefined;
  /** The verified Txn-Token, in verify mode on a route that reads them; never in authorizer mode. */
  readonly transaction?: VerifiedTransactionToken;
}

/** The event the wrapped handler receives: the API Gateway event plus `serviceJwt`. */
export type ServiceJwtEvent<E, A = VerifiedServiceJwt> = E & { readonly serviceJwt: A };

/** The function `withServiceJwt` returns: a Lambda handler for API Gateway. */
export type ServiceJwtLambdaHandler<E, C, R> = (
  event: E,
  context: C,
) => Promise<R | ServiceJwtErrorResult>;

/** Turns an error into the API Gateway response for it, with core's `errorResponse`. */
export function toErrorResult(err: ServiceJwtError, realm?: string): ServiceJwtErrorResult {
  const response = errorResponse(err, realm === undefined ? {} : { realm });
  return {
    statusCode: response.status,
    headers: response.headers,
    body: JSON.stringify(response.body),
    isBase64Encoded: false,
  };
}

/**
 * Wraps an async API Gateway handler (REST API payload 1.0 or HTTP API payload 2.0) so it
 * runs only for a request with a valid service JWT. Call it at module scope: the verifier and
 * its key cache are created once per container, not per invocation.
 *
 * - Verify mode (default): the token is read from the event's headers and verified by core
 *   (signature, issuer, audience, expiry, `source`, claim rules, callers, revocation,
 *   `htm`/`htu`, `bdy` over the base64-decoded body, replay).
 * - `mode: 'authorizer'`: API Gateway's authorizer verified the token; the claims it passes on
 *   (`requestContext.authorizer.jwt.claims` or `.claims`) are decoded and checked with the
 *   claim rules, compiled once by core's `createClaimsCheck`. No authorizer claims → 401;
 *   headers are never read.
 *
 * The handler gets a shallow copy of the event with `serviceJwt` set (any `serviceJwt` member
 * of the incoming event is overwritten) and the Lambda context. Failures return
 * `{ statusCode, headers, body }` with the design's status, `WWW-Authenticate` and JSON body
 * `{ error, code, message }`; errors thrown by the handler itself pass through untouched.
 *
 * @throws ServiceJwtError `configuration_error` at construction, naming the invalid option.
 *   Invocations fail with every code of core's error table.
 * @example
 * ```ts
 * export const handler = withServiceJwt(
 *   { issuers: { 'https://herald.service/': { jwksUri } }, audience: 'https://census.service/' },
 *   async (event: ServiceJwtEvent<APIGatewayProxyEventV2>) => ({
 *     statusCode: 200,
 *     body: JSON.stringify({ caller: event.serviceJwt.issuer }),
 *   }),
 * );
 * ```
 */
export function withServiceJwt<E extends ApiGatewayEventLike, C = unknown, R = unknown>(
  options: LambdaAuthorizerOptions,
  handler: (event: ServiceJwtEvent<E, AuthorizedServiceJwt>, context: C) => Promise<R>,
): ServiceJwtLambdaHandler<E, C, R>;
export function withServiceJwt<E extends ApiGatewayEventLike, C = unknown, R = unknown>(
  options: LambdaVerifyOptions,
  handler: (event: ServiceJwtEvent<E, VerifiedServiceJwt>, context: C) => Promise<R>,
): ServiceJwtLambdaHandler<E, C, R>;
export function withServiceJwt<E extends ApiGatewayEventLike, C, R>(
  options: LambdaServiceJwtOptions,
  handler: (event: ServiceJwtEvent<E, AuthorizedServiceJwt>, context: C) => Promise<R>,
): ServiceJwtLambdaHandler<E, C, R> {
  const resolved = resolveLambdaOptions(options);
  if (typeof handler !== 'function') {
    throw configurationError('handler must be a function');
  }

  const authenticate = async (event: E): Promise<AuthorizedServiceJwt> => {
    if (resolved.mode === 'verify') return resolved.guard.verify(toRequestLike(event));
    let claims: ServiceJwtClaims | undefined;
    try {
      claims = readAuthorizerClaims(event);
      resolved.check(claims);
      return Object.freeze({ claims, issuer: claims.iss, subject: stringOrUndefined(claims.sub) });
    } catch (err) {
      // The verifier logs verify mode's refusals; the claim rules here are this wrapper's own.
      if (resolved.logger !== null) {
        logRefusal(resolved.logger, toServiceJwtError(err), {
          issuer: stringOrUndefined(claims?.iss),
          subject: stringOrUndefined(claims?.sub),
          jti: stringOrUndefined(claims?.jti),
        });
      }
      throw err;
    }
  };

  return async function serviceJwtHandler(event: E, context: C) {
    let serviceJwt: AuthorizedServiceJwt;
    try {
      serviceJwt = await authenticate(event);
    } catch (caught) {
      const err = withRealmHeaders(toServiceJwtError(caught), resolved.realm);
      if (resolved.onError === 'throw') throw err;
      return toErrorResult(err, resolved.realm);
    }
    // In verify mode, the handler runs with the verified Txn-Token as `currentTransaction()`
    // (a plain call when there is none; authorizer mode never has one).
    const result = await runInTransaction(serviceJwt, () =>
      handler({ ...event, serviceJwt }, context),
    );
    const sign = resolved.mode === 'verify' ? resolved.guard.signResponse : null;
    return sign === null ? result : signAnswer(sign, toRequestLike(event), result);
  };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
