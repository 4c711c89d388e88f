import { keysUnavailable } from '../errors/refusals.js';
import { importJwk } from './key-import.js';
import type { KeyImportContext, VerificationKey } from './key-resolver.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What makes two fetched keys the same key: `kid`, algorithm and public material. */
export function keyIdentity(key: VerificationKey): string {
  const material = key.key.export({ format: 'der', type: 'spki' }).toString('base64');
  return `${key.kid ?? ''}|${key.algorithm}|${material}`;
}

/**
 * Parses a fetched JWK set leniently per key and strictly per set: keys that are unusable
 * (wrong `use`, unsupported `kty`, weak RSA, private or symmetric material, disallowed `alg`,
 * or missing `kid` in a several-key set) are skipped; a document that is not a key set, holds
 * more than `maxKeys` keys or repeats a `kid` among usable keys is refused as a whole.
 */
export function parseRemoteKeySet(
  document: unknown,
  ctx: KeyImportContext,
  maxKeys: number,
): VerificationKey[] {
  if (!isRecord(document) || !Array.isArray(document.keys)) {
    throw keysUnavailable('the key set document has no "keys" array');
  }
  if (document.keys.length > maxKeys) {
    throw keysUnavailable(`the key set holds more than ${maxKeys} keys`);
  }
  const usable: VerificationKey[] = [];
  document.keys.forEach((jwk, i) => {
    try {
      usable.push(
        importJwk(jwk, { ...ctx, allowSymmetric: false, optionPath: `${ctx.optionPath} key ${i}` }),
      );
    } catch {
      // Skipped on purpose: providers publish encryption keys beside signing keys.
    }
  });
  return usable.length > 1 ? usable.filter((key) => key.kid !== undefined) : usable;
}
