import type { TransactionTokenService } from '@service-jwt/core';
import { answerNodeTokenRequest, checkTokenService } from '@service-jwt/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Serves a Transaction Token Service (`createTransactionTokenService`) as an Express route:
 * reads the form body itself, bounded by the service's `maxBodyBytes` (or takes what
 * `express.urlencoded()` parsed, if it ran first), and writes the service's answer (RFC 8693
 * token response or RFC 6749 §5.2 refusal, `Cache-Control: no-store`). Mount it with
 * `app.all` so other methods get the service's 405.
 *
 * @throws ServiceJwtError `configuration_error` when `service` is not a token service.
 * @example
 * ```ts
 * app.all('/token', transactionTokenService(service));
 * ```
 */
export function transactionTokenService(service: TransactionTokenService): RequestHandler {
  const checked = checkTokenService(service);
  return function serviceJwtTokenEndpoint(req: Request, res: Response, next: NextFunction): void {
    // A body parser that ran first consumed the stream and left what it parsed.
    const parsed = req.readableDidRead && typeof req.body === 'object' ? req.body : undefined;
    answerNodeTokenRequest(checked, req, { parsedBody: parsed, url: req.originalUrl }).then(
      ({ status, headers, body }) => {
        res.status(status).set(headers).send(JSON.stringify(body));
      },
      next,
    );
  };
}
