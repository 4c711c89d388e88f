import { createHash, randomUUID } from 'node:crypto';
import { isServiceJwtError } from '../../errors/service-jwt-error.js';
import { describeCauses, type Logger, resolveLogger } from '../../observability/logger.js';
import type { PublicJwk } from '../../signer/signing-keys.js';
import type { HeadersLike } from '../../verify/request.js';
import { TOKEN_EXCHANGE_GRANT_TYPE, TXN_TOKEN_TYPE_URN } from '../txn-token.js';
import { readContextParameter } from './context-parameter.js';
import { isFormContentType, readFormParameters, type TokenRequestBody } from './form-parameters.js';
import { mintedClaims, type PendingClaims } from './minted-claims.js';
import {
  REFRESH_TOKEN_TYPE,
  type ResolvedServiceOptions,
  resolveServiceOptions,
  type TransactionTokenServiceOptions,
} from './options.js';
import { checkReplacement, REQUESTER_CHAIN_CLAIM } from './replacement.js';
import { parseRequestedScope } from './scope.js';
import {
  issued,
  refusal,
  refuse,
  TokenEndpointRefusal,
  type TokenEndpointResponse,
} from './token-endpoint-response.js';
import { createTxnTokenMinter, type TxnTokenMinter } from './txn-token-minter.js';
import { authenticateWorkload } from './workload-authentication.js';

/** The token request as any HTTP stack hands it over. */
export interface TokenEndpointRequest {
  /** HTTP method as received; only `POST` is answered (405 otherwise). */
  readonly method: string;
  /** Path and query as received, for a workload token bound to the request (`htu`). @default '/' */
  readonly url?: string;
  readonly headers: HeadersLike;
  /** The form body: raw text or bytes (preferred: `bdy` can then be checked), or parsed. */
  readonly body?: TokenRequestBody;
}

/** A Transaction Token Service: see {@link createTransactionTokenService}. */
export interface TransactionTokenService {
  readonly trustDomain: string;
  readonly issuer: string;
  /** Largest form body `handle` accepts, bytes: the adapters read no more than this. */
  readonly maxBodyBytes: number;
  /**
   * The 413 answer an adapter sends when the body goes past {@link maxBodyBytes} before it
   * was all read (with `Connection: close`: the rest is left unread).
   */
  bodyTooLarge(): TokenEndpointResponse;
  /** Answers one token request. Never rejects: every fault is an RFC 6749 §5.2 response. */
  handle(request: TokenEndpointRequest): Promise<TokenEndpointResponse>;
  /** The public keys Txn-Tokens are signed with, to publish for every verifying workload. */
  jwks(): { keys: PublicJwk[] };
}

const ONCE = ['grant_type', 'requested_token_type', 'audience', 'scope'] as const;
// RFC 8693 defines eleven parameters and the draft two more: room to spare, not to grow.
const MAX_PARAMETERS = 32;

function required(parameters: ReadonlyMap<string, string>, name: string): string {
  const value = parameters.get(name);
  if (value === undefined || value === '') refuse('invalid_request', `${name} is required`);
  return value;
}

function rawBodyOf(body: TokenRequestBody | undefined): string | Uint8Array | undefined {
  return typeof body === 'string' || body instanceof Uint8Array ? body : undefined;
}

function firstHeader(headers: HeadersLike, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/**
 * Creates a Transaction Token Service (draft-ietf-oauth-transaction-tokens-10): an RFC 8693
 * token endpoint that exchanges a user's credential for a short-lived Txn-Token
 * (`typ: txntoken+jwt`, `aud` = the trust domain, `txn`, `sub`, `scope`, `req_wl`, `tctx`
 * from `request_details`, `rctx` from `request_context`), and replaces a Txn-Token with one
 * of the same `txn`, `sub`, `tctx` and a scope no wider. The calling workload authenticates
 * with its own service token. Framework-free: each adapter serves `handle` as a route.
 *
 * @throws ServiceJwtError `configuration_error` naming the option: a missing trust domain,
 * issuer, workload verifier, workload list or subject verifier; shared-secret or unreadable
 * keys; a lifetime over 900 s; limits out of range.
 * @example
 * ```ts
 * const service = createTransactionTokenService({
 *   trustDomain: 'trust-domain.example',
 *   issuer: 'https://txn-tokens.internal',
 *   keys: privateJwk,
 *   workloadVerifier: createVerifier({ issuers: { 'https://gateway.internal': { jwksUri } }, audience: 'https://txn-tokens.internal' }),
 *   workloads: ['https://gateway.internal'],
 *   verifySubjectToken: async (token) => {
 *     const { claims } = await userVerifier.verifyToken(token);
 *     return { sub: String(claims.sub), scope: claims.scope as string, exp: claims.exp };
 *   },
 * });
 * const { status, headers, body } = await service.handle({ method, url, headers, body: rawForm });
 * ```
 */
export function createTransactionTokenService(
  options: TransactionTokenServiceOptions,
): TransactionTokenService {
  const resolved = resolveServiceOptions(options);
  const logger = resolveLogger(options.logger, 'logger');
  const minter = createTxnTokenMinter({
    issuer: resolved.issuer,
    trustDomain: resolved.trustDomain,
    keys: options.keys,
    algorithm: options.algorithm,
    lifetime: resolved.lifetime,
    maxTokenBytes: resolved.maxTokenBytes,
    now: resolved.now,
  });
  return {
    trustDomain: resolved.trustDomain,
    issuer: resolved.issuer,
    maxBodyBytes: resolved.maxBodyBytes,
    async handle(request) {
      try {
        return await exchange(resolved, minter, logger, request);
      } catch (err) {
        const response =
          err instanceof TokenEndpointRefusal
            ? err.response
            : refusal('server_error', 'the token service failed unexpectedly');
        if (logger !== null) logFailure(logger, response, err);
        return response;
      }
    },
    bodyTooLarge: () =>
      refusal('invalid_request', `the form body exceeds ${resolved.maxBodyBytes} bytes`, {
        status: 413,
        headers: { connection: 'close' },
      }),
    jwks: () => minter.jwks(),
  };
}

function logFailure(logger: Logger, response: TokenEndpointResponse, err: unknown): void {
  const { error } = response.body as { error: string };
  const fields: Record<string, unknown> = { error, status: response.status };
  const message = `txn-token service refused a request: ${response.status} ${error}`;
  if (response.status < 500) {
    logger.debug(fields, message);
    return;
  }
  const causes = describeCauses(err instanceof TokenEndpointRefusal ? err.cause : err, {
    withSelf: true,
  });
  if (causes.length > 0) fields.cause = causes;
  logger.error(fields, message);
}

async function exchange(
  options: ResolvedServiceOptions,
  minter: TxnTokenMinter,
  logger: Logger | null,
  request: TokenEndpointRequest,
): Promise<TokenEndpointResponse> {
  if (request.method.toUpperCase() !== 'POST') {
    refuse('invalid_request', 'the token endpoint answers POST only', {
      status: 405,
      headers: { allow: 'POST' },
    });
  }
  if (!isFormContentType(firstHeader(request.headers, 'content-type'))) {
    refuse('invalid_request', 'the body must be application/x-www-form-urlencoded', {
      status: 415,
    });
  }
  const parameters = readFormParameters(request.body, options.maxBodyBytes, MAX_PARAMETERS);
  const workload = await authenticateWorkload(options, {
    method: request.method,
    url: request.url ?? '/',
    headers: request.headers,
    rawBody: rawBodyOf(request.body),
  });
  const [grantType, requestedType, audience, scope] = ONCE.map((name) =>
    required(parameters, name),
  ) as [string, string, string, string];
  if (grantType !== TOKEN_EXCHANGE_GRANT_TYPE) {
    refuse('unsupported_grant_type', 'grant_type must be the token-exchange grant (RFC 8693)');
  }
  if (requestedType !== TXN_TOKEN_TYPE_URN) {
    refuse('invalid_request', `requested_token_type must be ${TXN_TOKEN_TYPE_URN}`);
  }
  if (audience !== options.trustDomain) {
    refuse('invalid_target', 'audience is not the trust domain this service issues for');
  }
  if (parameters.has('resource')) {
    refuse('invalid_target', 'resource is not supported: a Txn-Token is for the trust domain');
  }
  if (parameters.has('actor_token') || parameters.has('actor_token_type')) {
    refuse('invalid_request', 'actor_token is not supported');
  }
  const subjectToken = required(parameters, 'subject_token');
  const subjectType = required(parameters, 'subject_token_type');
  const limits = { maxBytes: options.maxContextBytes, maxDepth: options.maxContextDepth };
  const requestContext = readContextParameter(
    'request_context',
    parameters.get('request_context'),
    limits,
  );
  const requestDetails = readContextParameter(
    'request_details',
    parameters.get('request_details'),
    limits,
  );
  const requestedScope = parseRequestedScope(scope);

  let pending: PendingClaims;
  if (subjectType === TXN_TOKEN_TYPE_URN) {
    const carried = await checkReplacement(minter, {
      token: subjectToken,
      requestedScope,
      requestContext,
      requestDetails,
      maxReplacements: options.maxReplacements,
    });
    pending = { ...carried, scope: requestedScope, workload };
  } else {
    if (subjectType === REFRESH_TOKEN_TYPE) {
      refuse('invalid_request', 'a refresh token never buys a Txn-Token');
    }
    if (!options.subjectTokenTypes.has(subjectType)) {
      refuse('invalid_request', 'subject_token_type is not accepted by this service');
    }
    pending = await mintedClaims(options, {
      subjectToken,
      subjectType,
      requestedScope,
      requestContext,
      requestDetails,
      workload,
    });
  }

  const iat = Math.floor(options.now() / 1000);
  const exp = iat + options.lifetime;
  const claims: Record<string, unknown> = {
    iss: options.issuer,
    aud: options.trustDomain,
    iat,
    exp,
    txn: pending.txn ?? randomUUID(),
    sub: pending.sub,
    scope: pending.scope.join(' '),
    req_wl: pending.workload,
  };
  if (pending.tctx !== undefined) claims.tctx = pending.tctx;
  if (pending.rctx !== undefined) claims.rctx = pending.rctx;
  if (pending.chain !== undefined) claims[REQUESTER_CHAIN_CLAIM] = pending.chain;
  let token: string;
  try {
    token = await minter.mint(claims, exp);
  } catch (err) {
    if (isServiceJwtError(err) && err.status === 503) {
      refuse('temporarily_unavailable', 'the signing key is out of reach', { cause: err });
    }
    throw err;
  }
  if (token.length > options.maxTokenBytes) {
    refuse(
      'invalid_request',
      `the transaction's context makes the Txn-Token larger than ${options.maxTokenBytes} bytes`,
    );
  }
  logger?.info(
    {
      txn: claims.txn,
      req_wl: pending.workload,
      replacement: pending.chain !== undefined,
      // draft §"Logging": never the token itself, only its hash.
      txn_token_sha256: createHash('sha256').update(token).digest('base64url'),
    },
    'txn-token service issued a Txn-Token',
  );
  return issued({
    access_token: token,
    issued_token_type: TXN_TOKEN_TYPE_URN,
    token_type: 'N_A',
    expires_in: options.lifetime,
  });
}
