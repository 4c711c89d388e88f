import type { RequestLike } from '@service-jwt/core';
import type { Guard } from '@service-jwt/core/adapter';
import type { Response } from 'express';

type Sign = NonNullable<Guard['signResponse']>;
type Chunk = string | Uint8Array | undefined | null;

function bytes(chunk: Chunk, encoding: unknown): Buffer {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return Buffer.alloc(0);
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Holds back what the handler writes until `res.end`, then adds the response signature
 * (`httpSignature.signResponse`) over the status and the exact body bytes, and sends them.
 * An answer whose headers were already sent (explicit `res.writeHead`, `res.flushHeaders`)
 * cannot carry the signature and goes out unsigned: callers that check refuse it.
 */
export function signAnswer(sign: Sign, request: RequestLike, res: Response): void {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.write = ((chunk: Chunk, encoding?: unknown, callback?: unknown) => {
    if (res.headersSent) return write(chunk, encoding, callback);
    chunks.push(bytes(chunk, encoding));
    if (typeof encoding === 'function') encoding();
    else if (typeof callback === 'function') callback();
    return true;
  }) as Response['write'];
  res.end = ((chunk?: Chunk, encoding?: unknown, callback?: unknown) => {
    const done =
      typeof chunk === 'function' ? chunk : typeof encoding === 'function' ? encoding : callback;
    chunks.push(bytes(chunk, encoding));
    const body = Buffer.concat(chunks);
    if (!res.headersSent) {
      const added = sign(request, { status: res.statusCode, body });
      for (const [name, value] of Object.entries(added)) res.setHeader(name, value);
      if (res.getHeader('content-length') !== undefined)
        res.setHeader('content-length', body.length);
    }
    return end(body, done);
  }) as Response['end'];
}
