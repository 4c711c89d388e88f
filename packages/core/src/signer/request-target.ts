import { ServiceJwtError } from '../errors/service-jwt-error.js';

/**
 * The `htu` value for a URL: a path-absolute target (`/orders?id=1`) is used exactly as
 * given (minus any `#fragment`, which is never sent); of an absolute URL only its path and
 * query, as the WHATWG URL parser serialises them (which is also what `fetch` sends).
 *
 * @throws ServiceJwtError `configuration_error` for anything else (`orders`, `//host/x`).
 */
export function requestTarget(url: string): string {
  if (typeof url !== 'string' || url === '') {
    throw new ServiceJwtError('configuration_error', 'request url must be a non-empty string');
  }
  if (url.startsWith('/') && !url.startsWith('//')) {
    const hash = url.indexOf('#');
    return hash === -1 ? url : url.slice(0, hash);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new ServiceJwtError(
      'configuration_error',
      'request url must be a path starting with "/" or an absolute URL',
      { cause: err },
    );
  }
  return parsed.pathname + parsed.search;
}

/** Body bytes as they go on the wire; strings are UTF-8; `undefined` is the empty body. */
export function bodyBytes(body: string | Uint8Array | ArrayBuffer | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new ServiceJwtError(
    'configuration_error',
    'request body must be a string, Uint8Array or ArrayBuffer (the exact bytes sent)',
  );
}
