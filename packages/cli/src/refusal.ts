import type { ServiceJwtError } from '@service-jwt/core';
import { CliError, type CliErrorDetails, EXIT } from './exit-codes.js';

// A refused token, explained. For `issuer_not_trusted` and `audience_mismatch` the verifier
// says only that the values differ (its messages never echo the token); the CLI holds both
// sides, the flag and the token the user gave it, and shows them together, because the usual
// cause is a near miss nobody spots by eye: `https://a.example` and `https://a.example/`.

/** What the user asked `verify` to accept. */
export interface Expectations {
  readonly issuer: string;
  readonly audiences: readonly string[];
}

// Claims are the token's own text; capped and JSON-quoted so that a hostile token can neither
// flood the terminal nor smuggle control characters into it.
const MAX_SHOWN = 200;
function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** Why two values that differ look alike, or `undefined`. */
function nearMiss(expected: readonly string[], actual: unknown): string | undefined {
  const actuals = (Array.isArray(actual) ? actual : [actual]).filter(
    (a): a is string => typeof a === 'string',
  );
  const trim = (s: string) => s.replace(/\/+$/, '');
  for (const a of actuals) {
    for (const e of expected) {
      if (a !== e && trim(a) === trim(e)) return 'they differ only by a trailing slash';
      if (a !== e && a.toLowerCase() === e.toLowerCase()) return 'they differ only in letter case';
      if (a !== e && a.trim() === e.trim()) return 'they differ only by white space';
    }
  }
  return undefined;
}

/** The expected and actual values of a refusal, for the codes that have them. */
function mismatch(
  code: string,
  claims: Record<string, unknown> | undefined,
  expect: Expectations,
): { details: CliErrorDetails; text: string } | undefined {
  const side =
    code === 'issuer_not_trusted'
      ? { claim: 'iss', flag: '--iss', expected: [expect.issuer] }
      : code === 'audience_mismatch'
        ? { claim: 'aud', flag: '--aud', expected: expect.audiences }
        : undefined;
  if (side === undefined || claims === undefined) return undefined;
  const actual = claims[side.claim] ?? null;
  const hint = nearMiss(side.expected, actual);
  const tokenSide =
    actual === null
      ? `the token has no ${side.claim}`
      : `the token's ${side.claim} is ${quote(actual)}`;
  const text = `${tokenSide}, ${side.flag} is ${side.expected.map(quote).join(' or ')}${hint ? ` (${hint})` : ''}`;
  return { details: { expected: side.expected, actual }, text };
}

/**
 * The CLI error for a token the verifier refused (exit 1): its code and status, and for
 * `issuer_not_trusted` and `audience_mismatch` the expected value beside the token's.
 *
 * @param claims the token's payload, decoded without trust; `undefined` when it does not decode.
 */
export function refusal(
  err: ServiceJwtError,
  claims: Record<string, unknown> | undefined,
  expect: Expectations,
): CliError {
  const found = mismatch(err.code, claims, expect);
  return new CliError(
    EXIT.refused,
    `refused: ${err.code} (${err.status}): ${err.message}${found ? `: ${found.text}` : ''}`,
    { code: err.code, status: err.status, ...found?.details },
  );
}
