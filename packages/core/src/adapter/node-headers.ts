import type { HeadersLike } from '../verify/request.js';

/**
 * What {@link nodeRequestHeaders} reads from a Node request: an `IncomingMessage` (or any
 * object with the same three members) fits. `headersDistinct` may be missing (HTTP/2
 * compatibility requests have none); then `headers` is used as it is.
 */
export interface NodeHeaderSource {
  /** The parsed headers, where Node keeps only the first of some repeated names. */
  readonly headers: HeadersLike;
  /** The header lines as received: name, value, name, value, … */
  readonly rawHeaders: readonly string[];
  /** Every value of every header name, built by Node on first access. */
  readonly headersDistinct?: Readonly<Record<string, readonly string[] | undefined>>;
}

// Most requests repeat no header name, and finding that out from `rawHeaders` (a short scan,
// no allocation) costs far less than building `headersDistinct` for every request (the
// benchmark's profile: ~3 % of a static-token request). The scan is quadratic, so a request
// with more than 64 header lines takes the exact slow path instead.
function repeatsAHeaderName(raw: readonly string[]): boolean {
  if (raw.length > 128) return true;
  for (let i = 2; i < raw.length; i += 2) {
    const name = raw[i]!;
    for (let j = 0; j < i; j += 2) {
      const other = raw[j]!;
      if (other.length === name.length && other.toLowerCase() === name.toLowerCase()) return true;
    }
  }
  return false;
}

/**
 * Builds the `headers` of core's `RequestLike` from a Node `IncomingMessage`.
 *
 * Node keeps only the first of some repeated headers (`authorization` among them) in
 * `message.headers`, which would hide a second credential. Where a header name was sent more
 * than once, the result carries every value of it (from `headersDistinct`), so the verifier
 * refuses two `Authorization` headers with `token_duplicated` (400, RFC 6750 §3.1
 * `invalid_request`). A request that repeats no header name gets `headers` itself, without a
 * copy.
 *
 * @param message - the Node request.
 * @param headers - the headers to start from. @default `message.headers`; pass another object
 *   when the host lets earlier code add headers to a copy of the message's.
 * @returns headers for `RequestLike`; the inputs are never modified.
 * @example
 * ```ts
 * const request: RequestLike = {
 *   method: req.method ?? 'GET',
 *   url: req.url ?? '/',
 *   headers: nodeRequestHeaders(req),
 * };
 * ```
 */
export function nodeRequestHeaders(
  message: NodeHeaderSource,
  headers: HeadersLike = message.headers,
): HeadersLike {
  if (!repeatsAHeaderName(message.rawHeaders)) return headers;
  const distinct = message.headersDistinct;
  let merged: Record<string, string | readonly string[] | undefined> | undefined;
  for (const name in distinct) {
    const values = distinct[name];
    if (values !== undefined && values.length > 1) {
      merged ??= { ...headers };
      merged[name] = values;
    }
  }
  return merged ?? headers;
}
