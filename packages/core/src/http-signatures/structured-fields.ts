import { httpSignatureMalformed } from '../errors/refusals.js';

// A strict subset of RFC 8941/9651 structured fields: what Signature-Input, Signature and
// Content-Digest are made of (dictionaries of items and inner lists, with parameters). Strict
// where the RFC lets a parser be lenient, because a signature is checked against what we
// rebuild from these values: one spelling per value (canonical base64, no duplicate keys),
// and bounds on every count so that no header can grow memory or recursion.

/** A token (RFC 8941 §3.3.4), kept apart from strings so that it serialises without quotes. */
export class SfToken {
  constructor(readonly value: string) {}
}

/** A bare item: integer or decimal, string, token, byte sequence, boolean. */
export type BareItem = number | string | SfToken | Uint8Array | boolean;

/** Parameters in their order of appearance. */
export type Parameters = ReadonlyMap<string, BareItem>;

export interface SfItem {
  readonly value: BareItem;
  readonly params: Parameters;
}

export interface SfInnerList {
  readonly items: readonly SfItem[];
  readonly params: Parameters;
}

export type SfDictionary = ReadonlyMap<string, SfItem | SfInnerList>;

/** Bounds a parse must stay within; every count is checked before anything is stored. */
export interface SfLimits {
  /** Most dictionary members. */
  readonly members: number;
  /** Most items in one inner list. */
  readonly items: number;
  /** Most parameters on one item or list. */
  readonly params: number;
}

export function isInnerList(value: SfItem | SfInnerList): value is SfInnerList {
  return (value as SfInnerList).items !== undefined;
}

const malformed = (field: string, why: string) => httpSignatureMalformed(`${field}: ${why}`);

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isLcAlpha = (c: number) => c >= 0x61 && c <= 0x7a;
const isAlpha = (c: number) => isLcAlpha(c) || (c >= 0x41 && c <= 0x5a);
// tchar (RFC 9110 §5.6.2) plus ':' and '/' (RFC 8941 §3.3.4).
const TOKEN_CHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z:/]$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

class Parser {
  private pos = 0;
  constructor(
    private readonly input: string,
    private readonly field: string,
    private readonly limits: SfLimits,
  ) {}

  private fail(why: string): never {
    throw malformed(this.field, why);
  }

  private code(): number {
    return this.input.charCodeAt(this.pos);
  }

  private skipSp(): void {
    while (this.code() === 0x20) this.pos++;
  }

  private skipOws(): void {
    while (this.code() === 0x20 || this.code() === 0x09) this.pos++;
  }

  dictionary(): SfDictionary {
    const members = new Map<string, SfItem | SfInnerList>();
    this.skipSp();
    while (this.pos < this.input.length) {
      const key = this.key();
      // Duplicate keys would let two readers see two different members (RFC 8941 keeps the
      // last): refused.
      if (members.has(key)) this.fail(`duplicate member "${key}"`);
      if (members.size >= this.limits.members) this.fail('too many members');
      let value: SfItem | SfInnerList;
      if (this.code() === 0x3d /* = */) {
        this.pos++;
        value = this.code() === 0x28 /* ( */ ? this.innerList() : this.item();
      } else {
        value = { value: true, params: this.parameters() };
      }
      members.set(key, value);
      this.skipOws();
      if (this.pos >= this.input.length) return members;
      if (this.code() !== 0x2c /* , */) this.fail('expected a comma between members');
      this.pos++;
      this.skipOws();
      if (this.pos >= this.input.length) this.fail('trailing comma');
    }
    return members;
  }

  private innerList(): SfInnerList {
    this.pos++; // (
    const items: SfItem[] = [];
    for (;;) {
      this.skipSp();
      if (this.code() === 0x29 /* ) */) {
        this.pos++;
        return { items, params: this.parameters() };
      }
      if (this.pos >= this.input.length) this.fail('unterminated inner list');
      if (items.length >= this.limits.items) this.fail('too many items in an inner list');
      items.push(this.item());
      const next = this.code();
      if (next !== 0x20 && next !== 0x29) this.fail('expected a space or ")" in an inner list');
    }
  }

  private item(): SfItem {
    const value = this.bareItem();
    return { value, params: this.parameters() };
  }

  private parameters(): Parameters {
    const params = new Map<string, BareItem>();
    while (this.code() === 0x3b /* ; */) {
      this.pos++;
      this.skipSp();
      const key = this.key();
      if (params.has(key)) this.fail(`duplicate parameter "${key}"`);
      if (params.size >= this.limits.params) this.fail('too many parameters');
      let value: BareItem = true;
      if (this.code() === 0x3d /* = */) {
        this.pos++;
        value = this.bareItem();
      }
      params.set(key, value);
    }
    return params;
  }

  private key(): string {
    const start = this.pos;
    const first = this.code();
    if (!isLcAlpha(first) && first !== 0x2a /* * */) this.fail('invalid key');
    this.pos++;
    for (;;) {
      const c = this.code();
      if (isLcAlpha(c) || isDigit(c) || c === 0x5f || c === 0x2d || c === 0x2e || c === 0x2a) {
        this.pos++;
      } else {
        break;
      }
    }
    return this.input.slice(start, this.pos);
  }

  private bareItem(): BareItem {
    const c = this.code();
    if (c === 0x22 /* " */) return this.string();
    if (c === 0x3a /* : */) return this.bytes();
    if (c === 0x3f /* ? */) return this.boolean();
    if (c === 0x2d /* - */ || isDigit(c)) return this.number();
    if (isAlpha(c) || c === 0x2a) return this.token();
    return this.fail('invalid item');
  }

  private string(): string {
    this.pos++;
    let out = '';
    for (;;) {
      if (this.pos >= this.input.length) this.fail('unterminated string');
      const c = this.code();
      this.pos++;
      if (c === 0x22) return out;
      if (c === 0x5c /* \ */) {
        const escaped = this.code();
        if (escaped !== 0x22 && escaped !== 0x5c) this.fail('invalid escape in a string');
        this.pos++;
        out += String.fromCharCode(escaped);
      } else if (c < 0x20 || c > 0x7e) {
        this.fail('invalid character in a string');
      } else {
        out += String.fromCharCode(c);
      }
    }
  }

  private token(): SfToken {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.input.length && TOKEN_CHAR.test(this.input[this.pos] as string)) {
      this.pos++;
    }
    return new SfToken(this.input.slice(start, this.pos));
  }

  private bytes(): Uint8Array {
    const end = this.input.indexOf(':', this.pos + 1);
    if (end === -1) this.fail('unterminated byte sequence');
    const text = this.input.slice(this.pos + 1, end);
    this.pos = end + 1;
    // One spelling only: standard alphabet, padded, no stray bits.
    if (!BASE64.test(text) || text.length % 4 !== 0) this.fail('invalid byte sequence');
    const bytes = Buffer.from(text, 'base64');
    if (bytes.toString('base64') !== text) this.fail('non-canonical byte sequence');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private boolean(): boolean {
    const c = this.input.charCodeAt(this.pos + 1);
    if (c !== 0x30 && c !== 0x31) this.fail('invalid boolean');
    this.pos += 2;
    return c === 0x31;
  }

  private number(): number {
    const start = this.pos;
    if (this.code() === 0x2d) this.pos++;
    const digitsStart = this.pos;
    while (isDigit(this.code())) this.pos++;
    const intDigits = this.pos - digitsStart;
    if (intDigits === 0) this.fail('invalid number');
    if (this.code() !== 0x2e /* . */) {
      if (intDigits > 15) this.fail('integer too long');
      return Number(this.input.slice(start, this.pos));
    }
    if (intDigits > 12) this.fail('decimal too long');
    this.pos++;
    const fracStart = this.pos;
    while (isDigit(this.code())) this.pos++;
    const fracDigits = this.pos - fracStart;
    if (fracDigits === 0 || fracDigits > 3) this.fail('invalid decimal');
    return Number(this.input.slice(start, this.pos));
  }
}

/**
 * Parses a dictionary field (RFC 8941 §4.2.2) after the caller has bounded its length. Field
 * lines of a repeated header are joined with ", " as RFC 8941 §4.2 says.
 *
 * @throws ServiceJwtError `http_signature_malformed` naming `field`; never echoes the input.
 */
export function parseDictionary(
  value: string | readonly string[],
  field: string,
  limits: SfLimits,
): SfDictionary {
  const text = typeof value === 'string' ? value : value.join(', ');
  // Leading and trailing spaces of the field are dropped (RFC 8941 §4.2); nothing else is.
  const trimmed = text.replace(/^ +| +$/g, '');
  if (trimmed === '') throw malformed(field, 'empty field');
  return new Parser(trimmed, field, limits).dictionary();
}

function serializeBareItem(value: BareItem): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '?1' : '?0';
  if (value instanceof SfToken) return value.value;
  if (value instanceof Uint8Array) return `:${Buffer.from(value).toString('base64')}:`;
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Parameters serialised per RFC 8941 §4.1.1.2 (`;key`, `;key=value`). */
export function serializeParameters(params: Parameters): string {
  let out = '';
  for (const [key, value] of params) {
    out += value === true ? `;${key}` : `;${key}=${serializeBareItem(value)}`;
  }
  return out;
}

export function serializeItem(item: SfItem): string {
  return serializeBareItem(item.value) + serializeParameters(item.params);
}

/** An inner list serialised canonically: what `@signature-params` holds (RFC 9421 §2.3). */
export function serializeInnerList(list: SfInnerList): string {
  return `(${list.items.map(serializeItem).join(' ')})${serializeParameters(list.params)}`;
}

/** `true` for a string a structured-field string can hold (printable ASCII). */
export function isSfString(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}
