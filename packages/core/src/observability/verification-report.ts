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

/** Publishes the verification event and logs a refusal, for a watched verification. */
export function report(
  observation: Observation,
  state: VerifierState,
  route: ResolvedRoute,
  outcome: { readonly result: VerifiedServiceJwt } | { readonly error: ServiceJwtError },
): void {
  const facts =
    'result' in outcome ? verifiedFacts(outcome.result) : claimedFacts(observation.trace.token);
  if ('error' in outcome && observation.logger !== null) {
    logRefusal(observation.logger, outcome.error, facts);
  }
  if (!verificationChannel.hasSubscribers) return;
  const audiences = route.registered.audiences;
  const event: VerificationEvent = {
    outcome: 'result' in outcome ? 'accepted' : 'refused',
    code: 'error' in outcome ? outcome.error.code : undefined,
    status: 'error' in outcome ? outcome.error.status : 200,
    issuer: facts.issuer,
    issuerTrusted: facts.issuer !== undefined && state.keysOf(facts.issuer) !== undefined,
    subject: facts.subject,
    jti: facts.jti,
    kid: facts.kid,
    alg: facts.alg,
    audience: audiences === null ? null : [...audiences],
    cached: observation.trace.cached,
    durationMs: performance.now() - observation.startedAt,
    ...('result' in outcome && outcome.result.transaction !== undefined
      ? { transactionHash: outcome.result.transaction.hash }
      : {}),
  };
  verificationChannel.publish(event);
}
