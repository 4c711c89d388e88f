import type { BodyReader, HeadersLike, RequestLike } from '@service-jwt/core';
import { bodyTooLarge, configurationError } from '@service-jwt/core/adapter';
import type { ApiGatewayEventLike, HttpApiEventLike, RestApiEventLike } from './events.js';

type MutableHeaders = Record<string, string | string[]>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** `true` for a payload format 2.0 event (HTTP API). */
export function isHttpApiEvent(event: unknown): event is HttpApiEventLike {
  return (
    isObject(event) &&
    typeof event.rawPath === 'string' &&
    isObject(event.requestContext) &&
    isObject(event.requestContext.http) &&
    typeof event.requestContext.http.method === 'string'
  );
}

/** `true` for a payload format 1.0 event (REST API, or HTTP API with format 1.0). */
export function isRestApiEvent(event: unknown): event is RestApiEventLike {
  return (
    isObject(event) &&
    typeof event.httpMethod === 'string' &&
    typeof event.path === 'string' &&
    isObject(event.requestContext)
  );
}

function addHeader(headers: MutableHeaders, name: string, value: string): void {
  const key = name.toLowerCase();
  const existing = headers[key];
  if (existing === undefined) headers[key] = value;
  else if (typeof existing === 'string') headers[key] = [existing, value];
  else existing.push(value);
}

// Names can arrive in any case, and the same header under two spellings is two values: core
// must see both to refuse a second credential (`token_duplicated`). `headers` holds only the
// last value of each, so it counts only for names `multiValueHeaders` lacks.
function restHeaders(event: RestApiEventLike): HeadersLike {
  const headers: MutableHeaders = {};
  if (isObject(event.multiValueHeaders)) {
    for (const [name, values] of Object.entries(event.multiValueHeaders)) {
      for (const value of values ?? []) addHeader(headers, name, value);
    }
  }
  const fromMulti = new Set(Object.keys(headers));
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined && !fromMulti.has(name.toLowerCase())) addHeader(headers, name, value);
  }
  return headers;
}

function httpHeaders(event: HttpApiEventLike): HeadersLike {
  const headers: MutableHeaders = {};
  // Already lower-case from API Gateway; repeated headers arrive comma-joined, which core's
  // token extraction recognises as two credentials.
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) addHeader(headers, name, value);
  }
  return headers;
}

/**
 * The query of a 1.0 event, which carries no raw query string: rebuilt from
 * `multiValueQueryStringParameters` (else `queryStringParameters`) as `key=value` pairs in the
 * order API Gateway lists them, repeated keys grouped, each part encoded with
 * `encodeURIComponent`. A caller that signed another spelling gets `request_binding_mismatch`.
 */
export function restQueryString(event: RestApiEventLike): string {
  const pairs: string[] = [];
  const multi = event.multiValueQueryStringParameters;
  if (isObject(multi)) {
    for (const [name, values] of Object.entries(multi)) {
      for (const value of values ?? []) {
        pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
      }
    }
  } else {
    for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
      if (value !== undefined) {
        pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
      }
    }
  }
  return pairs.join('&');
}

const EMPTY = new Uint8Array(0);

// The event holds the whole body: an empty one is handed over as such (the verifier can then
// answer without waiting), any other is decoded only if core asks for it.
function bodyOf(event: {
  readonly body?: string | null;
  readonly isBase64Encoded: boolean;
}): BodyReader | Uint8Array {
  const body = event.body;
  if (body === undefined || body === null || body === '') return EMPTY;
  return async (maxBytes) => {
    const bytes =
      event.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
    if (bytes.byteLength > maxBytes) throw bodyTooLarge(maxBytes);
    return bytes;
  };
}

/**
 * The one place an API Gateway event becomes core's `RequestLike`.
 *
 * - 2.0: `requestContext.http.method`, `rawPath` + `?` + `rawQueryString`, the headers.
 * - 1.0: `httpMethod`, `requestContext.path` (the path the client sent, stage or base path
 *   included; `path` when absent) + the query rebuilt by {@link restQueryString}, and
 *   `multiValueHeaders` (else `headers`) with names lower-cased.
 *
 * The body (base64-decoded when `isBase64Encoded`) is decoded only if core asks for it.
 *
 * @throws ServiceJwtError `configuration_error` for an event of neither format.
 */
export function toRequestLike(event: ApiGatewayEventLike): RequestLike {
  if (isHttpApiEvent(event)) {
    const query = event.rawQueryString ?? '';
    return {
      method: event.requestContext.http.method,
      url: query === '' ? event.rawPath : `${event.rawPath}?${query}`,
      headers: httpHeaders(event),
      body: bodyOf(event),
    };
  }
  if (isRestApiEvent(event)) {
    const path =
      typeof event.requestContext.path === 'string' && event.requestContext.path !== ''
        ? event.requestContext.path
        : event.path;
    const query = restQueryString(event);
    return {
      method: event.httpMethod,
      url: query === '' ? path : `${path}?${query}`,
      headers: restHeaders(event),
      body: bodyOf(event),
    };
  }
  throw configurationError(
    'the event is not an API Gateway proxy event (payload format 1.0 or 2.0): put the function behind an API Gateway proxy integration',
  );
}
