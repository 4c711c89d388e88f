import {
  txnTokenAudienceMismatch,
  txnTokenDuplicated,
  txnTokenExpired,
  txnTokenInvalid,
  txnTokenLifetimeExceeded,
  txnTokenMalformed,
  txnTokenMissing,
  txnTokenNotYetValid,
  txnTokenUntrusted,
  txnWorkloadUnknown,
} from '../errors/refusals.js';
import { isServiceJwtError, type ServiceJwtError } from '../errors/service-jwt-error.js';
import { algorithmMatches } from '../jws/algorithms.js';
import { verifySignature } from '../jws/signature.js';
import {
  checkProtectedHeader,
  decodeJsonObject,
  type JsonObject,
  parseCompact,
} from '../jws/token-syntax.js';
import type { IssuerKeyResolver, VerificationKey } from '../keys/key-resolver.js';
import { assertToken68 } from '../verify/extract-token.js';
import type { RequestLike } from '../verify/request.js';
import { transactionTokenHash } from './hash.js';
import type { ResolvedTransactionRoute, ResolvedTransactionTokens } from './resolve-options.js';
import {
  type TransactionTokenClaims,
  TXN_TOKEN_HEADER,
  TXN_TOKEN_TYPE,
  type VerifiedTransactionToken,
} from './txn-token.js';

// The Txn-Token step of the pipeline (draft-ietf-oauth-transaction-tokens-10 §7), run beside
// the service token on a route that reads Txn-Tokens. Cheap before expensive, as for the
// service token: the header (presence, duplicates, size), the calling workload, strict syntax,
// `typ`, `alg`, the token service from `iss` (no key fetch for an untrusted one), the claims'
// shapes, then the key and the signature, then time, audience and the route's rules. The
// token syntax and signature code is the service token's own (jws/); its refusals are renamed
// to the Txn-Token codes so that a caller can tell which of the two credentials failed.

/** Longest `txn` accepted; `sub` and `req_wl` may be longer (URIs, SPIFFE ids). */
const MAX_TXN_LENGTH = 256;
const MAX_NAME_LENGTH = 1024;

/** What a verifier holds for Txn-Tokens: the trust settings and one key resolver per token service. */
export interface TransactionTokenState {
  readonly settings: ResolvedTransactionTokens;
  readonly resolvers: ReadonlyMap<string, IssuerKeyResolver>;
  /** The verifier's, as for the service token. */
  readonly clockTolerance: number;
  readonly maxTokenLength: number;
}

interface ParsedTransactionToken {
  readonly token: string;
  readonly header: JsonObject;
  readonly claims: JsonObject;
  readonly signature: Buffer;
  readonly signingInputLength: number;
  readonly alg: string;
  readonly keys: IssuerKeyResolver;
}

/**
 * Verifies the request's Txn-Token. `undefined` when the route accepts a request without one;
 * a promise only when the token service's keys must be fetched first.
 *
 * @param issuer the verified service token's `iss`: the calling workload.
 * @throws ServiceJwtError a `txn_token_*` code, `txn_workload_unknown`, or `keys_unavailable`
 */
export function checkTransactionToken(
  state: TransactionTokenState,
  route: ResolvedTransactionRoute,
  request: RequestLike,
  issuer: string,
  now: number,
): VerifiedTransactionToken | Promise<VerifiedTransactionToken> | undefined {
  const token = readHeader(state, route, request.headers[TXN_TOKEN_HEADER]);
  if (token === undefined) return undefined;
  if (!state.settings.workloads.has(issuer)) throw txnWorkloadUnknown();
  const parsed = parse(state, token);
  let key: VerificationKey | Promise<VerificationKey>;
  try {
    key = parsed.keys.resolve({ alg: parsed.alg, kid: parsed.header.kid as string | undefined });
  } catch (err) {
    throw keyRefusal(err);
  }
  if (key instanceof Promise) {
    return key.then(
      (found) => finish(state, route, parsed, found, now),
      (err: unknown) => {
        throw keyRefusal(err);
      },
    );
  }
  return finish(state, route, parsed, key, now);
}

function readHeader(
  state: TransactionTokenState,
  route: ResolvedTransactionRoute,
  value: string | readonly string[] | undefined,
): string | undefined {
  let token = value;
  if (Array.isArray(token)) {
    if (token.length > 1) throw txnTokenDuplicated();
    token = token[0];
  }
  if (token === undefined || token === '') {
    if (route.required) throw txnTokenMissing();
    return undefined;
  }
  // Node joins a repeated header that it does not know into one value with ", ": a comma can
  // never be part of a compact token.
  if ((token as string).includes(',')) throw txnTokenDuplicated();
  if ((token as string).length > state.maxTokenLength) {
    throw txnTokenMalformed(`Txn-Token exceeds ${state.maxTokenLength} bytes`);
  }
  return token as string;
}

/** The jws/ seam's `token_malformed` becomes `txn_token_malformed`, with the same message. */
function renamed(err: unknown): unknown {
  if (isServiceJwtError(err) && err.code === 'token_malformed') {
    return txnTokenMalformed(err.message.replace(/^(the )?token/, 'Txn-Token'), err);
  }
  return err;
}

function parse(state: TransactionTokenState, token: string): ParsedTransactionToken {
  let compact: ReturnType<typeof parseCompact>;
  let alg: string;
  let claims: JsonObject;
  try {
    assertToken68(token);
    compact = parseCompact(token);
    alg = checkProtectedHeader(compact.header);
    if (compact.header.typ !== TXN_TOKEN_TYPE) {
      throw txnTokenMalformed(`Txn-Token typ must be exactly "${TXN_TOKEN_TYPE}"`);
    }
    if (!state.settings.algorithms.has(alg))
      throw txnTokenInvalid('Txn-Token algorithm is not allowed');
    claims = decodeJsonObject(compact.payload, 'payload');
  } catch (err) {
    throw renamed(err);
  }
  if (typeof claims.iss !== 'string') throw txnTokenMalformed('Txn-Token iss must be a string');
  const keys = state.resolvers.get(claims.iss);
  if (keys === undefined) throw txnTokenUntrusted();
  checkShapes(claims);
  return {
    token,
    header: compact.header,
    claims,
    signature: compact.signature,
    signingInputLength: compact.signingInputLength,
    alg,
    keys,
  };
}

function boundedString(claims: JsonObject, name: string, max: number): void {
  const value = claims[name];
  if (value === undefined) throw txnTokenMalformed(`Txn-Token lacks the "${name}" claim`);
  if (typeof value !== 'string' || value === '' || value.length > max) {
    throw txnTokenMalformed(`Txn-Token ${name} must be a string of 1 to ${max} characters`);
  }
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The claims the draft requires, with their types; `tctx` and `rctx` are optional objects. */
function checkShapes(claims: JsonObject): void {
  boundedString(claims, 'txn', MAX_TXN_LENGTH);
  boundedString(claims, 'sub', MAX_NAME_LENGTH);
  boundedString(claims, 'req_wl', MAX_NAME_LENGTH);
  if (typeof claims.scope !== 'string') {
    throw txnTokenMalformed(
      claims.scope === undefined
        ? 'Txn-Token lacks the "scope" claim'
        : 'Txn-Token scope must be a string',
    );
  }
  for (const name of ['iat', 'exp'] as const) {
    const value = claims[name];
    if (value === undefined) throw txnTokenMalformed(`Txn-Token lacks the "${name}" claim`);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw txnTokenMalformed(`Txn-Token ${name} must be a number`);
    }
  }
  if (
    claims.nbf !== undefined &&
    (typeof claims.nbf !== 'number' || !Number.isFinite(claims.nbf))
  ) {
    throw txnTokenMalformed('Txn-Token nbf must be a number');
  }
  for (const name of ['tctx', 'rctx'] as const) {
    if (claims[name] !== undefined && !isPlainObject(claims[name])) {
      throw txnTokenMalformed(`Txn-Token ${name} must be a JSON object`);
    }
  }
  const aud = claims.aud;
  if (
    aud !== undefined &&
    typeof aud !== 'string' &&
    !(Array.isArray(aud) && aud.every((item) => typeof item === 'string'))
  ) {
    throw txnTokenMalformed('Txn-Token aud must be a string or a list of strings');
  }
}

/** A key lookup's refusal: no usable key is an invalid Txn-Token; unreachable keys stay 503. */
function keyRefusal(err: unknown): ServiceJwtError | unknown {
  if (
    isServiceJwtError(err) &&
    (err.code === 'key_not_found' || err.code === 'algorithm_not_allowed')
  ) {
    return txnTokenInvalid(`Txn-Token ${err.message.replace(/^token /, '')}`, err);
  }
  return err;
}

function finish(
  state: TransactionTokenState,
  route: ResolvedTransactionRoute,
  parsed: ParsedTransactionToken,
  key: VerificationKey,
  now: number,
): VerifiedTransactionToken {
  if (!algorithmMatches(key.algorithm, parsed.alg)) {
    throw txnTokenInvalid('Txn-Token algorithm does not match the key');
  }
  const input = parsed.token.slice(0, parsed.signingInputLength);
  if (!verifySignature(key.algorithm, key.key, input, parsed.signature)) throw txnTokenInvalid();
  const claims = parsed.claims;
  const { settings } = state;
  const tolerance = state.clockTolerance;
  const iat = claims.iat as number;
  const exp = claims.exp as number;
  if (now >= exp + tolerance) throw txnTokenExpired();
  if (iat > now + tolerance) throw txnTokenNotYetValid();
  if (claims.nbf !== undefined && (claims.nbf as number) > now + tolerance) {
    throw txnTokenNotYetValid();
  }
  if (exp - iat > settings.maxLifetime) throw txnTokenLifetimeExceeded(settings.maxLifetime);
  const aud = claims.aud as string | readonly string[] | undefined;
  if (
    typeof aud === 'string' ? aud !== settings.trustDomain : !aud?.includes(settings.trustDomain)
  ) {
    throw txnTokenAudienceMismatch();
  }
  route.check?.(claims);
  return verifiedTransaction(parsed.token, parsed.header, claims);
}

function verifiedTransaction(
  token: string,
  header: JsonObject,
  claims: JsonObject,
): VerifiedTransactionToken {
  const typed = claims as unknown as TransactionTokenClaims;
  const result = {
    hash: transactionTokenHash(token),
    header,
    claims: typed,
    txn: typed.txn,
    subject: typed.sub,
    scopes: Object.freeze(typed.scope === '' ? [] : typed.scope.split(' ').filter(Boolean)),
    issuer: typed.iss,
  };
  // Not enumerable: a logger or JSON.stringify given the result leaves the bearer token out.
  Object.defineProperty(result, 'token', { value: token, enumerable: false });
  return Object.freeze(result) as VerifiedTransactionToken;
}
