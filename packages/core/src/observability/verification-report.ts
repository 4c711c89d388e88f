import type { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { Trace } from '../verify/pipeline.js';
import type { ResolvedRoute } from '../verify/resolve-route.js';
import type { VerifiedServiceJwt } from '../verify/result.js';
import type { VerifierState } from '../verify/verifier-state.js';
import { verificationChannel } from './channels.js';
import type { VerificationEvent } from './events.js';
import { type Logger, logRefusal, type RefusalContext } from './logger.js';

const MAX_FIELD = 256;

/** One verification being watched: by a channel subscriber, a logger, or both. */
export interface Observation {
  readonly trace: Trace;
  readonly startedAt: number;
  readonly logger: Logger | null;
}

/** `undefined` unless someone watches: then the pipeline notes what the report needs. */
export function observe(logger: Logger | null): Observation | undefined {
  if (logger === null && !verificationChannel.hasSubscribers) return undefined;
  return {
    trace: { token: undefined, cached: false },
    startedAt: performance.now(),
    logger,
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, MAX_FIELD) : undefined;
}

function segment(token: string, index: number): Record<string, unknown> {
  try {
    const part = token.split('.')[index];
    if (part === undefined) return {};
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

// What a refused token says about itself, read leniently and only when someone watches: the
// few fields a log or event may carry, never the token.
function claimedFacts(token: string | undefined): RefusalContext {
  if (token === undefined) return {};
  const header = segment(token, 0);
  const claims = segment(token, 1);
  return {
    issuer: text(claims.iss),
    subject: text(claims.sub),
    jti: text(claims.jti),
    kid: text(header.kid),
    alg: text(header.alg),
  };
}

function verifiedFacts(result: VerifiedServiceJwt): RefusalContext {
  return {
    issuer: result.issuer,
    subject: text(result.subject),
    jti: text(result.claims.jti),
    kid: text(result.header.kid),
    alg: text(result.header.alg),
  };
}

// The route's audiences as events carry them: one frozen array per route, shared by its events.
const audienceLists = new WeakMap<ReadonlySet<string>, readonly string[]>();
function audienceList(audiences: ReadonlySet<string> | null): readonly string[] | null {
  if (audiences === null) return null;
  let list = audienceLists.get(audiences);
  if (list === undefined) {
    list = Object.freeze([...audiences]);
    audienceLists.set(audiences, list);
  }
  return list;
}

/** Publishes the verification event and logs a refusal, for a watched verification. */
export function report(
  observation: Observation,
  state: VerifierState,
  route: ResolvedRoute,
  outcome: { readonly result: VerifiedServiceJwt } | { readonly error: ServiceJwtError },
): void {
  const error = 'error' in outcome ? outcome.error : undefined;
  // An acceptance is never logged, only published: with no subscriber it has nothing to do.
  if (error === undefined && !verificationChannel.hasSubscribers) return;
  const facts =
    error === undefined
      ? verifiedFacts((outcome as { readonly result: VerifiedServiceJwt }).result)
      : claimedFacts(observation.trace.token);
  if (error !== undefined && observation.logger !== null) {
    logRefusal(observation.logger, error, facts);
  }
  if (!verificationChannel.hasSubscribers) return;
  const event: { -readonly [K in keyof VerificationEvent]: VerificationEvent[K] } = {
    outcome: error === undefined ? 'accepted' : 'refused',
    code: error?.code,
    status: error === undefined ? 200 : error.status,
    issuer: facts.issuer,
    issuerTrusted: facts.issuer !== undefined && state.keysOf(facts.issuer) !== undefined,
    subject: facts.subject,
    jti: facts.jti,
    kid: facts.kid,
    alg: facts.alg,
    audience: audienceList(route.registered.audiences),
    cached: observation.trace.cached,
    durationMs: performance.now() - observation.startedAt,
  };
  const transaction = 'result' in outcome ? outcome.result.transaction : undefined;
  if (transaction !== undefined) event.transactionHash = transaction.hash;
  verificationChannel.publish(event);
}
