import type { TransactionTokenService } from '@service-jwt/core';
import { answerNodeTokenRequest, checkTokenService } from '@service-jwt/core/adapter';
import type { Middleware } from 'koa';

/**
 * Serves a Transaction Token Service (`createTransactionTokenService`) as Koa middleware that
 * answers every request reaching it: mount it on the token path with your router, or give
 * `path` (requests to other paths pass on). It reads the form body itself, bounded by the
 * service's `maxBodyBytes` (or takes `ctx.request.body` when a body parser ran first), and
 * writes the service's answer (RFC 8693 token response or RFC 6749 §5.2 refusal,
 * `Cache-Control: no-store`).
 *
 * @throws ServiceJwtError `configuration_error` when `service` is not a token service.
 * @example
 * ```ts
 * app.use(transactionTokenService(service, { path: '/token' }));
 * ```
 */
export function transactionTokenService(
  service: TransactionTokenService,
  options: { readonly path?: string } = {},
): Middleware {
  const checked = checkTokenService(service);
  return async function serviceJwtTokenEndpoint(ctx, next) {
    if (options.path !== undefined && ctx.path !== options.path) {
      await next();
      return;
    }
    // A body parser that ran first consumed the stream and left what it parsed.
    const parsed = (ctx.request as { body?: unknown }).body;
    const answer = await answerNodeTokenRequest(checked, ctx.req, {
      parsedBody:
        ctx.req.readableDidRead && typeof parsed === 'object' && parsed !== null
          ? (parsed as Record<string, unknown>)
          : undefined,
      url: ctx.originalUrl,
    });
    ctx.status = answer.status;
    ctx.set(answer.headers);
    ctx.body = JSON.stringify(answer.body);
  };
}
