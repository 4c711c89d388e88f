import type { KeyObject } from 'node:crypto';

/** Key material accepted wherever a public (or secret) verification key is configured. */
export type KeyInput = KeyObject | JsonWebKeyInput | string | Uint8Array;

/** A JSON Web Key as a plain object (RFC 7517). */
export interface JsonWebKeyInput {
  readonly kty: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly key_ops?: readonly string[];
  readonly crv?: string;
  readonly [member: string]: unknown;
}

/** A JSON Web Key Set (RFC 7517 §5). */
export interface JsonWebKeySetInput {
  readonly keys: readonly JsonWebKeyInput[];
}
