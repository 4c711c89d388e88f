/**
 * The replay-store key of a token: its issuer and `jti`. Never the token string, since ECDSA
 * and base64url malleability give one token several valid spellings.
 *
 * The key is the JSON text of `[issuer, jti]`: unambiguous for any pair of strings (no issuer
 * and jti can be joined into another pair's key), and always well-formed Unicode, because
 * `JSON.stringify` escapes lone surrogates, so stores that encode keys as UTF-8 (Redis) never
 * merge two distinct ids.
 *
 * @example
 * ```ts
 * await store.claim(replayKey(claims.iss, claims.jti), claims.exp + clockTolerance);
 * ```
 */
export function replayKey(issuer: string, jti: string): string {
  return JSON.stringify([issuer, jti]);
}
