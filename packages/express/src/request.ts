import type { IncomingMessage } from 'node:http';
import type { HeadersLike, RequestLike } from '@service-jwt/core';
import type { Request } from 'express';
import { expressBodyReader } from './raw-body.js';

// Most requests repeat no header name, and finding that out from `rawHeaders` (a short scan,
// no allocation) costs far less than building `headersDistinct` for every request (the
// benchmark's profile: ~3 % of a static-token request). The scan is quadratic, so a request
// with more than 64 header lines takes the exact slow path instead.
function repeatsAHeaderName(raw: readonly string[]): boolean {
  if (raw.length > 128) return true;
  for (let i = 2; i < raw.length; i += 2) {
    const name = raw[i]!;
    for (let j = 0; j < i; j += 2) {
      const other = raw[j]!;
      if (other.length === name.length && other.toLowerCase() === name.toLowerCase()) return true;
    }
  }
  return false;
}

/**
 * Node keeps only the first of some repeated headers (`authorization` among them) in
 * `req.headers`, which would hide a second credential. Where a header was sent more than
 * once, core gets every value so it can refuse the request (`token_duplicated`). The Koa and
 * Fastify adapters do the same.
 */
function nodeHeaders(message: IncomingMessage): HeadersLike {
  if (!repeatsAHeaderName(message.rawHeaders)) return message.headers;
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
