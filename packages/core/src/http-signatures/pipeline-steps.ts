import {
  bodyHashMismatch,
  contentDigestMismatch,
  httpSignatureMissing,
} from '../errors/refusals.js';
import { bodyHashEquals, createBodyHasher } from '../verify/body-hash.js';
import type { BodyHasher } from '../verify/pending-verification.js';
import type { RequestLike } from '../verify/request.js';
import type { ResolvedRoute } from '../verify/resolve-route.js';
import type { Signed, VerifierState } from '../verify/verifier-state.js';
import { type ContentDigestExpectation, createContentDigestHasher } from './content-digest.js';
import {
  checkHttpSignature,
  nonceReplayKey,
  type VerifiedHttpSignature,
} from './verify-request.js';

// The pipeline's steps 9–11 in HTTP signature mode, kept here so that pipeline.ts reads as
// its steps and routes without the mode pay one null check.

/**
 * Step 9 (HTTP signature mode): the request signature, or `null` when the route binds with
 * the token's claims alone. A bare token (`verifyToken`) has no request to carry one.
 */
export function signatureStep(
  state: VerifierState,
  route: ResolvedRoute,
  signed: Signed,
  request: RequestLike | undefined,
  now: number,
): VerifiedHttpSignature | null {
  const policy = route.httpSignature;
  if (policy === null) return null;
  if (request === undefined) {
    throw httpSignatureMissing('a bare token carries no HTTP message signature');
  }
  return checkHttpSignature(request, signed, policy, {
    now,
    clockTolerance: state.clockTolerance,
    tokenHeader: state.token.header,
  });
}

/** The digests one body must match: the token's `bdy`, the covered Content-Digest, or both. */
export interface DigestChecks {
  readonly bdy: string | undefined;
  readonly content: ContentDigestExpectation | undefined;
}

/** One pass over the body for every digest it owes; `digest()` is their values, in order. */
export interface DigestSet extends BodyHasher {
  digest(): readonly [string | undefined, string | undefined];
}

/** A hasher for `checks`, for a body in hand or for an adapter to stream the body through. */
export function createDigestSet(route: ResolvedRoute, checks: DigestChecks): DigestSet {
  const bdy = checks.bdy === undefined ? undefined : createBodyHasher(route.bodyHash.algorithm);
  const content =
    checks.content === undefined ? undefined : createContentDigestHasher(checks.content.algorithm);
  let bytes = 0;
  return {
    update(chunk) {
      bdy?.update(chunk);
      content?.update(chunk);
      bytes += chunk.byteLength;
    },
    get bytes() {
      return bytes;
    },
    digest: () => [bdy?.digest(), content?.digest()],
  };
}

/** Step 10 with a digest set: `bdy` first (as in the claims mode), then Content-Digest. */
export function compareDigests(checks: DigestChecks, set: DigestSet): void {
  const [bdy, content] = set.digest();
  if (checks.bdy !== undefined && !bodyHashEquals(checks.bdy, bdy as string)) {
    throw bodyHashMismatch();
  }
  if (checks.content !== undefined && !bodyHashEquals(checks.content.expected, content as string)) {
    throw contentDigestMismatch();
  }
}

/** Step 11 in HTTP signature mode: the nonce, per issuer, until the signature expires. */
export function claimNonce(
  state: VerifierState,
  route: ResolvedRoute,
  signed: Signed,
  signature: VerifiedHttpSignature,
): boolean | Promise<boolean> {
  // resolveRoute refuses the mode without a replay store.
  const store = (route.replay as NonNullable<ResolvedRoute['replay']>).store;
  return store.claim(
    nonceReplayKey(signed.issuer, signature.nonce),
    signature.expires + state.clockTolerance,
    signature.created,
  );
}
