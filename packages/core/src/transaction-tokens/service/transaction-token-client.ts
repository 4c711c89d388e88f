import {
  configurationError,
  tokenExchangeRefused,
  tokenServiceUnavailable,
} from '../../errors/refusals.js';
import { isServiceJwtError } from '../../errors/service-jwt-error.js';
import { TIMED_OUT, withDeadline } from '../../signer/deadline.js';
import type { ServiceJwtSigner } from '../../signer/signer.js';
import { TOKEN_EXCHANGE_GRANT_TYPE, TXN_TOKEN_TYPE_URN } from '../txn-token.js';
import { readBoundedText } from './bounded-response.js';

/** `fetch` as the client calls it (the global `fetch` fits). */
export type TokenServiceFetch = (url: string, init: RequestInit) => Promise<Response>;

/** Options of {@link createTransactionTokenClient}. */
export interface TransactionTokenClientOptions {
  /** The token service's token endpoint. */
  readonly url: string;
  /** The trust domain, sent as `audience`. */
  readonly trustDomain: string;
  /**
   * This workload's credential for the token service: a signer (its cached `tokenFor(audience)`
   * token is sent) or a function returning the token. Exactly one of `signer`, `serviceToken`.
   */
  readonly signer?: ServiceJwtSigner;
  /** The token service's audience for `signer`'s token. @default the `url`'s origin */
  readonly audience?: string;
  readonly serviceToken?: () => string | Promise<string>;
  /** @default globalThis.fetch */
  readonly fetch?: TokenServiceFetch;
  /** Deadline of one exchange, headers and body, milliseconds. @default 5000 */
  readonly timeout?: number;
}

/** One exchange: the user's credential and what the transaction is for. */
export interface TokenExchangeInput {
  readonly subjectToken: string;
  /** @default 'urn:ietf:params:oauth:token-type:access_token' */
  readonly subjectTokenType?: string;
  /** Space-separated scope of the transaction. */
  readonly scope: string;
  /** Environment of the request: becomes `rctx` (IP address, authentication method). */
  readonly requestContext?: Readonly<Record<string, unknown>>;
  /** Parameters of the request: become `tctx`, immutable for the transaction's life. */
  readonly requestDetails?: Readonly<Record<string, unknown>>;
}

/** A Txn-Token as the service issued it. */
export interface IssuedTransactionToken {
  /** The Txn-Token: send it in `Txn-Token`, never log it (its SHA-256 at most). */
  readonly token: string;
  /** Seconds it lives, as the service said. */
  readonly expiresIn: number;
  /** When it expires, epoch milliseconds (by this process's clock). */
  readonly expiresAt: number;
}

/** The edge's side of the token service: see {@link createTransactionTokenClient}. */
export interface TransactionTokenClient {
  /**
   * Exchanges a user's credential for a Txn-Token (RFC 8693 §2.1).
   *
   * @throws ServiceJwtError `token_exchange_refused` (403) when the service answers an RFC
   * 6749 §5.2 refusal (the OAuth `error` is in the message, never the token);
   * `token_service_unavailable` (503) when it cannot be reached, misses the deadline, answers
   * 5xx or something that is not a Txn-Token response.
   */
  exchange(input: TokenExchangeInput): Promise<IssuedTransactionToken>;
  /** Asks for a replacement of `txnToken` with `scope` (no wider than its own). Throws as `exchange`. */
  replace(txnToken: string, scope: string): Promise<IssuedTransactionToken>;
}

const MAX_RESPONSE_BYTES = 65_536;
const OAUTH_ERROR = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/;

function validate(options: TransactionTokenClientOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw configurationError('createTransactionTokenClient options are required');
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw configurationError('url must be the absolute URL of the token endpoint');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw configurationError('url must be an http: or https: URL');
  }
  if (typeof options.trustDomain !== 'string' || options.trustDomain === '') {
    throw configurationError('trustDomain must be a non-empty string: the audience of Txn-Tokens');
  }
  if ((options.signer === undefined) === (options.serviceToken === undefined)) {
    throw configurationError(
      'exactly one of signer or serviceToken is required: how this workload authenticates to the token service',
    );
  }
  if (options.serviceToken !== undefined && typeof options.serviceToken !== 'function') {
    throw configurationError('serviceToken must be a function returning the service token');
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw configurationError('fetch must be a function');
  }
  const timeout = options.timeout ?? 5000;
  if (!Number.isSafeInteger(timeout) || timeout <= 0 || timeout > 120_000) {
    throw configurationError('timeout must be a whole number of milliseconds from 1 to 120000');
  }
}

function toIssued(status: number, text: string, startedAt: number): IssuedTransactionToken {
  let body: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  if (status >= 400 && status < 500 && typeof body?.error === 'string') {
    const error = OAUTH_ERROR.test(body.error) ? body.error : 'unknown error';
    throw tokenExchangeRefused(error, { status, error });
  }
  if (status !== 200 || body === undefined) {
    throw tokenServiceUnavailable(`the token service answered ${status} without a token`);
  }
  const { access_token: token, issued_token_type: type, expires_in: expiresIn } = body;
  if (
    typeof token !== 'string' ||
    token === '' ||
    type !== TXN_TOKEN_TYPE_URN ||
    body.token_type !== 'N_A' ||
    typeof expiresIn !== 'number' ||
    !(expiresIn > 0)
  ) {
    throw tokenServiceUnavailable(
      'the token service answered something that is not a Txn-Token response',
    );
  }
  return { token, expiresIn, expiresAt: startedAt + expiresIn * 1000 };
}

/**
 * Creates the edge's client of a Transaction Token Service: it sends RFC 8693 token exchange
 * requests authenticated by this workload's service token, under a deadline, and reads the
 * answer bounded (64 KiB).
 *
 * @throws ServiceJwtError `configuration_error` naming the option: a bad `url`, no
 * `trustDomain`, neither or both of `signer` and `serviceToken`, a bad `timeout`.
 * @example
 * ```ts
 * const txnTokens = createTransactionTokenClient({
 *   url: 'https://txn-tokens.internal/token', trustDomain: 'trust-domain.example', signer,
 * });
 * const { token } = await txnTokens.exchange({
 *   subjectToken: userAccessToken, scope: 'orders.read', requestDetails: { orderId: '42' },
 * });
 * ```
 */
export function createTransactionTokenClient(
  options: TransactionTokenClientOptions,
): TransactionTokenClient {
  validate(options);
  const fetchImpl: TokenServiceFetch = options.fetch ?? ((url, init) => fetch(url, init));
  const timeout = options.timeout ?? 5000;
  const audience = options.audience ?? new URL(options.url).origin;
  const credential =
    options.serviceToken ?? (() => (options.signer as ServiceJwtSigner).tokenFor(audience));

  async function send(fields: Record<string, string>): Promise<IssuedTransactionToken> {
    const startedAt = Date.now();
    let answer: { status: number; text: string } | typeof TIMED_OUT;
    try {
      // One deadline over the credential, the request and the body.
      answer = await withDeadline(async (signal) => {
        const serviceToken = await credential();
        const response = await fetchImpl(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
            authorization: `Bearer ${serviceToken}`,
          },
          body: new URLSearchParams(fields).toString(),
          redirect: 'error',
          signal,
        });
        return {
          status: response.status,
          text: await readBoundedText(response, MAX_RESPONSE_BYTES),
        };
      }, timeout);
    } catch (err) {
      if (isServiceJwtError(err)) throw err;
      throw tokenServiceUnavailable('the token service could not be reached', err);
    }
    if (answer === TIMED_OUT) {
      throw tokenServiceUnavailable(`the token service did not answer within ${timeout} ms`);
    }
    return toIssued(answer.status, answer.text, startedAt);
  }

  function fields(input: TokenExchangeInput): Record<string, string> {
    if (typeof input?.subjectToken !== 'string' || input.subjectToken === '') {
      throw configurationError('subjectToken must be a non-empty string');
    }
    if (typeof input.scope !== 'string' || input.scope === '') {
      throw configurationError('scope must be a non-empty string');
    }
    const form: Record<string, string> = {
      grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
      requested_token_type: TXN_TOKEN_TYPE_URN,
      audience: options.trustDomain,
      scope: input.scope,
      subject_token: input.subjectToken,
      subject_token_type: input.subjectTokenType ?? 'urn:ietf:params:oauth:token-type:access_token',
    };
    if (input.requestContext !== undefined) {
      form.request_context = JSON.stringify(input.requestContext);
    }
    if (input.requestDetails !== undefined) {
      form.request_details = JSON.stringify(input.requestDetails);
    }
    return form;
  }

  return {
    exchange: (input) => send(fields(input)),
    replace: (txnToken, scope) =>
      send(fields({ subjectToken: txnToken, subjectTokenType: TXN_TOKEN_TYPE_URN, scope })),
  };
}
