import {
  ALL_ALGORITHMS,
  type Algorithm,
  ASYMMETRIC_ALGORITHMS,
  HMAC_ALGORITHMS,
} from '../jws/algorithms.js';
import { fail, isObject } from './option-checks.js';
import type { IssuerKeys } from './options.js';

// Trusted issuers and their keys, validated once: the verifier's `issuers`, and the token
// services of `transactionTokens.issuers`, which take the same key sources.

function resolveAlgorithms(list: unknown, name: string): Algorithm[] {
  if (!Array.isArray(list) || list.length === 0) fail(`${name} must be a non-empty list`);
  for (const alg of list) {
    if (!ALL_ALGORITHMS.includes(alg as Algorithm)) fail(`${name} holds an unknown algorithm`);
  }
  return [...(list as Algorithm[])];
}

/** Issuers keyed by `iss`, each with the algorithms its keys may verify. */
export type ResolvedIssuers = ReadonlyMap<
  string,
  { readonly config: IssuerKeys; readonly algorithms: readonly Algorithm[] }
>;

/**
 * Validates a map of trusted issuers to their keys (the verifier's `issuers`, or the token
 * services of `transactionTokens.issuers`); `path` names the option in messages.
 */
export function resolveIssuerMap(
  input: unknown,
  algorithmsOption: unknown,
  path: string,
): ResolvedIssuers {
  if (!isObject(input) || Object.keys(input).length === 0) {
    fail(`${path} must map at least one trusted issuer to its keys`);
  }
  const global =
    algorithmsOption === undefined ? undefined : resolveAlgorithms(algorithmsOption, 'algorithms');
  const issuers = new Map<string, { config: IssuerKeys; algorithms: readonly Algorithm[] }>();
  for (const [issuer, config] of Object.entries(input)) {
    const name = `${path}[${JSON.stringify(issuer)}]`;
    if (issuer === '') fail(`${path}: an issuer must be a non-empty string`);
    if (!isObject(config)) fail(`${name} must be an object`);
    const secret = 'secret' in config;
    const kind = secret ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
    let algorithms: Algorithm[];
    if (config.algorithms !== undefined) {
      algorithms = resolveAlgorithms(config.algorithms, `${name}.algorithms`);
      for (const alg of algorithms) {
        if (!kind.includes(alg)) {
          fail(`${name}.algorithms: ${alg} ${secret ? 'needs a public key' : 'needs a secret'}`);
        }
        if (global !== undefined && !global.includes(alg)) {
          fail(`${name}.algorithms: ${alg} is not in algorithms`);
        }
      }
    } else {
      algorithms = (global ?? kind).filter((alg) => kind.includes(alg));
      if (algorithms.length === 0) {
        fail(
          `${name}: algorithms allows nothing this issuer's ${secret ? 'secret' : 'keys'} can verify`,
        );
      }
    }
    issuers.set(
      issuer,
      Object.freeze({
        config: config as unknown as IssuerKeys,
        algorithms: Object.freeze(algorithms),
      }),
    );
  }
  return issuers;
}
