import type { KeyObject } from 'node:crypto';
import { compactVerify, type FlattenedJWS, flattenedVerify, generalVerify } from 'jose';

/** What {@link verifyJwsValue} found in a verified JWS. */
export interface VerifiedJwsValue {
  /** The protected header. */
  readonly header: Record<string, unknown>;
  /** The payload parsed as JSON. */
  readonly payload: unknown;
  /** `compact` for a JWS string, `flattened` for a JWS JSON serialization object. */
  readonly form: 'compact' | 'flattened';
}

/**
 * Verifies, with `jose`, a signed value as a gateway response signer produces it: a compact
 * JWS string, or a flattened JWS JSON serialization object (which is also checked as the
 * equivalent general serialization). Rejects when the signature, the algorithm or the shape
 * is wrong.
 *
 * @example
 * ```ts
 * const { header, payload } = await verifyJwsValue(body.access_token, publicKey, 'RS256');
 * ```
 */
export async function verifyJwsValue(
  value: unknown,
  key: KeyObject | Uint8Array,
  algorithm: string,
): Promise<VerifiedJwsValue> {
  const options = { algorithms: [algorithm] };
  const decode = (payload: Uint8Array) => JSON.parse(new TextDecoder().decode(payload));
  if (typeof value === 'string') {
    const result = await compactVerify(value, key, options);
    return { header: result.protectedHeader, payload: decode(result.payload), form: 'compact' };
  }
  if (typeof value !== 'object' || value === null) throw new TypeError('not a JWS value');
  const jws = value as FlattenedJWS;
  const result = await flattenedVerify(jws, key, options);
  const { payload, ...signature } = jws;
  await generalVerify({ payload, signatures: [signature] }, key, options);
  return {
    header: result.protectedHeader ?? {},
    payload: decode(result.payload),
    form: 'flattened',
  };
}
