import { configurationError } from '../errors/refusals.js';
import type { JsonWebKeyInput } from '../keys/key-input.js';

// Key files as people hand them over: `readFileSync(path, 'utf8')` of a PEM file or of the JWK
// JSON that `service-jwt keygen` writes, and often `readFileSync(path)` without the encoding.
// Reading those bytes as an HMAC secret would mint tokens that verify nowhere, so text that
// is recognisably a key is read as one.

/** What a key text holds. */
export type KeyText =
  | { readonly kind: 'pem'; readonly pem: string }
  | { readonly kind: 'jwk'; readonly jwk: JsonWebKeyInput }
  | { readonly kind: 'set'; readonly keys: readonly unknown[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fromJson(parsed: unknown, option: string): KeyText {
  if (isRecord(parsed) && typeof parsed.kty === 'string') {
    return { kind: 'jwk', jwk: parsed as JsonWebKeyInput };
  }
  if (isRecord(parsed) && Array.isArray(parsed.keys)) return { kind: 'set', keys: parsed.keys };
  throw configurationError(
    `${option} is JSON but neither a JWK (no "kty") nor a JWK set ({ "keys": [...] })`,
  );
}

/**
 * Recognises a key given as a string: PEM text, or a JWK or JWK set (RFC 7517 §4, §5) as
 * JSON. `undefined` for any other string (which may be the raw text of a secret).
 *
 * @throws ServiceJwtError `configuration_error` naming `option` for a string that starts like
 * JSON (`{`) but does not parse, or parses to something that is no JWK or JWK set.
 */
export function readKeyString(text: string, option: string): KeyText | undefined {
  if (text.includes('-----BEGIN')) return { kind: 'pem', pem: text };
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (err) {
    throw configurationError(`${option} starts like JSON but does not parse as a JWK`, err);
  }
  return fromJson(parsed, option);
}

/**
 * Recognises a key file read as bytes: PEM, or JWK / JWK set JSON. `undefined` for anything
 * else, which is then a raw secret: random bytes that happen to start with `{` stay a secret.
 */
export function readKeyBytes(bytes: Uint8Array, option: string): KeyText | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('-----BEGIN')) return { kind: 'pem', pem: text };
  if (!trimmed.startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (isRecord(parsed) && (typeof parsed.kty === 'string' || Array.isArray(parsed.keys))) {
    return fromJson(parsed, option);
  }
  return undefined;
}
