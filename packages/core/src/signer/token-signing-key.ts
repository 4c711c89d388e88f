import { CompactSign } from 'jose';
import type { Algorithm } from '../jws/algorithms.js';
import type { PublicJwk, SigningKey } from './signing-keys.js';

/**
 * A key the signer mints with, wherever its private half lives: in this process (a local key)
 * or in a KMS, an HSM or a signing sidecar (a remote key). The key ring and the token code see
 * only this shape.
 */
export interface TokenSigningKey {
  readonly algorithm: Algorithm;
  readonly kid: string;
  /** `undefined` for a shared secret, which is never published. */
  readonly publicJwk: PublicJwk | undefined;
  /**
   * Signs `payload` under the protected header `{ alg, kid, typ }` and resolves to the compact
   * JWS (RFC 7515 §7.1). `typ` is `"JWT"` unless a profile names its own (`txntoken+jwt`).
   */
  signCompact(payload: Uint8Array, typ?: string): Promise<string>;
}

/** The protected header of every JWS the signers write; `typ` is `JWT` unless a profile says otherwise. */
export function protectedHeader(
  key: { readonly algorithm: Algorithm; readonly kid: string },
  typ = 'JWT',
) {
  return { alg: key.algorithm, kid: key.kid, typ };
}

/** A key held in this process, signed with by `jose`. */
export function localTokenKey(key: SigningKey): TokenSigningKey {
  return {
    algorithm: key.algorithm,
    kid: key.kid,
    publicJwk: key.publicJwk,
    signCompact: (payload, typ) =>
      new CompactSign(payload).setProtectedHeader(protectedHeader(key, typ)).sign(key.key),
  };
}
