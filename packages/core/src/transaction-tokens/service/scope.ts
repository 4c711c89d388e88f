import { refuse } from './token-endpoint-response.js';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), joined by single spaces.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const MAX_SCOPE_TOKENS = 64;

/**
 * The words of a requested `scope`, in order and without repeats. Malformed scope
 * (empty, control characters, quotes, backslashes, doubled spaces) is `invalid_scope`.
 */
export function parseRequestedScope(scope: string): string[] {
  const words = scope.split(' ');
  if (words.some((word) => !SCOPE_TOKEN.test(word))) {
    refuse('invalid_scope', 'scope is not a space-separated list of scope tokens (RFC 6749 §3.3)');
  }
  const unique = [...new Set(words)];
  if (unique.length > MAX_SCOPE_TOKENS) {
    refuse('invalid_scope', `scope holds more than ${MAX_SCOPE_TOKENS} values`);
  }
  return unique;
}

/** The words of a scope held by a token or returned by a policy: a string or a list. */
export function scopeWords(scope: string | readonly string[]): string[] {
  const words = typeof scope === 'string' ? scope.split(' ') : [...scope];
  return words.filter((word) => word !== '');
}

/**
 * Refuses any requested word outside `allowed`: a Txn-Token's scope is never wider than the
 * scope behind the request (draft-ietf-oauth-transaction-tokens-10 §"Scope Processing"; for a
 * replacement, §"Txn-Token as a subject_token").
 */
export function requireWithin(requested: readonly string[], allowed: readonly string[]): void {
  const granted = new Set(allowed);
  const outside = requested.filter((word) => !granted.has(word));
  if (outside.length > 0) {
    refuse('invalid_scope', `the requested scope is wider than the subject may be granted`);
  }
}
