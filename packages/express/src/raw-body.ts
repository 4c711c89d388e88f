import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BodyReader, isServiceJwtError } from '@service-jwt/core';
import { configurationError, declaresBody, readNodeRequestChunks } from '@service-jwt/core/adapter';

interface CapturedBody {
  readonly bytes: Uint8Array;
  /** The parser had a `Content-Encoding` to undo, so these are not the bytes as sent. */
  readonly decoded: boolean;
}

// Kept beside the request, not on it: the raw bytes are ours, not part of the app's API.
const captured = new WeakMap<IncomingMessage, CapturedBody>();

const EMPTY = new Uint8Array(0);

/**
 * The `verify` hook for `express.json()`, `express.urlencoded()`, `express.text()` and
 * `express.raw()` (body-parser) that keeps the exact bytes the parser read, so
 * `requireServiceJwt` mounted *after* the parser can still check the body hash (`bdy`).
 *
 * Body parsers undo `Content-Encoding` before `verify` sees the bytes; a route that allows
 * compressed bodies must therefore mount `requireServiceJwt` before the parser (the hash
 * covers the bytes as sent), otherwise the request fails with 500 `configuration_error`.
 *
 * @example
 * ```ts
 * app.use(express.json({ verify: captureRawBody }));
 * app.use(requireServiceJwt(options));
 * ```
 */
export function captureRawBody(
  req: IncomingMessage,
  _res: ServerResponse,
  buf: Buffer,
  _encoding?: string,
): void {
  const encoding = req.headers['content-encoding'];
  // An empty value is identity, for body-parser (which reads the bytes as sent) and for core.
  const value = encoding?.trim().toLowerCase() ?? '';
  const decoded = value !== '' && value !== 'identity';
  captured.set(req, { bytes: buf, decoded });
}

/**
 * The body of an Express request as core takes it, looked up once per request:
 * - the bytes {@link captureRawBody} kept, when they are the bytes as sent. Handed over as the
 *   body itself, they let the verification finish in the same turn (no promise, no read
 *   deadline), and core applies the same limit to them (`body_too_large`);
 * - else a {@link BodyReader}, called by core only when a body hash must be checked. It reads
 *   the untouched stream with core's `readNodeRequestChunks` (bounded, read once per request,
 *   and left readable for parsers mounted later), or answers an empty body when none was
 *   declared. It fails closed with `configuration_error` naming the fix when a parser
 *   decompressed the captured bytes, or consumed the body without capturing it.
 */
export function expressRequestBody(req: IncomingMessage): Uint8Array | BodyReader {
  const capture = captured.get(req);
  if (capture !== undefined && !capture.decoded) return capture.bytes;
  return async (maxBytes) => {
    if (capture !== undefined) {
      throw configurationError(
        'the body parser decompressed the body before requireServiceJwt saw it: mount requireServiceJwt before the body parser so the hash covers the bytes as sent',
      );
    }
    try {
      return await readNodeRequestChunks(req, maxBytes);
    } catch (err) {
      if (!isServiceJwtError(err) || err.code !== 'configuration_error') throw err;
      // Read by someone else: harmless when nothing was sent (a parser drained an empty body).
      if (!declaresBody(req.headers)) return EMPTY;
      throw configurationError(
        'the raw request body was already consumed by a body parser: pass `verify: captureRawBody` to express.json()/urlencoded()/text()/raw(), or mount requireServiceJwt before the body parser',
        err,
      );
    }
  };
}
