import type { RequestLike } from '@service-jwt/core';
import { answerBytes, type Guard } from '@service-jwt/core/adapter';
import type { Context } from 'koa';

type Sign = NonNullable<Guard['signResponse']>;

/**
 * Once the downstream middleware answered, signs the answer (`httpSignature.signResponse`)
 * over its status and the exact body bytes Koa will send, and makes those bytes the body
 * (a stream is read in full first). Middleware upstream that rewrites the body afterwards
 * (compression) breaks the signature: mount the guard after it.
 */
export async function signAnswer(sign: Sign, request: RequestLike, ctx: Context): Promise<void> {
  // An object body goes out as JSON, as Koa sends it.
  const body =
    ctx.body === null || ctx.body === undefined
      ? undefined
      : await answerBytes(ctx.body, JSON.stringify);
  const added = sign(request, { status: ctx.status, ...(body === undefined ? {} : { body }) });
  if (body !== undefined) ctx.body = body;
  ctx.set(added);
}
