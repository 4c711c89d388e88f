import { isUtf8 } from 'node:buffer';
import { ServiceJwtError } from '../errors/service-jwt-error.js';

// A JSON parser of our own for token headers and payloads. JSON.parse keeps the last of two
// duplicate members, so `{"iss":"a","iss":"b"}` would mean whatever the next parser decides;
// here duplicates, invalid UTF-8 and objects nested past a fixed depth are refused, and the
// result has no prototype, so no claim name can reach Object.prototype.

/** A JSON object parsed with no prototype and no duplicate members. */
export type JsonObject = { [member: string]: unknown };

function malformed(message: string): ServiceJwtError {
  return new ServiceJwtError('token_malformed', message);
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

// Any control character. Outside strings only tab, LF and CR may appear (as whitespace), so
// a text with none at all lets strings be delimited by native searches instead of a scan.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f]/;

class StrictJson {
  at = 0;
  /** No control character anywhere in the text. */
  readonly plain: boolean;
  /** Index of a backslash at or after the last search, or the text length; -1 before any. */
  backslash = -1;
  constructor(
    readonly text: string,
    readonly what: string,
  ) {
    this.plain = !CONTROL.test(text);
  }

  // The closing quote of a string starting at `at` when the string has no escape and the
  // text no control character; -1 when the character scan has to decide.
  plainEnd(at: number): number {
    if (!this.plain) return -1;
    const text = this.text;
    const end = text.indexOf('"', at);
    if (end === -1) return -1;
    if (this.backslash < at) {
      const next = text.indexOf('\\', at);
      this.backslash = next === -1 ? text.length : next;
    }
    return end < this.backslash ? end : -1;
  }

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
    const plain = this.plainEnd(at);
    if (plain !== -1) {
      this.at = plain + 1;
      return text.slice(at, plain);
    }
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
    let end = this.plainEnd(start);
    if (end === -1) {
      end = start;
      let c = text.charCodeAt(end);
      while (c !== 0x22 && c !== 0x5c && c >= 0x20) c = text.charCodeAt(++end);
      if (c !== 0x22) return this.string();
    }
    const length = end - start;
    const first = text.charCodeAt(start);
    const candidates = length < 16 && first < 128 ? KNOWN_NAMES[length * 128 + first] : undefined;
    if (candidates !== undefined) {
      for (let i = 0; i < candidates.length; i++) {
        const name = candidates[i] as string;
        // Same length and first character: compare the rest in place (cheaper than a
        // startsWith call for names this short).
        let k = 1;
        while (k < length && text.charCodeAt(start + k) === name.charCodeAt(k)) k++;
        if (k === length) {
          this.at = end + 1;
          return name;
        }
      }
    }
    this.at = end + 1;
    return text.slice(start, end);
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
    // Whitespace is rare in tokens: `space()` only runs where a character at or below the
    // space character could start some.
    const text = this.text;
    for (;;) {
      if (text.charCodeAt(this.at) !== 0x22) this.fail();
      const name = this.memberName();
      if (name in out) throw malformed(`token ${this.what} has duplicate members`);
      if (text.charCodeAt(this.at) <= 0x20) this.space();
      if (text.charCodeAt(this.at) !== 0x3a) this.fail();
      this.at++;
      if (text.charCodeAt(this.at) <= 0x20) this.space();
      out[name] = this.value(depth);
      if (text.charCodeAt(this.at) <= 0x20) this.space();
      const c = text.charCodeAt(this.at++);
      if (c === 0x7d) return Object.freeze(out);
      if (c !== 0x2c) this.fail();
      if (text.charCodeAt(this.at) <= 0x20) this.space();
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
