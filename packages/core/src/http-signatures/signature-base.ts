import { httpSignatureInvalid, httpSignatureMalformed } from '../errors/refusals.js';
import type { HeadersLike } from '../verify/request.js';
import { requestTarget } from '../verify/request-target.js';
import {
  type Parameters,
  type SfItem,
  serializeInnerList,
  serializeItem,
} from './structured-fields.js';

// The signature base of RFC 9421 §2.5: one line per covered component, `"name";params: value`,
// then the `@signature-params` line. Signer and verifier build it with this one function, from
// the message as each side sees it.

/** A message as the signature base reads it: a request, or a response with its request. */
export interface MessageLike {
  /** Request method as sent (requests; a response's `req` components read its request). */
  readonly method?: string;
  /** Request target as sent: `/path?query`, or an absolute URL (absolute-form). */
  readonly url?: string;
  /** Header values by lower-case name; a repeated header as an array of its lines. */
  readonly headers: HeadersLike;
  /** Response status (responses only). */
  readonly status?: number;
  /** The request a response answers, for components with the `req` parameter. */
  readonly request?: MessageLike;
}

/** How the target URI is rebuilt: the scheme the caller used (TLS may end before us). */
export interface BaseContext {
  readonly scheme: 'http' | 'https';
}

const DERIVED = new Set([
  '@method',
  '@target-uri',
  '@authority',
  '@scheme',
  '@request-target',
  '@path',
  '@query',
  '@query-param',
  '@status',
]);
// A field name (RFC 9110 §5.1), lower case as RFC 9421 §2.1 requires.
const FIELD_NAME = /^[a-z0-9!#$%&'*+\-.^_`|~]+$/;

/**
 * Checks that a covered component is an identifier this profile can rebuild (RFC 9421 §2):
 * a string naming a lower-case field or a derived component, with no parameter but `name` on
 * `@query-param` and `req` on a response's components. Field parameters `sf`, `key`, `bs`
 * and `tr` are not supported and are refused rather than ignored.
 *
 * @throws ServiceJwtError `http_signature_malformed`
 */
export function checkComponent(component: SfItem, response: boolean): string {
  const name = component.value;
  if (typeof name !== 'string') throw httpSignatureMalformed('a covered component is not a string');
  if (name === '@signature-params') {
    throw httpSignatureMalformed('@signature-params cannot be a covered component');
  }
  if (name.startsWith('@') ? !DERIVED.has(name) : !FIELD_NAME.test(name)) {
    throw httpSignatureMalformed(`unsupported covered component "${printable(name)}"`);
  }
  for (const [param, value] of component.params) {
    const ok =
      (param === 'name' && name === '@query-param' && typeof value === 'string') ||
      (param === 'req' && response && value === true);
    if (!ok) throw httpSignatureMalformed(`unsupported parameter "${param}" on "${name}"`);
  }
  if (name === '@query-param' && !component.params.has('name')) {
    throw httpSignatureMalformed('@query-param needs a name parameter');
  }
  if (name === '@status' && !response) {
    throw httpSignatureMalformed('@status is a response component');
  }
  return name;
}

function printable(name: string): string {
  return name.length > 40 ? `${name.slice(0, 40)}…` : name;
}

function absent(name: string): never {
  throw httpSignatureInvalid(`covered component "${printable(name)}" is absent from the message`);
}

function fieldValue(headers: HeadersLike, name: string): string {
  const value = headers[name];
  if (value === undefined) return absent(name);
  // RFC 9421 §2.1: each field line's value trimmed, lines joined with ", ".
  if (typeof value === 'string') return value.trim();
  return (value as readonly string[]).map((line) => line.trim()).join(', ');
}

function targetOf(message: MessageLike): string {
  if (message.url === undefined) return absent('@path');
  const target = requestTarget(message.url);
  if (target === undefined) throw httpSignatureInvalid('the request target has no path');
  return target;
}

function splitTarget(target: string): { path: string; query: string } {
  const mark = target.indexOf('?');
  const path = mark === -1 ? target : target.slice(0, mark);
  return { path: path === '' ? '/' : path, query: mark === -1 ? '?' : target.slice(mark) };
}

/** RFC 9421 §2.2.3: the host, lower-cased, without the scheme's default port. */
function authorityOf(message: MessageLike, context: BaseContext): string {
  const host = message.headers.host;
  if (typeof host !== 'string' || host === '') return absent('@authority');
  const lower = host.trim().toLowerCase();
  const port = context.scheme === 'https' ? ':443' : ':80';
  return lower.endsWith(port) ? lower.slice(0, -port.length) : lower;
}

// The application/x-www-form-urlencoded percent-encode set: everything but ALPHA, DIGIT and
// `*-._` (WHATWG URL §1.3), which is what RFC 9421 §2.2.8 re-encodes names and values with.
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function queryParam(message: MessageLike, name: string): string {
  const { query } = splitTarget(targetOf(message));
  const values: string[] = [];
  for (const [key, value] of new URLSearchParams(query.slice(1))) {
    if (formEncode(key) === name) values.push(value);
  }
  // RFC 9421 §2.2.8: a name that occurs more than once cannot be covered this way.
  if (values.length !== 1) return absent(`@query-param;name="${name}"`);
  return formEncode(values[0] as string);
}

function componentValue(component: SfItem, message: MessageLike, context: BaseContext): string {
  const name = component.value as string;
  const source = component.params.get('req') === true ? (message.request ?? absent(name)) : message;
  switch (name) {
    case '@method':
      return source.method ?? absent(name);
    case '@target-uri':
      return `${context.scheme}://${authorityOf(source, context)}${targetOf(source)}`;
    case '@authority':
      return authorityOf(source, context);
    case '@scheme':
      return context.scheme;
    case '@request-target':
      return targetOf(source);
    case '@path':
      return splitTarget(targetOf(source)).path;
    case '@query':
      return splitTarget(targetOf(source)).query;
    case '@query-param':
      return queryParam(source, component.params.get('name') as string);
    case '@status':
      return source.status === undefined ? absent(name) : String(source.status);
    default:
      return fieldValue(source.headers, name);
  }
}

/**
 * The signature base (RFC 9421 §2.5) of `message` for `components` and `params`, as the bytes
 * that are signed. A value holding anything but visible ASCII, SP and HTAB is refused: the
 * base is ASCII, and a line break in a value could forge another line.
 *
 * @throws ServiceJwtError `http_signature_invalid` when a covered component is absent or its
 *   value cannot be signed.
 */
export function signatureBase(
  components: readonly SfItem[],
  params: Parameters,
  message: MessageLike,
  context: BaseContext,
): Buffer {
  let base = '';
  for (const component of components) {
    const value = componentValue(component, message, context);
    if (!/^[\x20-\x7e\t]*$/.test(value)) {
      throw httpSignatureInvalid(`covered component "${component.value}" is not ASCII`);
    }
    base += `${serializeItem(component)}: ${value}\n`;
  }
  base += `"@signature-params": ${serializeInnerList({ items: components, params })}`;
  return Buffer.from(base, 'latin1');
}
