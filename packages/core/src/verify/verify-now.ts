import { toServiceJwtError } from '../errors/service-jwt-error.js';
import type { Logger } from '../observability/logger.js';
import { type Observation, observe, report } from '../observability/verification-report.js';
import type { Internals } from './internals.js';
import type { PendingVerification } from './pending-verification.js';
import {
  authenticate,
  BodyWait,
  finishAfterBody,
  KeyFetch,
  verifyAsync,
  verifySync,
} from './pipeline.js';
import type { RequestLike } from './request.js';
import type { ResolvedRoute } from './resolve-route.js';
import type { VerifiedServiceJwt } from './result.js';
import type { VerifierState } from './verifier-state.js';

function rethrow(err: unknown): never {
  throw toServiceJwtError(err);
}

// A watched verification's refusal: reported, then thrown as `ServiceJwtError`.
function refuse(
  observation: Observation,
  state: VerifierState,
  route: ResolvedRoute,
  err: unknown,
): never {
  const error = toServiceJwtError(err);
  report(observation, state, route, { error });
  throw error;
}

function run(
  state: VerifierState,
  route: ResolvedRoute,
  input: RequestLike | string,
  observation: Observation | undefined,
): VerifiedServiceJwt | Promise<VerifiedServiceJwt> {
  const trace = observation?.trace;
  let fetching: KeyFetch | undefined;
  if (route.answersNow) {
    const result = verifySync(state, route, input, trace);
    // A body still to be read (a reader, called only when a body hash must be checked) is
    // waited for alone: steps 1–9 already passed in this turn.
    if (result instanceof BodyWait) return finishAfterBody(state, route, result).catch(rethrow);
    if (!(result instanceof KeyFetch)) return result;
    fetching = result;
  }
  return verifyAsync(state, route, input, trace, fetching).catch(rethrow);
}

/**
 * What `verifyNow` and `authenticateRequest` need of a verifier's internals: callers look them
 * up once (the verifier at construction, a guard when it is made), not per request.
 */
type VerifyTarget = Pick<Internals, 'state' | 'route'>;

/**
 * Verifies a request (or a bare token) and answers as soon as it can: the result itself when
 * no step had to wait, a promise otherwise. Throws or rejects with `ServiceJwtError` only.
 * Watched (a `service-jwt:verification` subscriber, or a logger), it also publishes the event
 * and logs a refusal; `logger` `undefined` means the verifier's own.
 */
export function verifyNow(
  { state, route }: VerifyTarget,
  input: RequestLike | string,
  logger?: Logger | null,
): VerifiedServiceJwt | Promise<VerifiedServiceJwt> {
  const observation = observe(logger === undefined ? state.logger : logger);
  if (observation === undefined) {
    try {
      return run(state, route, input, undefined);
    } catch (err) {
      return rethrow(err);
    }
  }
  let outcome: VerifiedServiceJwt | Promise<VerifiedServiceJwt>;
  try {
    outcome = run(state, route, input, observation);
  } catch (err) {
    return refuse(observation, state, route, err);
  }
  if (outcome instanceof Promise) {
    return outcome.then(
      (result) => {
        report(observation, state, route, { result });
        return result;
      },
      (err: unknown) => refuse(observation, state, route, err),
    );
  }
  report(observation, state, route, { result: outcome });
  return outcome;
}

/**
 * Steps 1–9 now, the body and replay steps once the adapter has streamed the body. Watched,
 * the verification is reported when it ends, in either phase.
 */
export function authenticateRequest(
  { state, route }: VerifyTarget,
  request: RequestLike,
  logger?: Logger | null,
): Promise<PendingVerification> {
  const observation = observe(logger === undefined ? state.logger : logger);
  const refused = (err: unknown): never => {
    const error = toServiceJwtError(err);
    if (observation !== undefined) report(observation, state, route, { error });
    throw error;
  };
  return authenticate(state, route, request, observation?.trace).then(
    (pending) => ({
      bodyCheck: pending.bodyCheck,
      complete: (body) =>
        pending.complete(body).then((result) => {
          if (observation !== undefined) report(observation, state, route, { result });
          return result;
        }, refused),
    }),
    refused,
  );
}
