import { ServiceJwtError } from '../errors/service-jwt-error.js';

function refuse(message: string, cause?: unknown): ServiceJwtError {
  return new ServiceJwtError('configuration_error', message, { cause });
}

/** `true` for a stream-like body: anything async-iterable (Node `Readable`, web `ReadableStream`). */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function'
  );
}

/**
 * Reads a streamed response body into memory, up to `maxBytes`. Throws `configuration_error`
 * beyond the cap or for chunks that are not bytes or strings.
 */
export async function readStreamBody(
  stream: AsyncIterable<unknown>,
  maxBytes: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    let bytes: Buffer;
    if (typeof chunk === 'string') bytes = Buffer.from(chunk, 'utf8');
    else if (chunk instanceof Uint8Array) bytes = Buffer.from(chunk);
    else throw refuse('a streamed JSON response must yield bytes or strings to be signed');
    size += bytes.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/** The `configuration_error` for a body over `maxBodyBytes`. */
export function tooLarge(maxBytes: number): ServiceJwtError {
  return refuse(
    `the JSON response exceeds ${maxBytes} bytes (options.maxBodyBytes); it cannot be signed`,
  );
}

/** Parses a body that declared a JSON content type; `configuration_error` when it is not JSON. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw refuse(
      'the response declares a JSON content type but its body is not JSON; it cannot be signed',
      err,
    );
  }
}
