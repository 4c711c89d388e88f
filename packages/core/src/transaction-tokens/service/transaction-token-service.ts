import { createHash } from 'node:crypto';
import { describeCauses, type Logger, resolveLogger } from '../../observability/logger.js';
import type { PublicJwk } from '../../signer/signing-keys.js';
import type { HeadersLike } from '../../verify/request.js';
import { TXN_TOKEN_TYPE_URN } from '../txn-token.js';
import { isFormContentType, readFormParameters, type TokenRequestBody } from './form-parameters.js';
import { mintedClaims, type PendingClaims } from './minted-claims.js';
import {
  type ResolvedServiceOptions,
  resolveServiceOptions,
  type TransactionTokenServiceOptions,
} from './options.js';
import { checkReplacement } from './replacement.js';
import { signTransactionToken } from './sign-transaction-token.js';
import {
  issued,
  refusal,
  refuse,
  TokenEndpointRefusal,
  type TokenEndpointResponse,
} from './token-endpoint-response.js';
import { readTokenRequest } from './token-request.js';
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

// RFC 8693 defines eleven parameters and the draft two more: room to spare, not to grow.
const MAX_PARAMETERS = 32;

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
  const tokenRequest = readTokenRequest(parameters, options);

  const pending: PendingClaims =
    tokenRequest.subjectType === TXN_TOKEN_TYPE_URN
      ? {
          ...(await checkReplacement(minter, {
            ...tokenRequest,
            maxReplacements: options.maxReplacements,
          })),
          scope: tokenRequest.requestedScope,
          workload,
        }
      : await mintedClaims(options, { ...tokenRequest, workload });
  const { token, txn } = await signTransactionToken(options, minter, pending);
  logger?.info(
    {
      txn,
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
