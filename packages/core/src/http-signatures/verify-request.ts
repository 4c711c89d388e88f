import {
  algorithmNotAllowed,
  claimMissing,
  contentDigestMissing,
  httpSignatureInvalid,
  tokenMalformed,
} from '../errors/refusals.js';
import type { JsonObject } from '../jws/token-syntax.js';
import type { VerificationKey } from '../keys/key-resolver.js';
import { declaresBody } from '../verify/body-digest.js';
import type { RequestLike } from '../verify/request.js';
import {
  algorithmOfJws,
  type BoundKey,
  confirmAlgorithm,
  confirmationKey,
  verifyWith,
} from './algorithms.js';
import { type ContentDigestExpectation, parseContentDigest } from './content-digest.js';
import type { ResolvedHttpSignature } from './options.js';
import { checkCoverage, checkParams, selectSignature } from './profile.js';
import { signatureBase } from './signature-base.js';

// Step 9 in HTTP signature mode: the request's signature, checked with the key the token
// confirms or its issuer's key, before any body byte is read. What it leaves for steps 10 and
// 11: the digest the body must have, and the nonce to claim.

/** What a verified request signature leaves for the body and replay steps. */
export interface VerifiedHttpSignature {
  readonly nonce: string;
  readonly created: number;
  readonly expires: number;
  /** The Content-Digest the body must match; `undefined` when the request has none. */
  readonly digest: ContentDigestExpectation | undefined;
}

/** The token a request signature is checked against: its claims and the key that verified it. */
export interface SignedToken {
  readonly claims: JsonObject;
  readonly key: VerificationKey;
}

// A repeated token (served by the verification cache) keeps its claims object, so its
// confirmation key is imported once, not per request.
const confirmed = new WeakMap<JsonObject, BoundKey>();

function cnfKey(claims: JsonObject): BoundKey {
  const hit = confirmed.get(claims);
  if (hit !== undefined) return hit;
  const cnf = claims.cnf;
  if (cnf === undefined) throw claimMissing('cnf');
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) {
    throw tokenMalformed('token claim "cnf" must be an object');
  }
  const jwk = (cnf as JsonObject).jwk;
  if (jwk === undefined) throw claimMissing('cnf.jwk');
  const bound = confirmationKey(jwk);
  confirmed.set(claims, bound);
  return bound;
}

function issuerKey(key: VerificationKey): BoundKey {
  const algorithm = algorithmOfJws(key.algorithm);
  if (algorithm === undefined) {
    throw algorithmNotAllowed(`the issuer's ${key.algorithm} key has no HTTP signature algorithm`);
  }
  return { key: key.key, algorithm };
}

/** Options of {@link checkHttpSignature}: the verifier's clock and token header. */
export interface HttpSignatureContext {
  /** Epoch seconds. */
  readonly now: number;
  readonly clockTolerance: number;
  readonly tokenHeader: string;
}

/**
 * Verifies a request's HTTP message signature under the route's profile: the tagged
 * signature, its parameters and time window, what it covers, the key and algorithm, the
 * signature over the rebuilt base; then reads the Content-Digest it covers.
 *
 * @throws ServiceJwtError `http_signature_*`, `content_digest_missing`,
 *   `algorithm_not_allowed`, `claim_missing`/`token_malformed` (a `cnf` that is not a key)
 */
export function checkHttpSignature(
  request: RequestLike,
  token: SignedToken,
  policy: ResolvedHttpSignature,
  context: HttpSignatureContext,
): VerifiedHttpSignature {
  const headers = request.headers;
  const selected = selectSignature(headers, policy);
  const params = checkParams(selected.params, policy, context.now, context.clockTolerance);
  const digestField = headers['content-digest'];
  const body = declaresBody(headers) || hasBodyInHand(request);
  checkCoverage(selected.components, policy, { tokenHeader: context.tokenHeader, body });
  const bound = policy.key === 'cnf' ? cnfKey(token.claims) : issuerKey(token.key);
  confirmAlgorithm(params.alg, bound.algorithm);
  const base = signatureBase(selected.components, selected.params, request, policy);
  if (!verifyWith(bound, base, selected.signature)) throw httpSignatureInvalid();
  let digest: ContentDigestExpectation | undefined;
  if (selected.components.some((c) => c.value === 'content-digest')) {
    digest = parseContentDigest(digestField as string | readonly string[]);
  } else if (digestField !== undefined && body) {
    throw contentDigestMissing('Content-Digest is not covered by the signature');
  }
  return { nonce: params.nonce, created: params.created, expires: params.expires, digest };
}

function hasBodyInHand(request: RequestLike): boolean {
  const body = request.body;
  if (typeof body === 'string') return body.length > 0;
  return body instanceof Uint8Array && body.byteLength > 0;
}

/**
 * The replay-store key of a signature nonce: its own namespace beside `(iss, jti)` keys (a
 * three-member JSON array never equals a two-member one), per issuer.
 */
export function nonceReplayKey(issuer: string, nonce: string): string {
  return JSON.stringify(['http-signature', issuer, nonce]);
}
