import { configurationError } from '../errors/refusals.js';
import { requestTarget } from '../verify/request-target.js';

/**
 * The `htu` value for the URL a request goes to: what `fetch` sends for it. A path-absolute
 * target (`/orders?id=1`) is used exactly as given (minus any `#fragment`, which is never sent);
 * an absolute `http:`/`https:` URL is first serialised by the WHATWG URL parser, as `fetch`
 * does, then reduced to path and query by the verifier's own {@link requestTarget}.
 *
 * @throws ServiceJwtError `configuration_error` for anything else (`orders`, `//host/x`,
 *   `ftp://host/x`).
 */
export function signedTarget(url: string): string {
  if (typeof url !== 'string' || url === '') {
    throw configurationError('request url must be a non-empty string');
  }
  if (url.startsWith('/') && !url.startsWith('//')) {
    const hash = url.indexOf('#');
    return hash === -1 ? url : url.slice(0, hash);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw configurationError(
      'request url must be a path starting with "/" or an absolute http(s) URL',
      err,
    );
  }
  parsed.hash = '';
  const target = requestTarget(parsed.href);
  if (target === undefined) {
    throw configurationError(
      'request url must be a path starting with "/" or an absolute http(s) URL',
    );
  }
  return target;
}

/** Body bytes as they go on the wire; strings are UTF-8; `undefined` is the empty body. */
export function bodyBytes(body: string | Uint8Array | ArrayBuffer | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw configurationError(
    'request body must be a string, Uint8Array or ArrayBuffer (the exact bytes sent)',
  );
}
