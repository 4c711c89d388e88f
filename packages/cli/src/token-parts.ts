import { inputError } from './exit-codes.js';

// Decoding without verifying, for `inspect` and for `verify`'s explanations. The signature
// segment is never decoded, returned or printed.

/** A decoded, UNVERIFIED token: its header and payload. */
export interface DecodedToken {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) throw inputError(`the ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw inputError(`the ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw inputError(`the ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Decodes a compact JWT's header and payload; throws an input error for anything else. */
export function decodeToken(token: string): DecodedToken {
  const parts = token.split('.');
  if (parts.length !== 3) throw inputError('a compact JWT has three dot-separated parts');
  return {
    header: decodeSegment(parts[0] as string, 'header'),
    claims: decodeSegment(parts[1] as string, 'payload'),
  };
}

/**
 * The payload of a token, or `undefined` when it does not decode: `verify` leaves judging a
 * malformed token to the verifier (`token_malformed`).
 */
export function peekClaims(token: string): Record<string, unknown> | undefined {
  try {
    return decodeToken(token).claims;
  } catch {
    return undefined;
  }
}
