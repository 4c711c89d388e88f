import type { IncomingMessage } from 'node:http';
import { configurationError } from '../errors/refusals.js';
import { isServiceJwtError } from '../errors/service-jwt-error.js';
import type { TokenRequestBody } from '../transaction-tokens/service/form-parameters.js';
import type { TokenEndpointResponse } from '../transaction-tokens/service/token-endpoint-response.js';
import type { TransactionTokenService } from '../transaction-tokens/service/transaction-token-service.js';
import { readNodeRequestBody } from './node-body.js';

/** Checks, at construction, that an adapter was handed a token service. */
export function checkTokenService(service: unknown): TransactionTokenService {
  const candidate = service as Partial<TransactionTokenService> | undefined;
  if (typeof candidate?.handle !== 'function' || typeof candidate.bodyTooLarge !== 'function') {
    throw configurationError('service must be a createTransactionTokenService(...) token service');
  }
  return service as TransactionTokenService;
}

/** What the framework knows better than the bare `IncomingMessage`. */
export interface NodeTokenRequestExtras {
  /** What a form parser that already read the stream made of the body. */
  readonly parsedBody?: TokenRequestBody | undefined;
  /** The target as the client sent it, when the framework rewrote `message.url` (mounting). */
  readonly url?: string | undefined;
}

/**
 * Answers a token request arriving on a Node `IncomingMessage`: the form body read raw and
 * bounded by the service's `maxBodyBytes` (a larger one gets the service's 413, the rest left
 * unread), or `parsedBody` when a framework's form parser already read the stream.
 *
 * @throws ServiceJwtError `configuration_error` when the stream was consumed by a parser and
 * no parsed body is given (hand it to the framework: a 500 someone must fix).
 */
export async function answerNodeTokenRequest(
  service: TransactionTokenService,
  message: IncomingMessage,
  extras: NodeTokenRequestExtras = {},
): Promise<TokenEndpointResponse> {
  let body: TokenRequestBody | undefined = extras.parsedBody;
  if (body === undefined) {
    try {
      body = await readNodeRequestBody(message, service.maxBodyBytes);
    } catch (err) {
      if (isServiceJwtError(err) && err.code === 'body_too_large') return service.bodyTooLarge();
      throw err;
    }
  }
  return service.handle({
    method: message.method ?? 'GET',
    url: extras.url ?? message.url ?? '/',
    headers: message.headers,
    body,
  });
}
