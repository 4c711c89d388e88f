import type { KeyObject } from 'node:crypto';
import { configurationError } from '../errors/refusals.js';
import {
  ALGORITHMS,
  type Algorithm,
  EC_ALGORITHM_BY_CURVE,
  HMAC_ALGORITHMS,
  isAlgorithm,
  JWK_CURVE_BY_NODE_CURVE,
  RSA_ALGORITHMS,
} from '../jws/algorithms.js';
import { MIN_RSA_BITS } from '../keys/rsa-checks.js';
import { MIN_SECRET_BYTES } from '../keys/secret-key.js';

// Which algorithms a signing key can produce, and the rules that pick exactly one. Shared by
// local keys (private KeyObjects, secrets) and remote keys (judged by their public half).

/** `RSA, 2048 bits`, `EC P-256`, `OKP Ed25519`, `oct, 32 bytes`: how messages name a key type. */
export function describeKeyType(key: KeyObject): string {
  if (key.type === 'secret') return `oct, ${key.symmetricKeySize} bytes`;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return `RSA, ${details.modulusLength} bits`;
    case 'ec':
      return `EC ${JWK_CURVE_BY_NODE_CURVE[details.namedCurve ?? ''] ?? details.namedCurve}`;
    case 'ed25519':
      return 'OKP Ed25519';
    default:
      return String(key.asymmetricKeyType);
  }
}

/**
 * The algorithms a key (private, public or secret) can sign with, its default first.
 *
 * @throws ServiceJwtError `configuration_error` naming `option`: RSA under 2048 bits, an
 * RSA-PSS-restricted key (no JWK form: neither publishable nor accepted by verifiers), an
 * unsupported curve or key type.
 */
export function signingAlgorithmsFor(key: KeyObject, option: string): readonly Algorithm[] {
  if (key.type === 'secret') return HMAC_ALGORITHMS;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      if ((details.modulusLength ?? 0) < MIN_RSA_BITS) {
        throw configurationError(
          `${option} is an RSA key of ${details.modulusLength} bits; at least ${MIN_RSA_BITS} are required`,
        );
      }
      return RSA_ALGORITHMS;
    case 'rsa-pss':
      throw configurationError(
        `${option} is an RSA-PSS-restricted key, which has no JWK form; use a plain RSA key with algorithm PS256, PS384 or PS512`,
      );
    case 'ec': {
      const crv = JWK_CURVE_BY_NODE_CURVE[details.namedCurve ?? ''];
      const algorithm = EC_ALGORITHM_BY_CURVE[crv ?? ''];
      if (algorithm === undefined) {
        throw configurationError(`${option} uses an unsupported curve (P-256, P-384 or P-521)`);
      }
      return [algorithm];
    }
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      throw configurationError(
        `${option} has an unsupported key type "${key.asymmetricKeyType}" (RSA, EC P-256/384/521, Ed25519 or an oct secret)`,
      );
  }
}

/** The explicit algorithm choices around one key, each with the option that made it. */
export interface AlgorithmChoices {
  /** The key's own choice: `{ key, algorithm }` or a remote key's `algorithm`. */
  readonly own?: { readonly value: unknown; readonly option: string } | undefined;
  /** The `alg` member of a JWK input. */
  readonly jwkAlg?: unknown;
  /** The signer-wide `algorithm` option, for keys that name none of their own. */
  readonly signerAlgorithm?: Algorithm | undefined;
}

/**
 * Binds a key to exactly one algorithm: its own choice, else its JWK `alg`, else the signer's
 * `algorithm`, else the key type's default. Explicit choices never silently lose: one the key
 * cannot sign with, or two that disagree, are refused (the signer's `algorithm` yields only to
 * a key's `{ key, algorithm }`, which exists to override it).
 *
 * @throws ServiceJwtError `configuration_error` naming the option that disagrees and the key type.
 */
export function chooseAlgorithm(
  key: KeyObject,
  option: string,
  choices: AlgorithmChoices,
): Algorithm {
  const fits = signingAlgorithmsFor(key, option);
  const type = describeKeyType(key);
  const keyType = `key type ${type}, which signs ${fits.join(', ')}`;
  const { own, jwkAlg, signerAlgorithm } = choices;
  if (own !== undefined && own.value !== undefined) {
    if (!isAlgorithm(own.value) || !fits.includes(own.value)) {
      throw configurationError(
        `${own.option} ${String(own.value)} does not fit ${option} (${keyType})`,
      );
    }
  }
  if (jwkAlg !== undefined && (!isAlgorithm(jwkAlg) || !fits.includes(jwkAlg))) {
    throw configurationError(`${option}.alg ${String(jwkAlg)} does not match the key (${keyType})`);
  }
  const ownValue = own?.value as Algorithm | undefined;
  if (ownValue !== undefined && jwkAlg !== undefined && ownValue !== jwkAlg) {
    throw configurationError(
      `${own?.option} ${ownValue} disagrees with the alg ${String(jwkAlg)} of ${option} (key type ${type})`,
    );
  }
  if (signerAlgorithm !== undefined && ownValue === undefined) {
    if (!fits.includes(signerAlgorithm)) {
      throw configurationError(`algorithm ${signerAlgorithm} does not fit ${option} (${keyType})`);
    }
    if (jwkAlg !== undefined && jwkAlg !== signerAlgorithm) {
      throw configurationError(
        `algorithm ${signerAlgorithm} disagrees with the alg ${String(jwkAlg)} of ${option} (key type ${type})`,
      );
    }
  }
  return ownValue ?? (jwkAlg as Algorithm | undefined) ?? signerAlgorithm ?? (fits[0] as Algorithm);
}

/**
 * Refuses a secret shorter than 32 bytes or than its hash (RFC 7518 §3.2: 48 for HS384, 64 for
 * HS512), the same floor the verifier applies, so the signer never mints what it would refuse.
 */
export function checkSecretLength(key: KeyObject, algorithm: Algorithm, option: string): void {
  if (key.type !== 'secret') return;
  const spec = ALGORITHMS[algorithm] as { readonly size?: number };
  const minimum = Math.max(MIN_SECRET_BYTES, spec.size ?? 0);
  const size = key.symmetricKeySize ?? 0;
  if (size < minimum) {
    throw configurationError(
      `${option} is a secret of ${size} bytes; ${algorithm} needs at least ${minimum}`,
    );
  }
}
