import type { Readable } from 'node:stream';
import type { RequestLike } from '@service-jwt/core';
import type { Guard } from '@service-jwt/core/adapter';
import type { Context } from 'koa';

type Sign = NonNullable<Guard['signResponse']>;

function isStream(body: unknown): body is Readable {
  return typeof (body as Readable | null)?.pipe === 'function';
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (isStream(body)) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }
  // What Koa itself sends for an object body.
  return Buffer.from(JSON.stringify(body));
}

/**
 * Once the downstream middleware answered, signs the answer (`httpSignature.signResponse`)
 * over its status and the exact body bytes Koa will send, and makes those bytes the body
 * (a stream is read in full first). Middleware upstream that rewrites the body afterwards
 * (compression) breaks the signature: mount the guard after it.
 */
export async function signAnswer(sign: Sign, request: RequestLike, ctx: Context): Promise<void> {
  const body = ctx.body === null || ctx.body === undefined ? undefined : await bodyBytes(ctx.body);
  const added = sign(request, { status: ctx.status, ...(body === undefined ? {} : { body }) });
  if (body !== undefined) ctx.body = body;
  ctx.set(added);
}
