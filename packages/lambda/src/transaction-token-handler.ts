import { isServiceJwtError, type TransactionTokenService } from '@service-jwt/core';
import { checkTokenService } from '@service-jwt/core/adapter';
import type { ApiGatewayEventLike } from './events.js';
import { toRequestLike } from './request.js';

/** What {@link transactionTokenHandler} returns, valid for both payload formats. */
export interface TokenEndpointResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded: false;
}

/**
 * A Lambda handler (API Gateway proxy integration, payload format 1.0 or 2.0) serving a
 * Transaction Token Service: the event's body (base64-decoded when flagged) is handed over
 * raw, bounded by the service's `maxBodyBytes`, and the service's answer (RFC 8693 token
 * response or RFC 6749 §5.2 refusal, `Cache-Control: no-store`) is returned as the result.
 *
 * @throws ServiceJwtError `configuration_error` when `service` is not a token service, or
 * (rejecting) for an event that is not an API Gateway proxy event.
 * @example
 * ```ts
 * export const handler = transactionTokenHandler(createTransactionTokenService(options));
 * ```
 */
export function transactionTokenHandler(
  service: TransactionTokenService,
): (event: ApiGatewayEventLike) => Promise<TokenEndpointResult> {
  const checked = checkTokenService(service);
  return async function serviceJwtTokenEndpoint(event) {
    const request = toRequestLike(event);
    let answer: Awaited<ReturnType<TransactionTokenService['handle']>>;
    try {
      const body =
        typeof request.body === 'function'
          ? await request.body(checked.maxBodyBytes)
          : request.body;
      answer = await checked.handle({ ...request, body: body as Uint8Array });
    } catch (err) {
      if (!isServiceJwtError(err) || err.code !== 'body_too_large') throw err;
      answer = checked.bodyTooLarge();
    }
    // API Gateway owns the connection: a hop-by-hop header from the service means nothing here.
    const { connection: _hopByHop, ...headers } = answer.headers;
    return {
      statusCode: answer.status,
      headers,
      body: JSON.stringify(answer.body),
      isBase64Encoded: false,
    };
  };
}
