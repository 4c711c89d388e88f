import type { ResolvedServiceOptions, TransactionContexts } from './options.js';
import { requireWithin, scopeWords } from './scope.js';
import { verifySubject } from './subject-token.js';
import { refuse } from './token-endpoint-response.js';

/** The claims of a Txn-Token about to be minted, before the times and the signature. */
export interface PendingClaims {
  /** Set for a replacement (the original's); a new transaction gets a fresh UUID. */
  readonly txn?: string;
  readonly sub: string;
  readonly scope: readonly string[];
  readonly workload: string;
  readonly tctx: Readonly<Record<string, unknown>> | undefined;
  readonly rctx: Readonly<Record<string, unknown>> | undefined;
  /** The earlier requesters, for a replacement. */
  readonly chain?: readonly string[];
}

/** A first exchange: the user's credential and the request's contexts. */
export interface ExchangeRequest {
  readonly subjectToken: string;
  readonly subjectType: string;
  readonly requestedScope: readonly string[];
  readonly requestContext: Readonly<Record<string, unknown>> | undefined;
  readonly requestDetails: Readonly<Record<string, unknown>> | undefined;
  readonly workload: string;
}

function contextOrAbsent(
  value: unknown,
  name: string,
): Readonly<Record<string, unknown>> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    refuse('server_error', `buildContext must return ${name} as an object or leave it out`);
  }
  return value as Readonly<Record<string, unknown>>;
}

/**
 * The claims of a new transaction: the subject from the configured verifier, a scope within
 * what the subject may be granted, `rctx`/`tctx` from the request (or `buildContext`).
 */
export async function mintedClaims(
  options: ResolvedServiceOptions,
  request: ExchangeRequest,
): Promise<PendingClaims> {
  const subject = await verifySubject(
    options,
    request.subjectToken,
    request.subjectType,
    request.workload,
  );
  let grantable: readonly string[];
  if (options.scopePolicy !== undefined) {
    grantable = await options.scopePolicy({
      subject,
      workload: request.workload,
      requested: request.requestedScope,
    });
    if (!Array.isArray(grantable)) refuse('server_error', 'scopePolicy must return a list');
  } else if (subject.scope !== undefined) {
    grantable = scopeWords(subject.scope);
  } else {
    // draft §"Unknown subject_token scope": never treat an unknown scope as unconstrained.
    return refuse('invalid_scope', "the subject token's scope is unknown");
  }
  requireWithin(request.requestedScope, grantable);
  const contexts: TransactionContexts =
    options.buildContext === undefined
      ? { rctx: request.requestContext, tctx: request.requestDetails }
      : await options.buildContext({
          requestContext: request.requestContext,
          requestDetails: request.requestDetails,
          subject,
          workload: request.workload,
        });
  return {
    sub: subject.sub,
    scope: request.requestedScope,
    workload: request.workload,
    tctx: contextOrAbsent(contexts?.tctx, 'tctx'),
    rctx: contextOrAbsent(contexts?.rctx, 'rctx'),
  };
}
