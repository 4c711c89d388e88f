import {
  algorithmNotAllowed,
  bodyHashMismatch,
  bodyHashMissing,
  claimMissing,
  configurationError,
  contentEncodingUnsupported,
  httpSignatureReplayed,
  issuerNotTrusted,
  signatureInvalid,
  storeUnavailable,
  tokenMalformed,
  tokenMissing,
  tokenReplayed,
  tokenRevoked,
  tokenTooLarge,
  txnTokenInAuthorization,
} from '../errors/refusals.js';
import { isServiceJwtError, type ServiceJwtError } from '../errors/service-jwt-error.js';
import {
  claimNonce,
  compareDigests,
  createDigestSet,
  signatureStep,
} from '../http-signatures/pipeline-steps.js';
import type { VerifiedHttpSignature } from '../http-signatures/verify-request.js';
import { algorithmMatches } from '../jws/algorithms.js';
import { verifySignature } from '../jws/signature.js';
import {
  checkProtectedHeader,
  decodeJsonObject,
  type JsonObject,
  parseCompact,
} from '../jws/token-syntax.js';
import type { IssuerKeyResolver, VerificationKey } from '../keys/key-resolver.js';
import { storeErrorChannel } from '../observability/channels.js';
import { describeCauses } from '../observability/logger.js';
import { replayKey } from '../stores/replay-key.js';
import type { RevocationReason, RevocationSubject } from '../stores/store-interfaces.js';
import { TXN_TOKEN_TYPE, type VerifiedTransactionToken } from '../transaction-tokens/txn-token.js';
import { checkTransactionToken } from '../transaction-tokens/verify-transaction-token.js';
import { digestBodyAsync, digestBodyInHand, hashBodyAsync, hashBodyInHand } from './body-digest.js';
import { bodyHashEquals, createBodyHasher } from './body-hash.js';
import { checkClaimTypes, checkRegisteredClaims } from './claims.js';
import { assertToken68, extractTokenCandidate } from './extract-token.js';
import type { PendingVerification } from './pending-verification.js';
import type { RequestLike } from './request.js';
import { checkRequestBinding } from './request-binding.js';
import type { ResolvedRoute } from './resolve-route.js';
import type { ServiceJwtClaims, ServiceJwtHeader, VerifiedServiceJwt } from './result.js';
import type { Signed, VerifierState } from './verifier-state.js';

// The verification of one token, in the order of the design's pipeline (cheap before
// expensive; nothing read before it has to be):
//
//    1 extract     the credential of a request (or verifyToken's bare token), size first
//    2 parse       strict compact syntax and JSON, the token68 scan for a header token
//    3 issuer      `iss` picks the issuer's keys; an unknown issuer costs no key fetch
//    4 key         the issuer's key for `alg`/`kid` (a remote set may have to be fetched)
//    5 signature   on node:crypto, with the algorithm the key was bound to when loaded
//    6 claims      exp, nbf, iat, max age and lifetime, aud, typ
//    7 route       source, required claims, claim rules, callers, replay's jti and exp
//    8 revocation  the revocation list (a store may answer later)
//    9 binding     htm/htu against the request line; on a route with `httpSignature`, also
//                  the request's HTTP message signature (RFC 9421), before any body byte;
//                  on a route that reads Txn-Tokens, the `Txn-Token` header (its own parse,
//                  token service key and signature: transaction-tokens/)
//   10 body        bdy, and in that mode the covered Content-Digest, against the raw body
//                  bytes in one pass (the body may arrive later)
//   11 replay      (iss, jti) claimed in the replay store, last, so a refusal burns nothing;
//                  in that mode the signature's nonce instead (the token may be reused)
//
// Steps 2–5 depend on the token string only: a verified token is cached (bounded, never past
// `exp`, dropped when its key leaves the set) and a hit skips them. Steps 6–11 run on every
// request.
//
// `verifySync` runs the steps whenever the stores are core's in-memory ones (or none). It stops
// in two places only:
//   - at step 4, when a key has to be fetched: it hands the fetch to `verifyAsync`, which runs
//     the same steps and waits where a key fetch, a store or the body reader answers later
//     (the parse is the only step done twice);
//   - at step 10, when the body is still to be read: `finishAfterBody` waits for that read
//     alone and runs steps 10–11, so a refused token never costs a promise.
// `authenticate` runs steps 2–9 and hands out steps 10–11 for adapters that hash the body as
// it streams.

/** Steps 2–3, before any key is looked up. */
interface Parsed {
  readonly token: string;
  readonly header: JsonObject;
  readonly claims: JsonObject;
  readonly signature: Buffer;
  readonly signingInputLength: number;
  readonly issuer: string;
  readonly alg: string;
  readonly keys: IssuerKeyResolver;
}

/**
 * The body check a route owes once steps 1–9 passed: the digest the token commits to, and in
 * HTTP signature mode the Content-Digest the signature covers (`content`, else `undefined`).
 */
interface BodyCheck {
  readonly bdy: string | undefined;
  readonly content: VerifiedHttpSignature['digest'];
}

/**
 * A key fetch `verifySync` stopped at: `verifyAsync` waits for this one, not a second. Either
 * the service token's issuer keys, or (`key` undefined) the token service's for the Txn-Token.
 */
export class KeyFetch {
  constructor(
    readonly key: Promise<VerificationKey> | undefined,
    readonly transaction?: Promise<VerifiedTransactionToken>,
  ) {}
}

/** The request as step 10 reads it: its headers, and a body, a reader or a streamed hasher. */
type BodySource = { readonly headers: RequestLike['headers']; readonly body?: unknown };

/**
 * Steps 1–9 passed; what steps 10–11 still need. `verifySync` stops here when the body is
 * still to be read, and `verifyAsync` and `authenticate`'s `complete` end here:
 * {@link finishAfterBody} runs steps 10–11 for all three. `request` is `undefined` only for a
 * bare token, which owes no body check.
 */
export class BodyWait {
  constructor(
    readonly token: string,
    readonly signed: Signed,
    readonly signature: VerifiedHttpSignature | null,
    readonly transaction: VerifiedTransactionToken | undefined,
    readonly check: BodyCheck | null,
    readonly request: BodySource | undefined,
  ) {}
}

export function verifySync(
  state: VerifierState,
  route: ResolvedRoute,
  input: RequestLike | string,
  trace?: Trace,
): VerifiedServiceJwt | KeyFetch | BodyWait {
  const now = state.now() / 1000;
  const request = typeof input === 'string' ? undefined : input;
  const token = extract(state, input); //                                                1
  let signed = cached(state, token, now);
  if (trace !== undefined) record(trace, token, signed);
  if (signed === undefined) {
    const parsed = parse(state, token, request !== undefined); //                        2, 3
    const key = parsed.keys.resolve({ alg: parsed.alg, kid: parsed.header.kid as string }); // 4
    if (key instanceof Promise) return new KeyFetch(key);
    signed = checkSignature(state, parsed, key, now); //                                  5
  }
  checkRegisteredClaims(signed.header, signed.claims, route.registered, now); //         6
  checkRoute(route, signed.claims); //                                                   7
  decideRevocation(revocationNow(state, signed)); //                                     8
  if (request !== undefined) checkRequestBinding(claimsOf(signed), request, route.requestBinding); // 9
  const signature = signatureStep(state, route, signed, request, now); //                9
  // A route that ignores Txn-Tokens pays this one comparison.
  const transaction =
    route.transaction === null ? undefined : transactionStep(state, route, request, signed, now); // 9
  if (transaction instanceof Promise) return new KeyFetch(undefined, handled(transaction));
  const body = bodyCheck(route, signed, request, signature); //                          10
  if (body !== null) {
    const owing = request as RequestLike; // only a request owes a body check
    // A body still to be read is the one wait left: steps 1–9 are not run again for it.
    if (typeof owing.body === 'function') {
      return new BodyWait(token, signed, signature, transaction, body, owing);
    }
    checkBodyInHand(route, body, owing);
  }
  // The replay store here is core's in-memory one: it answers with the boolean itself.
  decideReplay(recordReplay(state, route, signed, signature) as boolean | undefined, signature); // 11
  return verified(token, signed, transaction);
}

/**
 * Steps 10–11 of a {@link BodyWait}: the body check it owes (read within the route's deadline,
 * or the hasher that saw it stream), then the replay claim.
 */
export async function finishAfterBody(
  state: VerifierState,
  route: ResolvedRoute,
  wait: BodyWait,
): Promise<VerifiedServiceJwt> {
  const { check, signed, signature } = wait;
  if (check !== null) await checkBodyLater(route, check, wait.request as BodySource); //  10
  decideReplay(await recordReplay(state, route, signed, signature), signature); //       11
  return verified(wait.token, signed, wait.transaction);
}

export async function verifyAsync(
  state: VerifierState,
  route: ResolvedRoute,
  input: RequestLike | string,
  trace?: Trace,
  fetching?: KeyFetch,
): Promise<VerifiedServiceJwt> {
  const now = state.now() / 1000;
  const request = typeof input === 'string' ? undefined : input;
  const token = extract(state, input); //                                                1
  let signed = cached(state, token, now);
  if (trace !== undefined) record(trace, token, signed);
  if (signed === undefined) {
    const parsed = parse(state, token, request !== undefined); //                        2, 3
    const lookup = { alg: parsed.alg, kid: parsed.header.kid as string };
    const key = await (fetching?.key ?? parsed.keys.resolve(lookup)); //                 4
    signed = checkSignature(state, parsed, key, now); //                                  5
  }
  checkRegisteredClaims(signed.header, signed.claims, route.registered, now); //         6
  checkRoute(route, signed.claims); //                                                   7
  decideRevocation(await checkRevocation(state, signed)); //                             8
  if (request !== undefined) checkRequestBinding(claimsOf(signed), request, route.requestBinding); // 9
  const signature = signatureStep(state, route, signed, request, now); //                9
  const transaction = await (fetching?.transaction ??
    transactionStep(state, route, request, signed, now)); //                             9
  const body = bodyCheck(route, signed, request, signature); //                          10
  const rest = new BodyWait(token, signed, signature, transaction, body, request);
  return finishAfterBody(state, route, rest); //                                         10, 11
}

/**
 * Steps 2–9 now, steps 10–11 when the adapter has seen the body (hashed as it streamed, so
 * an unauthenticated request is refused before any byte of its body is read).
 */
export async function authenticate(
  state: VerifierState,
  route: ResolvedRoute,
  request: RequestLike,
  trace?: Trace,
): Promise<PendingVerification> {
  const now = state.now() / 1000;
  const token = extract(state, request); //                                              1
  let signed = cached(state, token, now);
  if (trace !== undefined) record(trace, token, signed);
  if (signed === undefined) {
    const parsed = parse(state, token, true); //                                         2, 3
    const key = await parsed.keys.resolve({ alg: parsed.alg, kid: parsed.header.kid as string }); // 4
    signed = checkSignature(state, parsed, key, now); //                                  5
  }
  checkRegisteredClaims(signed.header, signed.claims, route.registered, now); //         6
  checkRoute(route, signed.claims); //                                                   7
  decideRevocation(await checkRevocation(state, signed)); //                             8
  checkRequestBinding(claimsOf(signed), request, route.requestBinding); //               9
  const signature = signatureStep(state, route, signed, request, now); //                9
  const transaction = await transactionStep(state, route, request, signed, now); //      9
  const body = bodyCheck(route, signed, request, signature); //                          10 (what it owes)
  const authenticated = signed;
  let completed = false;
  return {
    bodyCheck:
      body === null
        ? null
        : {
            maxBodyBytes: route.bodyHash.maxBodyBytes,
            timeout: route.bodyHash.timeout,
            createHasher: () =>
              body.content === undefined
                ? createBodyHasher(route.bodyHash.algorithm)
                : createDigestSet(route, body),
          },
    async complete(bytes) {
      if (completed) throw configurationError('complete() was already called');
      completed = true;
      const streamed = { ...request, body: bytes };
      const rest = new BodyWait(token, authenticated, signature, transaction, body, streamed);
      return finishAfterBody(state, route, rest); //                                     10, 11
    },
  };
}

/**
 * What an observed verification notes for its event and log line: the token (never published;
 * only `iss`, `sub`, `jti`, `kid` and `alg` are read from it) and whether the cache answered.
 */
export interface Trace {
  token: string | undefined;
  cached: boolean;
}

function record(trace: Trace, token: string, signed: Signed | undefined): void {
  trace.token = token;
  trace.cached = signed !== undefined;
}

// --- steps ---------------------------------------------------------------------------------

/**
 * Step 1: the credential, checked for presence, duplicates and size before anything reads it.
 * A header token's character scan waits for step 2: a token already verified needs none.
 */
function extract(state: VerifierState, input: RequestLike | string): string {
  if (typeof input !== 'string') {
    return extractTokenCandidate(input.headers, state.token, state.maxTokenLength);
  }
  if (input === '') throw tokenMissing('no token given');
  if (input.length > state.maxTokenLength) throw tokenTooLarge(state.maxTokenLength);
  return input;
}

function cached(state: VerifierState, token: string, now: number): Signed | undefined {
  const hit = state.cache?.get(token, now);
  if (hit === undefined) return undefined;
  if (hit.keys.isActive(hit.key)) return hit;
  state.cache?.delete(token);
  return undefined;
}

/** Steps 2–3: strict syntax and JSON, then the issuer, before any key is looked up. */
function parse(state: VerifierState, token: string, fromHeader: boolean): Parsed {
  // A header token skipped the token68 scan in step 1: a cached one needs none.
  if (fromHeader) assertToken68(token);
  const compact = parseCompact(token);
  const alg = checkProtectedHeader(compact.header);
  // A Txn-Token is never a service credential, whoever signed it (draft §7.1: it travels in
  // its own header); refused by name, before any issuer or key is looked at. A verifier built
  // for Txn-Tokens themselves (the token service checking its own) is the one exception.
  if (compact.header.typ === TXN_TOKEN_TYPE && !state.verifiesTxnTokens) {
    throw txnTokenInAuthorization();
  }
  if (!state.algorithms.has(alg)) throw algorithmNotAllowed();
  const claims = decodeJsonObject(compact.payload, 'payload');
  const issuer = checkClaimTypes(claims);
  const keys = state.keysOf(issuer);
  if (keys === undefined) throw issuerNotTrusted();
  return {
    token,
    header: compact.header,
    claims,
    signature: compact.signature,
    signingInputLength: compact.signingInputLength,
    issuer,
    alg,
    keys,
  };
}

/** Step 5, once the key is known; caches the outcome. */
function checkSignature(
  state: VerifierState,
  parsed: Parsed,
  key: VerificationKey,
  now: number,
): Signed {
  if (!algorithmMatches(key.algorithm, parsed.alg)) {
    throw algorithmNotAllowed('token algorithm does not match the key');
  }
  const input = parsed.token.slice(0, parsed.signingInputLength);
  if (!verifySignature(key.algorithm, key.key, input, parsed.signature)) throw signatureInvalid();
  const signed: Signed = {
    header: parsed.header,
    claims: parsed.claims,
    issuer: parsed.issuer,
    key,
    keys: parsed.keys,
    result: undefined,
  };
  state.admit(parsed.token, signed, now);
  return signed;
}

/** Step 7: the route's claim rules, and the claims a one-time token must carry. */
function checkRoute(route: ResolvedRoute, claims: JsonObject): void {
  route.checkClaims(claims);
  if (route.replay?.required === true) {
    if (claims.jti === undefined) throw claimMissing('jti');
    if (claims.exp === undefined) throw claimMissing('exp');
  }
}

function revocationSubject(signed: Signed): RevocationSubject {
  const claims = signed.claims;
  return {
    issuer: signed.issuer,
    subject: claims.sub as string | undefined,
    jti: claims.jti as string | undefined,
    // The key that verified the signature, not the header: a lone key needs no `kid` in the
    // token, and a revoked key must not pass by leaving it out.
    kid: signed.key.kid ?? (signed.header.kid as string | undefined),
    issuedAt: claims.iat as number | undefined,
    expiresAt: claims.exp as number | undefined,
  };
}

/** Step 8 on the synchronous path, where the list is core's in-memory one (or none). */
function revocationNow(state: VerifierState, signed: Signed): RevocationReason | undefined {
  return state.revocation?.check(revocationSubject(signed)) as RevocationReason | undefined;
}

/** Step 8 through a store that may answer later; its failures become `store_unavailable`. */
async function checkRevocation(
  state: VerifierState,
  signed: Signed,
): Promise<RevocationReason | undefined> {
  const list = state.revocation;
  if (list === null) return undefined;
  try {
    return await list.check(revocationSubject(signed));
  } catch (err) {
    throw storeError(err, 'revocation list');
  }
}

function decideRevocation(reason: RevocationReason | undefined): void {
  if (reason !== undefined) throw tokenRevoked();
}

/** Step 10's part that needs no body: what the token commits to, and whether it may be checked. */
function bodyCheck(
  route: ResolvedRoute,
  signed: Signed,
  request: RequestLike | undefined,
  signature: VerifiedHttpSignature | null,
): BodyCheck | null {
  if (request === undefined) return null;
  // Content-Digest is over the content as sent, coded or not (RFC 9530 §2): no encoding rule.
  const content = signature?.digest;
  const policy = route.bodyHash;
  const expected = signed.claims[policy.claim];
  if (expected === undefined) {
    if (policy.required) throw bodyHashMissing();
    return content === undefined ? null : { bdy: undefined, content };
  }
  if (typeof expected !== 'string') {
    throw tokenMalformed(`token claim "${policy.claim}" must be a string`);
  }
  if (!policy.allowContentEncoding && isEncoded(request.headers['content-encoding'])) {
    throw contentEncodingUnsupported();
  }
  return { bdy: expected, content };
}

/** Step 10 with the body in hand; the claims mode keeps its one-digest path. */
function checkBodyInHand(route: ResolvedRoute, check: BodyCheck, request: RequestLike): void {
  if (check.content === undefined) {
    compareBody(check.bdy as string, digestBodyInHand(route, request));
    return;
  }
  compareDigests(
    check,
    hashBodyInHand(route, request, () => createDigestSet(route, check)),
  );
}

/** Step 10 when the body is read now, or was streamed through a hasher of `createHasher`. */
async function checkBodyLater(
  route: ResolvedRoute,
  check: BodyCheck,
  request: BodySource,
): Promise<void> {
  const body = request as Parameters<typeof digestBodyAsync>[1];
  if (check.content === undefined) {
    compareBody(check.bdy as string, await digestBodyAsync(route, body));
    return;
  }
  compareDigests(check, await hashBodyAsync(route, body, () => createDigestSet(route, check)));
}

function isEncoded(value: string | readonly string[] | undefined): boolean {
  if (value === undefined) return false;
  const coding = String(value).trim().toLowerCase();
  return coding !== '' && coding !== 'identity';
}

function compareBody(expected: string, actual: string): void {
  if (!bodyHashEquals(expected, actual)) throw bodyHashMismatch();
}

/**
 * Step 11: `(iss, jti)`, never the token string; `undefined` when the route keeps no record.
 * In HTTP signature mode the signature's nonce instead: the token may serve many requests.
 */
function recordReplay(
  state: VerifierState,
  route: ResolvedRoute,
  signed: Signed,
  signature: VerifiedHttpSignature | null,
): boolean | Promise<boolean> | undefined {
  if (signature !== null) return storeAnswer(() => claimNonce(state, route, signed, signature));
  const replay = route.replay;
  const jti = signed.claims.jti as string | undefined;
  const exp = signed.claims.exp as number | undefined;
  if (replay === null || jti === undefined || exp === undefined) return undefined;
  return storeAnswer(() =>
    replay.store.claim(
      replayKey(signed.issuer, jti),
      exp + state.clockTolerance,
      signed.claims.iat as number | undefined,
    ),
  );
}

/** A replay store's answer; its failures become `store_unavailable`. */
function storeAnswer(claim: () => boolean | Promise<boolean>): boolean | Promise<boolean> {
  try {
    const claimed = claim();
    if (!(claimed instanceof Promise)) return claimed;
    return claimed.catch((err: unknown) => {
      throw storeError(err, 'replay store');
    });
  } catch (err) {
    throw storeError(err, 'replay store');
  }
}

function decideReplay(fresh: boolean | undefined, signature: VerifiedHttpSignature | null): void {
  if (fresh !== undefined && fresh !== true) {
    throw signature === null ? tokenReplayed() : httpSignatureReplayed();
  }
}

function storeError(err: unknown, what: 'replay store' | 'revocation list'): ServiceJwtError {
  const failure =
    isServiceJwtError(err) && err.code === 'store_unavailable'
      ? err
      : storeUnavailable(`${what} is unavailable`, { cause: err });
  if (storeErrorChannel.hasSubscribers) {
    storeErrorChannel.publish({
      store: what === 'replay store' ? 'replay' : 'revocation',
      code: failure.code,
      error: [failure.message, ...describeCauses(failure).map((c) => c.code ?? c.message)].join(
        ': ',
      ),
    });
  }
  return failure;
}

/**
 * Step 9's Txn-Token, on a route that reads them: `undefined` when there is none to attach, a
 * promise only when the token service's keys must be fetched.
 */
function transactionStep(
  state: VerifierState,
  route: ResolvedRoute,
  request: RequestLike | undefined,
  signed: Signed,
  now: number,
): VerifiedTransactionToken | Promise<VerifiedTransactionToken> | undefined {
  if (route.transaction === null || request === undefined) return undefined;
  return checkTransactionToken(
    state.transaction as NonNullable<VerifierState['transaction']>,
    route.transaction,
    request,
    signed.issuer,
    now,
  );
}

/** A promise `verifyAsync` awaits later: marked handled so that a refusal in between is not reported unhandled. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function claimsOf(signed: Signed): ServiceJwtClaims {
  return signed.claims as ServiceJwtClaims;
}

function verified(
  token: string,
  signed: Signed,
  transaction: VerifiedTransactionToken | undefined,
): VerifiedServiceJwt {
  if (transaction !== undefined) return answer(token, signed, transaction);
  // A cached token's answer is made once: a frozen object per request would cost an allocation
  // and V8's runtime call for the freeze on every hit.
  signed.result ??= answer(token, signed, undefined);
  return signed.result;
}

function answer(
  token: string,
  signed: Signed,
  transaction: VerifiedTransactionToken | undefined,
): VerifiedServiceJwt {
  const result: { -readonly [K in keyof VerifiedServiceJwt]: VerifiedServiceJwt[K] } = {
    token,
    header: signed.header as ServiceJwtHeader,
    claims: signed.claims as ServiceJwtClaims,
    issuer: signed.issuer,
    subject: signed.claims.sub as string | undefined,
  };
  // Only on a route that read one: the others keep the object they always had.
  if (transaction !== undefined) result.transaction = transaction;
  return Object.freeze(result);
}
