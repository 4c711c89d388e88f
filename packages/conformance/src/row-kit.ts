import type { Rfc6750Error, ServiceJwtErrorCode } from '@service-jwt/core';
import { type ConformanceFixture, HERALD } from './conformance-fixture.js';
import type { RawRequest } from './raw-request.js';

/** What a row expects back. */
export interface ConformanceExpectation {
  readonly status: number;
  /** The `code` of the JSON error body; absent for 200 rows. */
  readonly code?: ServiceJwtErrorCode;
  /**
   * The `WWW-Authenticate` challenge: `'bare'` is `Bearer realm="…"` with no error attribute,
   * an RFC 6750 error names the attribute expected, `null` means no header.
   */
  readonly challenge?: 'bare' | Rfc6750Error | null;
  /** The 200 body `{ issuer, subject }`. */
  readonly issuer?: string;
  readonly subject?: string;
  /**
   * The attached Txn-Token of a 200: `'sent'` is the one the row sent (compared by SHA-256),
   * `null` or absent means none attached.
   */
  readonly transaction?: 'sent' | null;
  /** The Txn-Token the next hop got on a `forward` route: `'sent'`, or `null` for none. */
  readonly forwarded?: 'sent' | null;
}

/** One request → expected status, code and challenge. */
export interface ConformanceRow {
  readonly name: string;
  request(fixture: ConformanceFixture): Promise<RawRequest>;
  readonly expect: ConformanceExpectation;
  /** Send the request once first (expecting 200), then again for the expectation. */
  readonly sendTwice?: boolean;
}

/** `Authorization: Bearer <token>`. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** `Content-Type: application/json`. */
export const JSON_TYPE = { 'content-type': 'application/json' };
/** A JSON body with a non-ASCII character. */
export const PAYLOAD = '{"name":"Ada","city":"Zürich"}';
/** Bytes that are not valid UTF-8 (a lone continuation byte, an overlong form, 0xff). */
export const NON_UTF8 = Uint8Array.from([0x80, 0xc0, 0xaf, 0xff, 0xfe, 0x00, 0x41]);

/** 401 with `error="invalid_token"`. */
export function invalid(code: ServiceJwtErrorCode): ConformanceExpectation {
  return { status: 401, code, challenge: 'invalid_token' };
}
/** 403 with `error="insufficient_scope"`. */
export function forbidden(code: ServiceJwtErrorCode): ConformanceExpectation {
  return { status: 403, code, challenge: 'insufficient_scope' };
}
/** 200 with `{ issuer, subject }`. */
export const ok = (issuer = HERALD, subject?: string): ConformanceExpectation => ({
  status: 200,
  issuer,
  ...(subject === undefined ? {} : { subject }),
});

/** Base64url of a JSON value, for hand-made tokens. */
export function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
