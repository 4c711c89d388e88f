import { isServiceJwtError } from '../../errors/service-jwt-error.js';
import { deepEqual } from '../../verify/claim-rules.js';
import type { TransactionTokenClaims } from '../txn-token.js';
import { requireWithin, scopeWords } from './scope.js';
import { refuse } from './token-endpoint-response.js';
import type { TxnTokenMinter } from './txn-token-minter.js';

/**
 * The private claim that keeps, oldest first, the workloads that requested the earlier tokens
 * of a transaction: a replacement's `req_wl` is the workload asking for it, and the draft
 * requires the chain of requesters to survive replacement (§"Txn-Token as a subject_token").
 */
export const REQUESTER_CHAIN_CLAIM = 'req_wl_chain';

/** What a replacement request asks for. */
export interface ReplacementRequest {
  /** The Txn-Token to replace. */
  readonly subjectToken: string;
  readonly requestedScope: readonly string[];
  readonly requestContext: Readonly<Record<string, unknown>> | undefined;
  readonly requestDetails: Readonly<Record<string, unknown>> | undefined;
  readonly maxReplacements: number;
}

/** The claims a replacement carries over from the original. */
export interface CarriedClaims {
  readonly txn: string;
  readonly sub: string;
  readonly tctx: Readonly<Record<string, unknown>> | undefined;
  readonly rctx: Readonly<Record<string, unknown>> | undefined;
  readonly chain: readonly string[];
}

function contextClaim(value: unknown): Readonly<Record<string, unknown>> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    refuse('invalid_grant', 'the Txn-Token to replace has a tctx or rctx that is not an object');
  }
  return value as Readonly<Record<string, unknown>>;
}

function unchanged(
  sent: Readonly<Record<string, unknown>> | undefined,
  held: Readonly<Record<string, unknown>> | undefined,
  parameter: string,
  claim: string,
): void {
  if (sent !== undefined && !deepEqual(sent, held ?? {})) {
    refuse(
      'invalid_request',
      `${parameter} differs from the transaction's ${claim}, which never changes`,
    );
  }
}

/**
 * Checks a replacement request against the Txn-Token it replaces
 * (draft-ietf-oauth-transaction-tokens-10 §"Txn-Token as a subject_token"): the original was
 * signed by this service, is unexpired and meant for the trust domain; the scope may narrow,
 * never widen; `tctx` and `rctx` stay as they are (sending either is allowed only unchanged);
 * `txn` and `sub` are carried over; the number of replacements is bounded.
 */
export async function checkReplacement(
  minter: TxnTokenMinter,
  request: ReplacementRequest,
): Promise<CarriedClaims> {
  let claims: TransactionTokenClaims;
  try {
    claims = (await minter.verifyOwn(request.subjectToken)).claims as TransactionTokenClaims;
  } catch (err) {
    if (isServiceJwtError(err) && err.status < 500) {
      refuse('invalid_grant', `the Txn-Token to replace is not valid (${err.code})`);
    }
    throw err;
  }
  for (const name of ['txn', 'sub', 'scope', 'req_wl'] as const) {
    if (typeof claims[name] !== 'string' || claims[name] === '') {
      refuse('invalid_grant', `the Txn-Token to replace has no valid ${name}`);
    }
  }
  requireWithin(request.requestedScope, scopeWords(claims.scope));
  const tctx = contextClaim(claims.tctx);
  const rctx = contextClaim(claims.rctx);
  unchanged(request.requestDetails, tctx, 'request_details', 'tctx');
  unchanged(request.requestContext, rctx, 'request_context', 'rctx');
  const earlier = claims[REQUESTER_CHAIN_CLAIM] ?? [];
  if (!Array.isArray(earlier) || !earlier.every((item) => typeof item === 'string')) {
    refuse('invalid_grant', `the Txn-Token to replace has a malformed ${REQUESTER_CHAIN_CLAIM}`);
  }
  const chain = [...(earlier as string[]), claims.req_wl];
  if (chain.length > request.maxReplacements) {
    refuse(
      'invalid_grant',
      `the transaction's token was already replaced ${request.maxReplacements} times`,
    );
  }
  return { txn: claims.txn, sub: claims.sub, tctx, rctx, chain };
}
