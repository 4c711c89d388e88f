import type { IncomingMessage } from 'node:http';
// Node's own, not the global: a test that fakes the global timers must not stall a body read.
import { setImmediate } from 'node:timers';
import { bodyHashMismatch, bodyTooLarge, configurationError } from '../errors/refusals.js';
import type { ServiceJwtError } from '../errors/service-jwt-error.js';
import { chunksLength } from '../verify/body-digest.js';

// One read per message: a second call (another route-level verifier, a retry) gets the same
// chunks instead of finding the stream already read.
const reads = new WeakMap<IncomingMessage, Promise<readonly Buffer[]>>();

function consumed(): ServiceJwtError {
  return configurationError(
    'the raw request body was already consumed: run the service-jwt verifier before any body parser',
  );
}

function checkLimit(chunks: readonly Buffer[], maxBytes: number): readonly Buffer[] {
  if (chunksLength(chunks) > maxBytes) throw bodyTooLarge(maxBytes);
  return chunks;
}

/**
 * Reads the whole raw body of a Node `IncomingMessage`, bounded by `maxBytes`, and leaves the
 * message readable again: a body parser that runs afterwards reads exactly the same bytes
 * from what is still a normal, not-yet-ended stream.
 *
 * A `Content-Length` above `maxBytes` is refused before anything is read; a body without one
 * (chunked) is refused as soon as it goes past `maxBytes`. After a refusal the rest of the body
 * is left unread: answer 413 and close the connection (`Connection: close`). A client that
 * hangs mid-body is cut off by the server's `requestTimeout`, which rejects this promise.
 *
 * The read starts once Node's HTTP parser has gone through the socket read the request came
 * in (on the next `setImmediate`), so a body sent with its headers is taken in one step with
 * no listener. It uses Node's own timer, not the global one, so a test that fakes the global
 * timers (`jest.useFakeTimers()`) does not stall it.
 *
 * The result is a copy, the caller's to keep or change. An adapter that only hands the body
 * to the verifier should use {@link readNodeRequestChunks}, which skips that copy.
 *
 * @throws ServiceJwtError `body_too_large` (413); `body_hash_mismatch` when the client aborts
 *   before the body is complete (the body the token commits to never arrived; no response
 *   reaches the client anyway); `configuration_error` when the body was already consumed, the
 *   stream has an encoding set, or the message is not a Node readable stream.
 * @example
 * ```ts
 * const bytes = await readNodeRequestBody(req, 1 << 20);
 * ```
 */
export async function readNodeRequestBody(
  message: IncomingMessage,
  maxBytes: number,
): Promise<Uint8Array> {
  const chunks = await readNodeRequestChunks(message, maxBytes);
  return chunks.length === 1 ? new Uint8Array(chunks[0]!) : Buffer.concat(chunks);
}

/**
 * {@link readNodeRequestBody} without the copy: the body's chunks in the order they arrived,
 * the very buffers the message hands to the next reader, so they must be read and never
 * changed or kept. This is what a `BodyReader` over a Node message returns: the verifier
 * hashes the chunks one by one, so a large body is neither joined nor copied.
 *
 * @throws ServiceJwtError as {@link readNodeRequestBody}.
 * @example
 * ```ts
 * const body: BodyReader = (maxBytes) => readNodeRequestChunks(req, maxBytes);
 * await verifier.verify({ method: req.method, url: req.url, headers: req.headers, body });
 * ```
 */
export function readNodeRequestChunks(
  message: IncomingMessage,
  maxBytes: number,
): Promise<readonly Buffer[]> {
  if (typeof maxBytes !== 'number' || !(maxBytes >= 0)) {
    return Promise.reject(
      configurationError('bodyHash.maxBodyBytes must be a non-negative number'),
    );
  }
  const earlier = reads.get(message);
  if (earlier !== undefined) return earlier.then((chunks) => checkLimit(chunks, maxBytes));
  const state = readableStateOf(message);
  if (state === undefined) {
    return Promise.reject(
      configurationError('the request is not a Node readable stream (it has no _readableState)'),
    );
  }
  // The request event fires from inside the HTTP parser, before it parses the body bytes that
  // arrived with the headers, and microtasks run before the parser goes on: a microtask never
  // finds the body. setImmediate runs once the parser has taken the whole socket read, so a
  // body that came with its headers is all buffered by then: it is taken and put back at once,
  // with no listener and no event. Only a body still on its way pays for listeners.
  const read = new Promise<readonly Buffer[]>((resolve, reject) => {
    setImmediate(readOnce, message, state, maxBytes, resolve, reject);
  });
  reads.set(message, read);
  return read;
}

/**
 * The fields of Node's per-stream state (`_readableState`) that the public getters
 * `readableLength`, `readableObjectMode`, `readableEncoding`, `readableDidRead`,
 * `readableEnded` and `destroyed` return. Not documented, but present since Node 0.10 and read
 * by body parsers too (raw-body); the package supports Node 20 and later, which have them all.
 *
 * Read once per request for speed: Express gives every request a hidden class of its own, so
 * each public getter on it is a lookup up a five-object prototype chain in V8's runtime, about
 * 2,500 instructions each (bench/README.md); the state object's fields are ordinary cached loads.
 */
interface ReadableStateFields {
  readonly length: number;
  readonly objectMode: boolean;
  readonly encoding: string | null;
  readonly dataEmitted: boolean;
  readonly endEmitted: boolean;
  readonly destroyed: boolean;
}

function readableStateOf(message: IncomingMessage): ReadableStateFields | undefined {
  const state = (message as { _readableState?: unknown })._readableState;
  return typeof state === 'object' && state !== null ? (state as ReadableStateFields) : undefined;
}

function readOnce(
  message: IncomingMessage,
  state: ReadableStateFields,
  maxBytes: number,
  resolve: (chunks: readonly Buffer[]) => void,
  reject: (err: ServiceJwtError) => void,
): void {
  const declared = message.headers['content-length'];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    reject(bodyTooLarge(maxBytes));
    return;
  }
  if (state.encoding !== null || state.objectMode) {
    reject(configurationError('request stream has an encoding set'));
    return;
  }
  if (state.dataEmitted || message.listenerCount('data') > 0) {
    reject(consumed());
    return;
  }
  if (state.endEmitted) {
    // Ended without emitting a byte: the body was empty.
    resolve([]);
    return;
  }
  if (state.destroyed) {
    reject(aborted());
    return;
  }

  const chunks: Buffer[] = [];
  let total = 0;
  let settled = false;
  let listening = false;

  const cleanup = (): void => {
    settled = true;
    if (!listening) return;
    message.removeListener('readable', onReadable);
    message.removeListener('error', onAbort);
    message.removeListener('aborted', onAbort);
    message.removeListener('close', onAbort);
  };

  // Paused mode, and never read() on an empty buffer: a read() that finds the stream ended
  // and empty schedules 'end'. While a buffer was taken, 'end' is only scheduled (nextTick) and
  // endReadableNT skips it when data is back in the buffer, so the synchronous unshift below
  // keeps the message un-ended and `readable` for the next consumer. An empty body is never
  // read at all and stays un-ended as well.
  function onReadable(): void {
    if (settled) return;
    while (state.length > 0) {
      const chunk = message.read() as Buffer | null;
      if (chunk === null) break;
      total += chunk.length;
      chunks.push(chunk);
      if (total > maxBytes) {
        cleanup();
        reject(bodyTooLarge(maxBytes));
        return;
      }
    }
    // `complete` is set in the same tick as the parser's push(null): the body is all here.
    if (!message.complete) return;
    cleanup();
    for (let i = chunks.length - 1; i >= 0; i--) message.unshift(chunks[i]!);
    resolve(chunks);
  }

  function onAbort(): void {
    if (settled) return;
    cleanup();
    // Put back what was read so a later consumer sees the same (truncated) stream and errors
    // the way it would have without us.
    for (let i = chunks.length - 1; i >= 0; i--) message.unshift(chunks[i]!);
    reject(aborted());
  }

  onReadable();
  if (settled) return;
  listening = true;
  message.on('error', onAbort);
  message.on('aborted', onAbort);
  message.on('close', onAbort);
  // Adding a 'readable' listener to an idle stream schedules a read(0) on the next tick, and
  // if the parser ends the body before that tick (a bodyless request whose end is parsed right
  // after its headers) that read(0) emits 'end' on an empty body we never took. Starting the
  // read ourselves (the stream is neither ended nor buffered here) marks it as reading, so the
  // listener schedules nothing.
  if (state.length === 0) message.read(0);
  if (message.complete || state.length > 0) onReadable();
  if (!settled) message.on('readable', onReadable);
}

function aborted(): ServiceJwtError {
  return bodyHashMismatch('the request body was aborted before it was complete');
}
