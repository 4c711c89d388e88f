import { isUtf8 } from 'node:buffer';
import { ServiceJwtError } from './errors.js';

// Strict compact-JWS syntax. jose accepts padding, whitespace and stray bits inside segments;
// a token with several spellings defeats caching and replay detection, so only the canonical
// base64url form passes here.

/** A JSON object parsed with no prototype and no duplicate members. */
export type JsonObject = { [member: string]: unknown };

/** The three segments of a compact token, decoded but not yet trusted. */
export interface ParsedCompact {
  readonly header: JsonObject;
  /** The raw payload bytes (JSON or not: plain JWS payloads are opaque). */
  readonly payload: Buffer;
  readonly payloadSegment: string;
  readonly signature: Buffer;
  /** Length of `header.payload`, the signing input, at the start of the token. */
  readonly signingInputLength: number;
}

// 0 = not in the base64url alphabet, otherwise value + 1.
const ALPHABET = new Uint8Array(128);
{
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < chars.length; i++) ALPHABET[chars.charCodeAt(i)] = i + 1;
}

// A service sends the same few protected headers over and over; their decoded (frozen) form
// is a pure function of the segment, so it is kept in a small bounded map.
const MAX_CACHED_HEADERS = 256;
const headers = new Map<string, JsonObject>();

function malformed(message: string, cause?: unknown): ServiceJwtError {
  return new ServiceJwtError('token_malformed', message, cause === undefined ? {} : { cause });
}

// Three segments of the base64url alphabet (`\w` is [A-Za-z0-9_] without the u flag; `$`
// does not match before a trailing newline in JavaScript). The payload may be empty (JWS).
const COMPACT_SHAPE = /^[\w-]+\.[\w-]*\.[\w-]+$/;
const BASE64URL = /^[\w-]*$/;

// Length not 1 mod 4, and zero bits in the final character's unused low bits, so that
// re-encoding the decoded bytes gives the same string back. Alphabet already checked.
function canonicalTail(text: string, start: number, end: number): boolean {
  const rest = (end - start) & 3;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = (ALPHABET[text.charCodeAt(end - 1)] as number) - 1;
  return rest === 2 ? (last & 0x0f) === 0 : (last & 0x03) === 0;
}

/**
 * `true` when `text` is canonical unpadded base64url: alphabet only, a length that is not
 * 1 mod 4, and no stray bits in the last character.
 */
export function isCanonicalBase64url(text: string): boolean {
  return BASE64URL.test(text) && canonicalTail(text, 0, text.length);
}

/**
 * Splits a compact JWS into exactly three canonical base64url segments and decodes the
 * protected header as a strict JSON object. The signature segment must be non-empty, so
 * `alg: none` tokens fail here whether or not they carry a signature part.
 *
 * @throws ServiceJwtError `token_malformed`
 */
export function parseCompact(token: string): ParsedCompact {
  if (!COMPACT_SHAPE.test(token)) {
    throw malformed('token must be three base64url segments with a non-empty signature');
  }
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (
    !canonicalTail(token, 0, first) ||
    !canonicalTail(token, first + 1, second) ||
    !canonicalTail(token, second + 1, token.length)
  ) {
    throw malformed('token segments must be canonical base64url');
  }
  const headerSegment = token.slice(0, first);
  let header = headers.get(headerSegment);
  if (header === undefined) {
    header = decodeJsonObject(Buffer.from(headerSegment, 'base64url'), 'header');
    if (headers.size >= MAX_CACHED_HEADERS) headers.clear();
    headers.set(headerSegment, header);
  }
  const payloadSegment = token.slice(first + 1, second);
  return {
    header,
    payload: Buffer.from(payloadSegment, 'base64url'),
    payloadSegment,
    signature: Buffer.from(token.slice(second + 1), 'base64url'),
    signingInputLength: second,
  };
}

/**
 * Decodes UTF-8 JSON that must be an object, rejecting invalid UTF-8 and duplicate member
 * names at any depth, and returns a deep-frozen copy built from null-prototype objects (so
 * neither `__proto__` nor `constructor` members can reach a prototype).
 *
 * @throws ServiceJwtError `token_malformed`
 */
export function decodeJsonObject(bytes: Buffer, what: string): JsonObject {
  if (!isUtf8(bytes)) throw malformed(`token ${what} is not UTF-8`);
  const text = bytes.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw malformed(`token ${what} is not JSON`, err);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw malformed(`token ${what} must be a JSON object`);
  }
  const counter = { members: 0 };
  const copy = copyNullPrototype(parsed, counter) as JsonObject;
  // JSON.parse keeps the last of duplicate members silently: if the text names more members
  // than the parsed tree holds, some name was repeated.
  if (countMemberNames(text) !== counter.members) {
    throw malformed(`token ${what} has duplicate members`);
  }
  return copy;
}

function copyNullPrototype(value: unknown, counter: { members: number }): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyNullPrototype(value[i], counter);
    return Object.freeze(out);
  }
  const out: JsonObject = Object.create(null);
  const source = value as JsonObject;
  const keys = Object.keys(source);
  counter.members += keys.length;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    out[key] = copyNullPrototype(source[key], counter);
  }
  return Object.freeze(out);
}

// Counts object member names in already-validated JSON text: a string followed (after
// optional whitespace) by a colon is a member name.
function countMemberNames(text: string): number {
  let count = 0;
  const length = text.length;
  let i = 0;
  while (i < length) {
    if (text.charCodeAt(i) !== 0x22) {
      i++;
      continue;
    }
    i++;
    while (i < length) {
      const c = text.charCodeAt(i);
      if (c === 0x5c) i += 2;
      else if (c === 0x22) break;
      else i++;
    }
    i++;
    let j = i;
    while (j < length) {
      const c = text.charCodeAt(j);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      j++;
    }
    if (text.charCodeAt(j) === 0x3a) count++;
  }
  return count;
}

/**
 * Checks the protected-header members that decide how a token may be processed: `alg` must
 * be a string, `zip` is refused (JWS has no compression; RFC 7515 §4.1 reserves it for JWE),
 * and any `crit` is refused because this verifier understands no extension (RFC 7515 §4.1.11),
 * which also rules out `b64: false` (RFC 7797). `jku`, `x5u`, `jwk` and `x5c` are left alone:
 * keys come only from configuration.
 *
 * @throws ServiceJwtError `token_malformed`
 */
export function checkProtectedHeader(header: JsonObject): string {
  const alg = header.alg;
  if (typeof alg !== 'string') throw malformed('token header alg must be a string');
  if (header.zip !== undefined) throw malformed('compressed tokens are not accepted');
  if (header.crit !== undefined) throw malformed('critical header parameters are not supported');
  if (header.b64 !== undefined && header.b64 !== true)
    throw malformed('the b64 header parameter is not supported');
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    throw malformed('token header kid must be a string');
  }
  return alg;
}
