import type { Readable } from 'node:stream';

function isStream(body: unknown): body is Readable {
  return typeof (body as Readable | null)?.pipe === 'function';
}

/**
 * The exact bytes of an answer's body as a framework holds it before sending, for a response
 * signature: nothing (empty), a string (UTF-8), bytes (not copied), or a readable stream (read
 * in full, so the signature covers what goes out; the caller sends the bytes instead). Any
 * other value goes through `serialise`, which should do what the framework would.
 *
 * @example
 * ```ts
 * const body = await answerBytes(ctx.body, JSON.stringify); // Koa sends objects as JSON
 * ```
 */
export async function answerBytes(
  body: unknown,
  serialise: (body: unknown) => string = String,
): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (isStream(body)) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }
  return Buffer.from(serialise(body));
}
