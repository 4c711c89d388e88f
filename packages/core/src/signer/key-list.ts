import { KeyObject } from 'node:crypto';
import { configurationError } from '../errors/refusals.js';
import type { Algorithm } from '../jws/algorithms.js';
import type { JsonWebKeySetInput } from '../keys/key-input.js';
import { readKeyBytes, readKeyString } from './key-text.js';
import {
  importRemoteSigningKey,
  isRemoteSigningKey,
  type RemoteSigningKey,
} from './remote-signing-key.js';
import { importSigningKey, type PrivateKeyInput, type SignerKey } from './signing-keys.js';
import { localTokenKey, type TokenSigningKey } from './token-signing-key.js';

/** Anything accepted as one signer key: private key material, `{ key, kid?, algorithm? }`, or a remote key. */
export type SignerKeyInput = PrivateKeyInput | SignerKey | RemoteSigningKey;

/**
 * The signer's `keys` option: one key, a JWK set (object, or its JSON text as `service-jwt
 * keygen` or a KrakenD set file hold it), or an array of them. The first key signs.
 */
export type SignerKeys =
  | SignerKeyInput
  | JsonWebKeySetInput
  | readonly (SignerKeyInput | JsonWebKeySetInput)[];

interface Entry {
  readonly input: unknown;
  readonly option: string;
}

function isJwkSet(input: unknown): input is JsonWebKeySetInput {
  return (
    typeof input === 'object' &&
    input !== null &&
    !(input instanceof KeyObject) &&
    !(input instanceof Uint8Array) &&
    !('kty' in input) &&
    Array.isArray((input as { keys?: unknown }).keys)
  );
}

/** One configured value as the keys it holds: a JWK set (object or text) becomes its members. */
function expand(input: unknown, option: string): Entry[] {
  let members: readonly unknown[] | undefined;
  if (isJwkSet(input)) members = input.keys;
  else if (typeof input === 'string') {
    const text = readKeyString(input, option);
    if (text?.kind === 'set') members = text.keys;
  } else if (input instanceof Uint8Array) {
    const text = readKeyBytes(input, option);
    if (text?.kind === 'set') members = text.keys;
  }
  if (members === undefined) return [{ input, option }];
  if (members.length === 0) throw configurationError(`${option} is an empty JWK set`);
  return members.map((member, i) => ({ input: member, option: `${option}.keys[${i}]` }));
}

function importKey(entry: Entry, signerAlgorithm: Algorithm | undefined): TokenSigningKey {
  if (isRemoteSigningKey(entry.input)) {
    return importRemoteSigningKey(entry.input, signerAlgorithm, entry.option);
  }
  return localTokenKey(
    importSigningKey(entry.input as PrivateKeyInput | SignerKey, signerAlgorithm, entry.option),
  );
}

const isSecret = (key: TokenSigningKey) => key.publicJwk === undefined;
const kindOf = (key: TokenSigningKey) => (isSecret(key) ? 'a shared secret (oct)' : 'a key pair');

/**
 * Reads the `keys` option: JWK sets expanded, every key imported and bound to one algorithm,
 * `kid`s unique, and one kind of key only. Shared secrets and key pairs never mix in one
 * signer: a verifier trusts an issuer through a secret or through public keys, never both, so
 * a mixed ring could not be served by one verifier configuration across a rotation.
 *
 * @throws ServiceJwtError `configuration_error` naming the key (`keys[1]`, `keys.keys[0]`).
 */
export function readSignerKeys(
  keys: unknown,
  signerAlgorithm: Algorithm | undefined,
): TokenSigningKey[] {
  if (keys === undefined || keys === null) {
    throw configurationError(
      'keys is required: a private key (JWK, PEM, KeyObject), a JWK set, a remote key, or an array of them',
    );
  }
  const entries = Array.isArray(keys)
    ? keys.flatMap((input, i) => expand(input, `keys[${i}]`))
    : expand(keys, 'keys');
  if (entries.length === 0) throw configurationError('keys must hold at least one private key');
  const loaded = entries.map((entry) => importKey(entry, signerAlgorithm));
  const first = loaded[0] as TokenSigningKey;
  const other = loaded.findIndex((key) => isSecret(key) !== isSecret(first));
  if (other !== -1) {
    throw configurationError(
      `${entries[other]?.option} is ${kindOf(loaded[other] as TokenSigningKey)} but ${entries[0]?.option} is ${kindOf(first)}: a signer signs with shared secrets or with key pairs, never both`,
    );
  }
  const kids = new Set<string>();
  for (const [i, key] of loaded.entries()) {
    if (kids.has(key.kid)) {
      throw configurationError(`${entries[i]?.option} repeats kid "${key.kid}"`);
    }
    kids.add(key.kid);
  }
  return loaded;
}

/**
 * Reads `rotate`'s next key: exactly one key, of the same kind (secret or key pair) as the
 * signer's keys.
 *
 * @throws ServiceJwtError `configuration_error` naming `nextKey`.
 */
export function readNextKey(
  nextKey: unknown,
  signerAlgorithm: Algorithm | undefined,
  current: TokenSigningKey,
): TokenSigningKey {
  const entries = expand(nextKey, 'nextKey');
  if (entries.length !== 1) throw configurationError('nextKey must be one key, not a JWK set');
  const next = importKey(entries[0] as Entry, signerAlgorithm);
  if (isSecret(next) !== isSecret(current)) {
    throw configurationError(
      `nextKey is ${kindOf(next)} but the signer signs with ${isSecret(current) ? 'shared secrets' : 'key pairs'}: a signer signs with shared secrets or with key pairs, never both`,
    );
  }
  return next;
}
