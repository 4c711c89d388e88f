import type { IncomingMessage } from 'node:http';
import type { BodyReader } from '@service-jwt/core';
import { configurationError, readNodeRequestChunks } from '@service-jwt/core/adapter';
import type { Context } from 'koa';

// Requests whose stream this adapter has already read: a second guard on the same request
// (app-wide and per-route) gets the same chunks from core's read, not a "consumed" refusal.
const read = new WeakSet<IncomingMessage>();

const BODY_CONSUMED =
  'the request body was consumed before requireServiceJwt ran and no ctx.request.rawBody is ' +
  'available: mount requireServiceJwt before the body parser, or use a parser that sets ' +
  'ctx.request.rawBody (koa-bodyparser, @koa/bodyparser)';

const NOT_REPRODUCIBLE =
  'the body parser decoded the body to text and its exact bytes cannot be reproduced ' +
  '(non-UTF-8 bytes, a byte order mark, a charset other than UTF-8, or a compressed body): ' +
  'mount requireServiceJwt before the body parser';

function isIdentityEncoding(ctx: Context): boolean {
  const encoding = ctx.get('content-encoding').trim().toLowerCase();
  return encoding === '' || encoding === 'identity';
}

/**
 * The bytes behind a parser's `ctx.request.rawBody`, when they can be shown to be the bytes as
 * sent; else `undefined`. koa-bodyparser and @koa/bodyparser keep the body as a string decoded
 * as UTF-8 (after inflating compressed bodies), so the bytes as sent can only be rebuilt when
 * decoding lost nothing. That can't be shown when the string holds a replacement character
 * (undecodable input), when a Content-Length differs from the re-encoded length (bytes dropped
 * or transcoded: a stripped BOM, another charset), or when the body had a content coding (the
 * text is the inflated body). No limit here: core applies the route's `maxBodyBytes` to bytes
 * in hand, with the same 413.
 */
function reproducedBytes(ctx: Context, rawBody: unknown): Uint8Array | undefined {
  if (rawBody instanceof Uint8Array) return rawBody;
  if (typeof rawBody !== 'string' || !isIdentityEncoding(ctx) || rawBody.includes('\uFFFD')) {
    return undefined;
  }
  const bytes = Buffer.from(rawBody, 'utf8');
  const declared = ctx.get('content-length');
  return declared !== '' && Number(declared) !== bytes.byteLength ? undefined : bytes;
}

function streamTouched(message: IncomingMessage): boolean {
  return message.readableDidRead || message.readableEnded || message.destroyed;
}

/** A reader that fails closed, and only when core asks for the body (a hash is owed). */
function refusing(message: string): BodyReader {
  return async () => {
    throw configurationError(message);
  };
}

/**
 * The body of a Koa request as core takes it, decided once per request:
 * 1. the chunks this adapter already read for the request (a second guard on it: core keeps
 *    them per message);
 * 2. else, if a body parser ran before us, the bytes behind its `ctx.request.rawBody`
 *    ({@link reproducedBytes}). Handed over as the body itself, they let the verification
 *    finish in the same turn (no promise, no read deadline), as Express's `captureRawBody`
 *    bytes do. When they can't be shown to be the bytes as sent, 500 `configuration_error`
 *    naming the fix, never a guess;
 * 3. else a lazy reader of the untouched Node stream, called by core only after the token has
 *    been authenticated and only when a body hash must be checked, read bounded by core's
 *    `readNodeRequestChunks`, which leaves it readable so a parser mounted later still gets the
 *    same bytes. A stream someone else consumed gives `configuration_error` too.
 *
 * Either refusal is raised only when a body hash is owed.
 */
export function koaRequestBody(ctx: Context): Uint8Array | BodyReader {
  const message = ctx.req;
  if (read.has(message)) return (maxBytes) => readNodeRequestChunks(message, maxBytes);
  const rawBody: unknown = (ctx.request as { rawBody?: unknown }).rawBody;
  if (rawBody !== undefined) {
    const bytes = reproducedBytes(ctx, rawBody);
    if (bytes !== undefined) return bytes;
    return refusing(typeof rawBody === 'string' ? NOT_REPRODUCIBLE : BODY_CONSUMED);
  }
  return async (maxBytes) => {
    if (read.has(message)) return readNodeRequestChunks(message, maxBytes);
    if (streamTouched(message)) throw configurationError(BODY_CONSUMED);
    read.add(message);
    return readNodeRequestChunks(message, maxBytes);
  };
}
