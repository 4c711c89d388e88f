import type { IncomingMessage } from 'node:http';
import type { BodyReader, HeadersLike, RequestLike } from '@service-jwt/core';
import type { Context } from 'koa';

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
 * `message.headers`, which would hide a second credential. Where a header was sent more than
 * once, hand core every value so it can refuse the request (`token_duplicated`).
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
 * Maps a Koa context to core's `RequestLike`: the method and the request target as received
 * (`ctx.originalUrl`, untouched by routers and mounts), the Node headers, and a lazy body
 * reader that core calls only once the token is authenticated and asks for a body hash.
 */
export function toRequestLike(ctx: Context, body: BodyReader): RequestLike {
  return { method: ctx.method, url: ctx.originalUrl, headers: nodeHeaders(ctx.req), body };
}
