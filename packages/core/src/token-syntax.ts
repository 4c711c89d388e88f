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
  readonly signature: Buffer;
  /** Length of `header.payload`, the signing input, at the start of the token. */
  readonly signingInputLength: number;
}

// A service sends the same few protected headers over and over; their decoded (frozen) form
// is a pure function of the segment, so it is kept in a small bounded map.
const MAX_CACHED_HEADERS = 256;
const headers = new Map<string, JsonObject>();
// The most recent one, compared in place without slicing or hashing the segment.
let last: { readonly segment: string; readonly header: JsonObject } = {
  segment: '',
  header: Object.freeze(Object.setPrototypeOf({}, null)),
};

function malformed(message: string, cause?: unknown): ServiceJwtError {
  return new ServiceJwtError('token_malformed', message, cause === undefined ? {} : { cause });
}

// Sextet value of each base64url character, -1 for anything else.
const SEXTETS = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  SEXTETS['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i)] = i;
}

// Canonical base64url without re-encoding or a per-character scan in JS. Node's decoder
// skips characters outside the alphabet (whitespace, padding, anything non-ASCII) but accepts
// both alphabets and ignores stray bits. So: a length of 1 mod 4 is refused; the decoded
// length must be exactly what the segment's length implies (a skipped character shortens
// it); `+` and `/` are looked for natively; and the last character must carry no bits beyond
// the final byte. (Checked against a decode/re-encode round trip on millions of mutated
// segments; it saves that round trip on every fresh token.)
function decodeSegment(segment: string): Buffer {
  const length = segment.length;
  const tail = length & 3;
  if (tail === 1) throw malformed('token segments must be canonical base64url');
  const bytes = Buffer.from(segment, 'base64url');
  if (
    bytes.length !== (length >> 2) * 3 + (tail === 0 ? 0 : tail - 1) ||
    segment.indexOf('+') !== -1 ||
    segment.indexOf('/') !== -1
  ) {
    throw malformed('token segments must be canonical base64url');
  }
  if (tail !== 0) {
    const c = segment.charCodeAt(length - 1);
    const last = c < 128 ? (SEXTETS[c] as number) : -1;
    if (last < 0 || (last & (tail === 2 ? 0x0f : 0x03)) !== 0) {
      throw malformed('token segments must be canonical base64url');
    }
  }
  return bytes;
}

/**
 * Splits a compact JWS into exactly three canonical base64url segments (no padding,
 * whitespace or stray bits) and decodes the protected header as a strict JSON object. The
 * header and signature must be non-empty, so `alg: none` tokens fail here whether or not
 * they carry a signature part; the payload may be empty (plain JWS).
 *
 * @throws ServiceJwtError `token_malformed`
 */
export function parseCompact(token: string): ParsedCompact {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (second < 0 || token.indexOf('.', second + 1) !== -1) {
    throw malformed('token must have exactly three segments');
  }
  if (first === 0 || second === token.length - 1) {
    throw malformed('token header and signature must not be empty');
  }
  let header: JsonObject | undefined;
  if (first === last.segment.length && token.startsWith(last.segment)) {
    header = last.header;
  } else {
    const headerSegment = token.slice(0, first);
    header = headers.get(headerSegment);
    if (header === undefined) {
      header = decodeJsonObject(decodeSegment(headerSegment), 'header');
      if (headers.size >= MAX_CACHED_HEADERS) headers.clear();
      headers.set(headerSegment, header);
    }
    last = { segment: headerSegment, header };
  }
  return {
    header,
    payload: decodeSegment(token.slice(first + 1, second)),
    signature: decodeSegment(token.slice(second + 1)),
    signingInputLength: second,
  };
}

/**
 * Decodes UTF-8 JSON that must be an object, rejecting invalid UTF-8 and duplicate member
 * names at any depth, and returns a deep-frozen value built from null-prototype objects (so
 * neither `__proto__` nor `constructor` members can reach a prototype).
 *
 * @throws ServiceJwtError `token_malformed`
 */
export function decodeJsonObject(bytes: Buffer, what: string): JsonObject {
  if (!isUtf8(bytes)) throw malformed(`token ${what} is not UTF-8`);
  const parser = new StrictJson(bytes.toString('utf8'), what);
  parser.space();
  if (parser.text.charCodeAt(parser.at) !== 0x7b)
    throw malformed(`token ${what} must be a JSON object`);
  const value = parser.value(0);
  parser.space();
  if (parser.at !== parser.text.length) parser.fail();
  return value as JsonObject;
}

// A strict RFC 8259 parser. JSON.parse keeps the last of duplicate members silently and
// builds objects with a prototype; this one refuses duplicates and builds frozen
// null-prototype objects directly (one pass, no copy).
const MAX_DEPTH = 32;
// Registered names resolve to their (internalized) literals, found by length and first
// character without slicing the text, which keeps property stores and lookups on V8's fast
// paths; other names are used as parsed.
// Indexed by length * 128 + first character code (names up to 15 characters).
const KNOWN_NAMES: Array<readonly string[] | undefined> = new Array(16 * 128).fill(undefined);
for (const name of [
  'alg',
  'kid',
  'typ',
  'cty',
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'source',
  'bdy',
  'htm',
  'htu',
  'scope',
  'roles',
  'email',
]) {
  const slot = name.length * 128 + name.charCodeAt(0);
  KNOWN_NAMES[slot] = [...(KNOWN_NAMES[slot] ?? []), name];
}
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class StrictJson {
  at = 0;
  constructor(
    readonly text: string,
    readonly what: string,
  ) {}

  fail(): never {
    throw malformed(`token ${this.what} is not valid JSON`);
  }

  space(): void {
    const text = this.text;
    let at = this.at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      at++;
    }
    this.at = at;
  }

  value(depth: number): unknown {
    const c = this.text.charCodeAt(this.at);
    if (c === 0x22) return this.string();
    if (c === 0x7b) return this.object(depth + 1);
    if (c === 0x5b) return this.array(depth + 1);
    if (c === 0x74) return this.literal('true', true);
    if (c === 0x66) return this.literal('false', false);
    if (c === 0x6e) return this.literal('null', null);
    return this.number();
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  number(): number {
    const text = this.text;
    const start = this.at;
    let at = start;
    let c = text.charCodeAt(at);
    if (c === 0x2d) c = text.charCodeAt(++at);
    if (c === 0x30) c = text.charCodeAt(++at);
    else if (c >= 0x31 && c <= 0x39) at = this.digits(at);
    else this.fail();
    c = text.charCodeAt(at);
    // Plain integers of up to 15 digits (NumericDates) are exact as computed here.
    if (c !== 0x2e && c !== 0x65 && c !== 0x45 && at - start <= 15) {
      let value = 0;
      for (let i = text.charCodeAt(start) === 0x2d ? start + 1 : start; i < at; i++) {
        value = value * 10 + (text.charCodeAt(i) - 0x30);
      }
      this.at = at;
      return text.charCodeAt(start) === 0x2d ? -value : value;
    }
    if (c === 0x2e) at = this.digits(at + 1);
    c = text.charCodeAt(at);
    if (c === 0x65 || c === 0x45) {
      c = text.charCodeAt(++at);
      if (c === 0x2b || c === 0x2d) at++;
      at = this.digits(at);
    }
    this.at = at;
    return Number(text.slice(start, at));
  }

  // One or more digits from `at`; returns the index after them.
  digits(at: number): number {
    const text = this.text;
    const start = at;
    let c = text.charCodeAt(at);
    while (c >= 0x30 && c <= 0x39) c = text.charCodeAt(++at);
    if (at === start) this.fail();
    return at;
  }

  literal(word: string, value: unknown): unknown {
    if (!this.text.startsWith(word, this.at)) this.fail();
    this.at += word.length;
    return value;
  }

  string(): string {
    const text = this.text;
    let at = this.at + 1;
    let out = '';
    for (;;) {
      // Run of plain characters; charCodeAt past the end is NaN, which ends it as well.
      let end = at;
      let c = text.charCodeAt(end);
      while (c !== 0x22 && c !== 0x5c && c >= 0x20) c = text.charCodeAt(++end);
      if (c === 0x22) {
        this.at = end + 1;
        return out.length === 0 ? text.slice(at, end) : out + text.slice(at, end);
      }
      if (c !== 0x5c) this.fail(); // control character or end of input
      out += text.slice(at, end);
      const e = text[end + 1] as string;
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        at = end + 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(end + 2, end + 6))) {
        out += String.fromCharCode(Number.parseInt(text.slice(end + 2, end + 6), 16));
        at = end + 6;
      } else {
        this.fail();
      }
    }
  }

  // A member name: a registered name without escapes comes back as its literal.
  memberName(): string {
    const text = this.text;
    const start = this.at + 1;
    let end = start;
    let c = text.charCodeAt(end);
    while (c !== 0x22 && c !== 0x5c && c >= 0x20) c = text.charCodeAt(++end);
    if (c === 0x22) {
      const length = end - start;
      const first = text.charCodeAt(start);
      const candidates = length < 16 && first < 128 ? KNOWN_NAMES[length * 128 + first] : undefined;
      if (candidates !== undefined) {
        for (let i = 0; i < candidates.length; i++) {
          const name = candidates[i] as string;
          if (text.startsWith(name, start)) {
            this.at = end + 1;
            return name;
          }
        }
      }
    }
    return this.string();
  }

  object(depth: number): JsonObject {
    if (depth > MAX_DEPTH) this.fail();
    // Not Object.create(null): V8 makes that a dictionary-mode object, and freezing those
    // costs microseconds each. An empty literal switched to a null prototype stays in fast
    // mode with cached shape transitions (freeze included); `__proto__` and `constructor`
    // are still plain own data properties since no prototype supplies their accessors.
    const out: JsonObject = Object.setPrototypeOf({}, null);
    this.at++;
    this.space();
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      return Object.freeze(out);
    }
    for (;;) {
      if (this.text.charCodeAt(this.at) !== 0x22) this.fail();
      const name = this.memberName();
      if (name in out) throw malformed(`token ${this.what} has duplicate members`);
      this.space();
      if (this.text.charCodeAt(this.at) !== 0x3a) this.fail();
      this.at++;
      this.space();
      out[name] = this.value(depth);
      this.space();
      const c = this.text.charCodeAt(this.at++);
      if (c === 0x7d) return Object.freeze(out);
      if (c !== 0x2c) this.fail();
      this.space();
    }
  }

  array(depth: number): readonly unknown[] {
    if (depth > MAX_DEPTH) this.fail();
    const out: unknown[] = [];
    this.at++;
    this.space();
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      return Object.freeze(out);
    }
    for (;;) {
      out.push(this.value(depth));
      this.space();
      const c = this.text.charCodeAt(this.at++);
      if (c === 0x5d) return Object.freeze(out);
      if (c !== 0x2c) this.fail();
      this.space();
    }
  }
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
