import {
  createResponseSigner,
  errorResponse,
  type ResponseSigner,
  type ResponseSignerOptions,
} from '@service-jwt/core';
import {
  configurationError,
  isJsonContentType,
  resolveErrorHandling,
  toServiceJwtError,
} from '@service-jwt/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AdapterOptions } from './options.js';

/** Options of {@link signResponseKeys}: core's `createResponseSigner` options plus `onError`/`realm`. */
export type ExpressSignResponseKeysOptions = ResponseSignerOptions & AdapterOptions;

/** The middleware returned by {@link signResponseKeys}. */
export interface SignResponseKeysMiddleware extends RequestHandler {
  /** The core signer behind it (`await middleware.signer.ready()` checks the keys at start-up). */
  readonly signer: ResponseSigner;
}

type Chunk = string | Uint8Array | undefined | null;
type Callback = (err?: Error | null) => void;

function toBuffer(chunk: Chunk, encoding: unknown): Buffer {
  if (chunk === undefined || chunk === null) return Buffer.alloc(0);
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function contentType(res: Response): string | undefined {
  const value = res.getHeader('content-type');
  return typeof value === 'string' ? value : undefined;
}

function isCandidate(res: Response): boolean {
  return res.statusCode >= 200 && res.statusCode <= 299 && isJsonContentType(contentType(res));
}

function clearHeaders(res: Response): void {
  for (const name of res.getHeaderNames()) res.removeHeader(name);
}

/**
 * Express middleware for a gateway route: when the response is JSON (2xx, `application/json`
 * or `application/*+json`), each top-level key of `keysToSign` holding a JSON object is
 * replaced by its JWS before the response leaves (see core's `createResponseSigner`). It
 * wraps `res.write`/`res.end`, so `res.json`, `res.send` and `res.end` with a JSON body all
 * work; `Content-Length` is recomputed and `ETag` dropped.
 *
 * Passes through untouched: statuses outside 200–299, non-JSON content types, empty bodies,
 * bodies without any key to sign. Refused (never signed half-way): a key to sign holding
 * anything but an object, a JSON type whose body does not parse, or a body over
 * `maxBodyBytes` (500 `configuration_error`); a signing key that cannot be obtained or failed its TLS checks (503
 * `keys_unavailable`, `Retry-After`). A refused response loses every header the handler set
 * and carries core's `errorResponse`, or with `onError: 'throw'` goes to `next(err)`.
 * A JSON body written after explicit `res.writeHead`/flushed headers cannot be signed: the
 * connection is destroyed instead.
 *
 * @throws ServiceJwtError `configuration_error` at construction, naming the invalid option.
 * @example
 * ```ts
 * app.post('/token', signResponseKeys({
 *   keysToSign: ['access_token', 'refresh_token'],
 *   alg: 'RS256', kid: 'gw-1', jwkSetUrl: 'https://vault.internal/jwks.json', ca,
 * }), (req, res) => res.json(await backendLogin(req.body)));
 * ```
 */
export function signResponseKeys(
  options: ExpressSignResponseKeysOptions,
): SignResponseKeysMiddleware {
  if (typeof options !== 'object' || options === null) {
    throw configurationError('options must be an object');
  }
  const adapter = resolveErrorHandling(options);
  const { onError: _onError, realm: _realm, ...signerOptions } = options;
  const signer = createResponseSigner(signerOptions);

  function refuse(res: Response, next: NextFunction, end: Response['end'], caught: unknown): void {
    const err = toServiceJwtError(caught);
    clearHeaders(res);
    if (adapter.onError === 'throw') {
      next(err);
      return;
    }
    const response = errorResponse(
      err,
      adapter.realm === undefined ? {} : { realm: adapter.realm },
    );
    const body = JSON.stringify(response.body);
    res.statusCode = response.status;
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
    res.setHeader('content-length', Buffer.byteLength(body));
    end.call(res, body, 'utf8');
  }

  const middleware = function serviceJwtSignResponseKeys(
    _req: Request,
    res: Response,
    next: NextFunction,
  ): void {
    const write = res.write;
    const end = res.end;
    const rawEnd = end as (...args: unknown[]) => Response;
    const held: Buffer[] = [];
    const unsignable = () =>
      configurationError(
        'a JSON response was flushed before it could be signed; send it with res.json or res.end',
      );

    res.write = function heldWrite(this: Response, chunk: Chunk, ...rest: unknown[]): boolean {
      if (!isCandidate(res))
        return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      if (res.headersSent) {
        res.destroy(unsignable());
        return false;
      }
      held.push(toBuffer(chunk, typeof rest[0] === 'string' ? rest[0] : undefined));
      const callback = rest.find((arg) => typeof arg === 'function') as Callback | undefined;
      if (callback !== undefined) process.nextTick(callback);
      return true;
    } as Response['write'];

    res.end = function signingEnd(this: Response, ...args: unknown[]): Response {
      const callback = args.find((arg) => typeof arg === 'function') as Callback | undefined;
      const chunk = typeof args[0] === 'function' ? undefined : (args[0] as Chunk);
      const encoding = typeof args[1] === 'string' ? args[1] : undefined;
      res.write = write;
      res.end = end;
      const body = Buffer.concat([...held, toBuffer(chunk, encoding)]);
      if (!isCandidate(res)) {
        // Something held while the response looked like JSON (then changed) is sent as is.
        return held.length === 0 ? rawEnd.apply(this, args) : rawEnd.call(this, body, callback);
      }
      if (res.headersSent) {
        if (body.length > 0) res.destroy(unsignable());
        else rawEnd.call(this, callback);
        return this;
      }
      signer
        .signResponse({ status: res.statusCode, contentType: contentType(res), body })
        .then(
          (result) => {
            if (result.body === undefined) {
              rawEnd.call(res, body, callback);
              return;
            }
            res.removeHeader('etag');
            res.setHeader('content-length', Buffer.byteLength(result.body));
            rawEnd.call(res, result.body, 'utf8', callback);
          },
          (caught: unknown) => refuse(res, next, end, caught),
        )
        .catch((err: unknown) => res.destroy(err as Error));
      return this;
    } as Response['end'];

    next();
  };
  return Object.assign(middleware, { signer });
}
