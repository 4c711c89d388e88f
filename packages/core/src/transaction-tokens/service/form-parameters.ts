import { refuse } from './token-endpoint-response.js';

/**
 * A token request's body as the service accepts it: the raw `application/x-www-form-urlencoded`
 * text or bytes, a `URLSearchParams`, or the object a framework's form parser made of it.
 */
export type TokenRequestBody =
  | string
  | Uint8Array
  | URLSearchParams
  | Readonly<Record<string, unknown>>;

/** The parameters of one token request, each present at most once (RFC 6749 §3.2). */
export type FormParameters = ReadonlyMap<string, string>;

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** `true` when a `Content-Type` value names the form media type (parameters such as charset allowed). */
export function isFormContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  return value.split(';')[0]?.trim().toLowerCase() === FORM_TYPE;
}

function fromPairs(pairs: Iterable<[string, string]>, maxParameters: number): FormParameters {
  const parameters = new Map<string, string>();
  for (const [name, value] of pairs) {
    if (parameters.has(name)) {
      refuse('invalid_request', `parameter "${name.slice(0, 40)}" is repeated (RFC 6749 §3.2)`);
    }
    if (parameters.size >= maxParameters) {
      refuse('invalid_request', `more than ${maxParameters} parameters`);
    }
    parameters.set(name, value);
  }
  return parameters;
}

function* objectPairs(body: Readonly<Record<string, unknown>>): Generator<[string, string]> {
  for (const [name, value] of Object.entries(body)) {
    // A parser that met a repeated parameter hands over an array: the same fault as above.
    if (Array.isArray(value)) {
      refuse('invalid_request', `parameter "${name.slice(0, 40)}" is repeated (RFC 6749 §3.2)`);
    }
    if (typeof value !== 'string') {
      refuse('invalid_request', `parameter "${name.slice(0, 40)}" must be a string`);
    }
    yield [name, value];
  }
}

/**
 * Reads the form parameters, bounded: raw bodies above `maxBytes` are refused with 413 before
 * parsing, and no more than `maxParameters` names are kept.
 */
export function readFormParameters(
  body: TokenRequestBody | undefined,
  maxBytes: number,
  maxParameters: number,
): FormParameters {
  if (body === undefined) refuse('invalid_request', 'the request has no form body');
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    if (size > maxBytes) {
      refuse('invalid_request', `the form body exceeds ${maxBytes} bytes`, { status: 413 });
    }
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    return fromPairs(new URLSearchParams(text), maxParameters);
  }
  if (body instanceof URLSearchParams) return fromPairs(body, maxParameters);
  if (typeof body === 'object' && body !== null) {
    return fromPairs(objectPairs(body), maxParameters);
  }
  return refuse('invalid_request', 'the form body could not be read');
}
