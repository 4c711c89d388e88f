import { type BodyReader, nodeRequestHeaders, type RequestLike } from '@service-jwt/core';
import type { Context } from 'koa';

/**
 * Maps a Koa context to core's `RequestLike`: the method and the request target as received
 * (`ctx.originalUrl`, untouched by routers and mounts), the Node headers (core's `nodeRequestHeaders`: every value of a
 * repeated header, so two `Authorization` headers are `token_duplicated`), and a lazy body
 * reader that core calls only once the token is authenticated and asks for a body hash.
 */
export function toRequestLike(ctx: Context, body: BodyReader): RequestLike {
  return { method: ctx.method, url: ctx.originalUrl, headers: nodeRequestHeaders(ctx.req), body };
}
