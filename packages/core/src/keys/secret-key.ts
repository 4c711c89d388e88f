import { createSecretKey } from 'node:crypto';
import { configurationError } from '../errors/refusals.js';
import type { Algorithm } from '../jws/algorithms.js';
import { HMAC_ALGORITHMS, isHmac } from '../jws/algorithms.js';
import type { KeyImportContext, VerificationKey } from './key-resolver.js';

/** Shortest accepted HMAC secret, in bytes (design: 32). */
export const MIN_SECRET_BYTES = 32;

const HASH_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };

function bindHmac(declared: unknown, ctx: KeyImportContext): Algorithm {
  const path = ctx.optionPath;
  const allowed = ctx.algorithms.filter(isHmac);
  if (declared !== undefined) {
    if (typeof declared !== 'string' || !isHmac(declared)) {
      throw configurationError(`${path}.alg must be HS256, HS384 or HS512 for a secret`);
    }
    if (!allowed.includes(declared as Algorithm)) {
      throw configurationError(
        `${path}.alg ${declared} is not among the issuer's allowed algorithms`,
      );
    }
    return declared as Algorithm;
  }
  if (allowed.length === 1) return allowed[0] as Algorithm;
  if (allowed.includes('HS256')) return 'HS256';
  throw configurationError(
    allowed.length === 0
      ? `${path}: a secret needs HS256, HS384 or HS512 among the allowed algorithms`
      : `${path}: a secret is bound to one algorithm; allow exactly one of ${HMAC_ALGORITHMS.join(', ')}`,
  );
}

/**
 * Binds a shared secret to one HMAC algorithm: the one the allow-list names, HS256 when it
 * names several including HS256. The secret must hold at least 32 bytes and at least the hash
 * size (RFC 7518 §3.2: 48 for HS384, 64 for HS512). A string is taken as its UTF-8 bytes.
 * Throws `configuration_error` naming `ctx.optionPath`.
 */
export function importSecret(
  secret: unknown,
  ctx: KeyImportContext,
  extra: { readonly kid?: string | undefined; readonly declaredAlg?: unknown } = {},
): VerificationKey {
  const path = ctx.optionPath;
  let bytes: Buffer;
  if (typeof secret === 'string') bytes = Buffer.from(secret, 'utf8');
  else if (secret instanceof Uint8Array) bytes = Buffer.from(secret);
  else throw configurationError(`${path} must be a string or a Uint8Array`);
  const algorithm = bindHmac(extra.declaredAlg, ctx);
  const minimum = Math.max(MIN_SECRET_BYTES, HASH_BYTES[algorithm] ?? 0);
  if (bytes.length < minimum) {
    throw configurationError(`${path} must hold at least ${minimum} bytes for ${algorithm}`);
  }
  return Object.freeze({ key: createSecretKey(bytes), algorithm, kid: extra.kid });
}
