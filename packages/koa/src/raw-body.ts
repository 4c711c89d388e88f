import type { IncomingMessage } from 'node:http';
import type { BodyReader } from '@service-jwt/core';
import { bodyTooLarge, configurationError, readNodeRequestChunks } from '@service-jwt/core/adapter';
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
 * The parser's `ctx.request.rawBody` as the bytes as sent, when that can be shown (the checks
 * of {@link parserBytes}), else `undefined`. No limit here: core applies the route's
 * `maxBodyBytes` to bytes in hand, with the same 413.
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

/**
 * The bytes behind a parser's `ctx.request.rawBody`. koa-bodyparser and @koa/bodyparser keep
 * the body as a string decoded as UTF-8 (after inflating compressed bodies), so the bytes as
 * sent can only be rebuilt when decoding lost nothing. Refuse (fail closed) whenever that can't
 * be shown: a replacement character means undecodable input, a Content-Length that differs
 * from the re-encoded length means bytes were dropped or transcoded (a stripped BOM, another
 * charset), a content coding means the text is the inflated body, not the bytes as sent.
 */
function parserBytes(ctx: Context, rawBody: unknown, maxBytes: number): Uint8Array {
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
    throw configurationError(BODY_CONSUMED);
  }
  const bytes = reproducedBytes(ctx, rawBody);
  if (bytes === undefined) throw configurationError(NOT_REPRODUCIBLE);
  if (bytes.byteLength > maxBytes) throw bodyTooLarge(maxBytes);
  return bytes;
}

function streamTouched(message: IncomingMessage): boolean {
  return message.readableDidRead || message.readableEnded || message.destroyed;
}

/**
 * The body of a Koa request as core takes it:
 * - the bytes behind a parser's `ctx.request.rawBody`, when they can be shown to be the bytes
 *   as sent. Handed over as the body itself, they let the verification finish in the same turn
 *   (no promise, no read deadline), as Express's `captureRawBody` bytes do;
 * - else {@link koaBodyReader}, which core calls only when a body hash must be checked, and
 *   which refuses a body it cannot reproduce with `configuration_error` at that point only.
 */
export function koaRequestBody(ctx: Context): Uint8Array | BodyReader {
  if (!read.has(ctx.req)) {
    const rawBody: unknown = (ctx.request as { rawBody?: unknown }).rawBody;
    const bytes = rawBody === undefined ? undefined : reproducedBytes(ctx, rawBody);
    if (bytes !== undefined) return bytes;
  }
  return koaBodyReader(ctx);
}

/**
 * A lazy reader of the exact raw body of a Koa request, called by core only after the token
 * has been authenticated and only when a body hash must be checked:
 *
 * 1. the chunks this adapter already read for the request (core keeps them per message);
 * 2. else, if a body parser ran before us, its `ctx.request.rawBody` (see {@link parserBytes});
 * 3. else the untouched Node stream, read bounded by core's `readNodeRequestChunks`, which leaves
 *    it readable so a parser mounted later still gets the same bytes;
 * 4. else the bytes are gone: 500 `configuration_error` naming the fix, never a guess.
 */
function koaBodyReader(ctx: Context): BodyReader {
  return async (maxBytes) => {
    const message = ctx.req;
    if (read.has(message)) return readNodeRequestChunks(message, maxBytes);
    const rawBody: unknown = (ctx.request as { rawBody?: unknown }).rawBody;
    if (rawBody !== undefined) return parserBytes(ctx, rawBody, maxBytes);
    if (streamTouched(message)) {
      throw configurationError(BODY_CONSUMED);
    }
    read.add(message);
    return readNodeRequestChunks(message, maxBytes);
  };
}
