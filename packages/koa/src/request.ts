import type { RequestLike } from '@service-jwt/core';
import { declaresBody, nodeRequestHeaders } from '@service-jwt/core/adapter';
import type { Context } from 'koa';
import { koaRequestBody } from './raw-body.js';

/**
 * Maps a Koa context to core's `RequestLike`: the method and the request target as received
 * (`ctx.originalUrl`, untouched by routers and mounts), the Node headers (core's
 * `nodeRequestHeaders`: every value of a repeated header, so two `Authorization` headers are
 * `token_duplicated`), and, for a request that announces a body, the bytes a body parser kept
 * (`ctx.request.rawBody`, when they are the bytes as sent), else a lazy body reader that core
 * calls only once the token is authenticated and asks for a body hash.
 */
export function toRequestLike(ctx: Context): RequestLike {
  const headers = nodeRequestHeaders(ctx.req);
  return {
    method: ctx.method,
    url: ctx.originalUrl,
    headers,
    body: declaresBody(ctx.req.headers) ? koaRequestBody(ctx) : undefined,
  };
}
