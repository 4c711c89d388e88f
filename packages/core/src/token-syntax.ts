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

function malformed(message: string, cause?: unknown): ServiceJwtError {
  return new ServiceJwtError('token_malformed', message, cause === undefined ? {} : { cause });
}

/**
 * `true` when `text[start, end)` is canonical unpadded base64url: alphabet only, a length that
 * is not 1 mod 4, and zero bits in the final character's unused low bits (so re-encoding the
 * decoded bytes gives the same string back).
 */
export function isCanonicalBase64url(text: string, start = 0, end = text.length): boolean {
  const length = end - start;
  const rest = length & 3;
  if (rest === 1) return false;
  let last = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code > 127) return false;
    last = ALPHABET[code] as number;
    if (last === 0) return false;
  }
  if (rest === 2) return ((last - 1) & 0x0f) === 0;
  if (rest === 3) return ((last - 1) & 0x03) === 0;
  return true;
}

/**
 * Splits a compact JWS into exactly three canonical base64url segments and decodes the
 * protected header as a strict JSON object. The signature segment must be non-empty, so
 * `alg: none` tokens fail here whether or not they carry a signature part.
 *
 * @throws ServiceJwtError `token_malformed`
 */
export function parseCompact(token: string): ParsedCompact {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) !== -1) {
    throw malformed('token must have exactly three segments');
  }
  if (first === 0) throw malformed('token header is empty');
  if (second === token.length - 1) throw malformed('token signature is empty');
  if (
    !isCanonicalBase64url(token, 0, first) ||
    !isCanonicalBase64url(token, first + 1, second) ||
    !isCanonicalBase64url(token, second + 1)
  ) {
    throw malformed('token segments must be canonical base64url');
  }
  const header = decodeJsonObject(Buffer.from(token.slice(0, first), 'base64url'), 'header');
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
 * names at any depth, and returns a deep copy built from null-prototype objects (so neither
 * `__proto__` nor `constructor` members can reach a prototype).
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
    return out;
  }
  const out: JsonObject = Object.create(null);
  const source = value as JsonObject;
  const keys = Object.keys(source);
  counter.members += keys.length;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    out[key] = copyNullPrototype(source[key], counter);
  }
  return out;
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
 * Deep-freezes a value built by {@link decodeJsonObject} (plain arrays and null-prototype
 * objects only) and returns it.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as JsonObject)[key]);
  }
  return value;
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
