// The one list of JWS algorithms (RFC 7518 §3, RFC 8037, RFC 9864). Everything else derives
// from it: the `Algorithm` type, the verifier's allow-lists, the key binding rules and the
// signature checks. `none` is not in it and never will be.
export const ALGORITHMS = {
  RS256: { family: 'RSA', hash: 'sha256' },
  RS384: { family: 'RSA', hash: 'sha384' },
  RS512: { family: 'RSA', hash: 'sha512' },
  PS256: { family: 'RSA-PSS', hash: 'sha256' },
  PS384: { family: 'RSA-PSS', hash: 'sha384' },
  PS512: { family: 'RSA-PSS', hash: 'sha512' },
  ES256: { family: 'EC', hash: 'sha256', crv: 'P-256', size: 64 },
  ES384: { family: 'EC', hash: 'sha384', crv: 'P-384', size: 96 },
  ES512: { family: 'EC', hash: 'sha512', crv: 'P-521', size: 132 },
  EdDSA: { family: 'OKP', hash: null },
  Ed25519: { family: 'OKP', hash: null },
  HS256: { family: 'HMAC', hash: 'sha256', size: 32 },
  HS384: { family: 'HMAC', hash: 'sha384', size: 48 },
  HS512: { family: 'HMAC', hash: 'sha512', size: 64 },
} as const;

/** JWS algorithms service-jwt can verify and sign with. `none` is never among them. */
export type Algorithm = keyof typeof ALGORITHMS;

/** Every algorithm, in the table's order. */
export const ALL_ALGORITHMS = Object.freeze(Object.keys(ALGORITHMS) as Algorithm[]);

function ofFamily(...families: readonly string[]): readonly Algorithm[] {
  return Object.freeze(ALL_ALGORITHMS.filter((alg) => families.includes(ALGORITHMS[alg].family)));
}

export const RSA_ALGORITHMS = ofFamily('RSA', 'RSA-PSS');
export const HMAC_ALGORITHMS = ofFamily('HMAC');
export const ASYMMETRIC_ALGORITHMS = Object.freeze(
  ALL_ALGORITHMS.filter((alg) => ALGORITHMS[alg].family !== 'HMAC'),
);

/**
 * A lookup table indexed by names that come from outside (a JWK's `crv`, a token's `alg`):
 * without a prototype, `table['constructor']` or `table['__proto__']` is undefined like any
 * other unknown name, not an inherited function.
 */
export function lookupTable<T>(
  entries: Iterable<readonly [string, T]>,
): Readonly<Record<string, T>> {
  const table: Record<string, T> = Object.create(null);
  for (const [name, value] of entries) table[name] = value;
  return Object.freeze(table);
}

/** JWK `crv` → the one ECDSA algorithm of that curve (RFC 7518 §3.4). */
export const EC_ALGORITHM_BY_CURVE: Readonly<Record<string, Algorithm>> = lookupTable(
  ofFamily('EC').map((alg) => [(ALGORITHMS[alg] as { crv: string }).crv, alg] as const),
);

/** OpenSSL curve names as `KeyObject.asymmetricKeyDetails.namedCurve` reports them. */
export const JWK_CURVE_BY_NODE_CURVE: Readonly<Record<string, string>> = lookupTable([
  ['prime256v1', 'P-256'],
  ['secp384r1', 'P-384'],
  ['secp521r1', 'P-521'],
]);

export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && Object.hasOwn(ALGORITHMS, value);
}

export function isHmac(alg: string): boolean {
  return isAlgorithm(alg) && ALGORITHMS[alg].family === 'HMAC';
}

export function isEdDsa(alg: string): boolean {
  return alg === 'EdDSA' || alg === 'Ed25519';
}

/** `true` when a token header `alg` may be verified with a key bound to `bound`. */
export function algorithmMatches(bound: Algorithm, headerAlg: string): boolean {
  return bound === headerAlg || (isEdDsa(bound) && isEdDsa(headerAlg));
}

/** `EdDSA` and `Ed25519` name the same JWS algorithm for Ed25519 keys (RFC 8037, RFC 9864). */
export function isAllowed(alg: Algorithm, allowed: readonly Algorithm[]): boolean {
  if (allowed.includes(alg)) return true;
  return isEdDsa(alg) && (allowed.includes('EdDSA') || allowed.includes('Ed25519'));
}
