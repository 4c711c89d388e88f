import type { IncomingMessage } from 'node:http';
import type { HeadersLike, RequestLike } from '@service-jwt/core';
import type { Request } from 'express';
import { expressBodyReader } from './raw-body.js';

/**
 * Node keeps only the first of some repeated headers (`authorization` among them) in
 * `req.headers`, which would hide a second credential. Where a header was sent more than
 * once, core gets every value so it can refuse the request (`token_duplicated`). The Koa and
 * Fastify adapters do the same.
 */
function nodeHeaders(message: IncomingMessage): HeadersLike {
  const distinct = message.headersDistinct;
  let headers: Record<string, string | string[] | undefined> | undefined;
  for (const name in distinct) {
    const values = distinct[name];
    if (values !== undefined && values.length > 1) {
      headers ??= { ...message.headers };
      headers[name] = values;
    }
  }
  return headers ?? message.headers;
}

/**
 * The one place an Express request becomes core's `RequestLike`: `req.method`,
 * `req.originalUrl` (routers mounted under a prefix rewrite `req.url`, but the caller signed
 * the target it sent), the headers, and a lazy body reader core calls only when a body hash
 * must be checked.
 */
export function toRequestLike(req: Request): RequestLike {
  return {
    method: req.method,
    url: req.originalUrl,
    headers: nodeHeaders(req),
    body: expressBodyReader(req),
  };
}
