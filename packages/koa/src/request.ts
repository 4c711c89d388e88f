import type { IncomingMessage } from 'node:http';
import type { BodyReader, HeadersLike, RequestLike } from '@service-jwt/core';
import type { Context } from 'koa';

/**
 * Node keeps only the first of some repeated headers (`authorization` among them) in
 * `message.headers`, which would hide a second credential. Where a header was sent more than
 * once, hand core every value so it can refuse the request (`token_duplicated`).
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
 * Maps a Koa context to core's `RequestLike`: the method and the request target as received
 * (`ctx.originalUrl`, untouched by routers and mounts), the Node headers, and a lazy body
 * reader that core calls only once the token is authenticated and asks for a body hash.
 */
export function toRequestLike(ctx: Context, body: BodyReader): RequestLike {
  return { method: ctx.method, url: ctx.originalUrl, headers: nodeHeaders(ctx.req), body };
}
