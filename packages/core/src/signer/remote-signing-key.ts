import { createPublicKey, type JsonWebKey, KeyObject } from 'node:crypto';
import { configurationError, signerUnavailable } from '../errors/refusals.js';
import { isServiceJwtError } from '../errors/service-jwt-error.js';
import { ALGORITHMS, type Algorithm, ASYMMETRIC_ALGORITHMS } from '../jws/algorithms.js';
import { verifySignature } from '../jws/signature.js';
import type { JsonWebKeyInput, KeyInput } from '../keys/key-input.js';
import { checkRsaPublicKey } from '../keys/rsa-checks.js';
import { TIMED_OUT, withDeadline } from './deadline.js';
import { ecdsaDerToJose } from './ecdsa-der.js';
import { chooseAlgorithm, describeKeyType } from './key-algorithms.js';
import type { KeyPairAlgorithm } from './key-pairs.js';
import { type KeyText, readKeyBytes, readKeyString } from './key-text.js';
import { computeJwkThumbprint, toPublicJwk } from './signing-keys.js';
import { protectedHeader, type TokenSigningKey } from './token-signing-key.js';

/** What {@link RemoteSigningKey.sign} is given besides the bytes to sign. */
export interface RemoteSignContext {
  /** Aborted when the deadline (`timeout`) passes: hand it to the HTTP or SDK call. */
  readonly signal: AbortSignal;
}

/**
 * A signing key whose private half never enters this process: a cloud KMS key, an HSM, a
 * signing sidecar. The signer builds each JWS itself and asks `sign` for the signature only.
 *
 * Every signature is checked against `publicKey` before a token leaves the signer, so a KMS
 * key that does not match its configured public key or algorithm fails with
 * `configuration_error` instead of minting tokens that no verifier accepts. `jwks()` publishes
 * `publicKey`; rotation and the token cache treat the key like a local one.
 *
 * @example
 * ```ts
 * const kmsKey: RemoteSigningKey = {
 *   algorithm: 'ES256',
 *   publicKey: spkiDerBytes, // e.g. AWS KMS GetPublicKey's PublicKey
 *   sign: async (signingInput, { signal }) => kmsSign(signingInput, signal), // DER is fine
 * };
 * const signer = createSigner({ issuer: 'https://orders.internal', keys: kmsKey });
 * ```
 */
export interface RemoteSigningKey {
  /**
   * Signs `signingInput`, the exact JWS signing input (the ASCII bytes of
   * `BASE64URL(header) "." BASE64URL(payload)`, RFC 7515 §5.1): the remote side hashes it
   * under `algorithm` (AWS KMS `MessageType: "RAW"`), or you hash it first for an API that
   * takes a digest (Google Cloud KMS). Resolves to the signature: for ES256/384/512 DER (what
   * KMS return) or raw `r‖s`; for RS*, PS* and EdDSA the signature bytes as they are.
   * Rejecting, or missing the deadline, is `signer_unavailable` (503).
   */
  sign(signingInput: Uint8Array, context: RemoteSignContext): Promise<Uint8Array>;
  /**
   * The public half: a JWK (object, or JSON text), PEM (SPKI), DER SubjectPublicKeyInfo bytes
   * (what AWS KMS GetPublicKey returns), or a public `KeyObject`.
   */
  readonly publicKey: KeyInput | JsonWebKey;
  /** The one algorithm the remote key signs with; must fit `publicKey`. */
  readonly algorithm: KeyPairAlgorithm;
  /** @default the public JWK's `kid`, else its RFC 7638 thumbprint */
  readonly kid?: string;
  /** Deadline of one `sign` call, milliseconds. @default 2000 */
  readonly timeout?: number;
}

/** Default {@link RemoteSigningKey.timeout}, milliseconds. */
export const DEFAULT_REMOTE_SIGN_TIMEOUT = 2000;
const MAX_TIMEOUT = 2 ** 31 - 1;

/** `true` for an object shaped like a {@link RemoteSigningKey} (it has a `sign` function). */
export function isRemoteSigningKey(input: unknown): input is RemoteSigningKey {
  return (
    typeof input === 'object' &&
    input !== null &&
    !(input instanceof KeyObject) &&
    !(input instanceof Uint8Array) &&
    typeof (input as { sign?: unknown }).sign === 'function'
  );
}

function keyText(input: unknown, option: string): KeyText | undefined {
  if (typeof input === 'string') return readKeyString(input, option);
  if (input instanceof Uint8Array) return readKeyBytes(input, option);
  return undefined;
}

/** The public half of a remote key as a KeyObject, and the JWK it came from (for `alg`, `kid`). */
function readPublicKey(
  input: unknown,
  option: string,
): { key: KeyObject; jwk: JsonWebKeyInput | undefined } {
  const text = keyText(input, option);
  if (text?.kind === 'set') throw configurationError(`${option} must be one public key, not a set`);
  const jwk =
    text?.kind === 'jwk'
      ? text.jwk
      : typeof input === 'object' && input !== null && 'kty' in input
        ? (input as JsonWebKeyInput)
        : undefined;
  if (jwk !== undefined && (jwk.d !== undefined || jwk.kty === 'oct')) {
    throw configurationError(
      `${option} holds private key material; a remote key's private half stays in the KMS, HSM or sidecar`,
    );
  }
  if (jwk?.use !== undefined && jwk.use !== 'sig') {
    throw configurationError(`${option}.use must be "sig"`);
  }
  let key: KeyObject;
  try {
    if (input instanceof KeyObject) key = input;
    else if (jwk !== undefined) key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    else if (text?.kind === 'pem') key = createPublicKey(text.pem);
    else if (input instanceof Uint8Array) {
      key = createPublicKey({ key: Buffer.from(input), format: 'der', type: 'spki' });
    } else {
      throw configurationError(
        `${option} must be a public JWK, a PEM public key, DER SubjectPublicKeyInfo bytes or a public KeyObject`,
      );
    }
  } catch (err) {
    if (isServiceJwtError(err)) throw err;
    throw configurationError(`${option} could not be read as a public key`, err);
  }
  if (key.type !== 'public') {
    throw configurationError(
      `${option} must be the public key; a remote key's private half stays in the KMS, HSM or sidecar`,
    );
  }
  if (key.asymmetricKeyType === 'rsa') checkRsaPublicKey(key, option);
  return { key, jwk };
}

/**
 * Calls `sign` with an abort signal and a deadline. A late answer is dropped; a failure that
 * is not already a `ServiceJwtError` becomes `signer_unavailable` with the failure as `cause`.
 */
async function callWithDeadline(
  remote: RemoteSigningKey,
  signingInput: Uint8Array,
  timeout: number,
  name: string,
): Promise<unknown> {
  let answer: unknown;
  try {
    answer = await withDeadline((signal) => remote.sign(signingInput, { signal }), timeout);
  } catch (err) {
    if (isServiceJwtError(err)) throw err;
    throw signerUnavailable(`${name} failed`, { cause: err });
  }
  if (answer === TIMED_OUT) {
    throw signerUnavailable(`${name} did not answer within ${timeout} ms`);
  }
  return answer;
}

/** The JOSE forms `returned` may stand for: DER converted, and r‖s as is, for ECDSA. */
function signatureForms(algorithm: Algorithm, returned: Uint8Array): Buffer[] {
  const spec = ALGORITHMS[algorithm] as { readonly family: string; readonly size?: number };
  if (spec.family !== 'EC' || spec.size === undefined) return [Buffer.from(returned)];
  const forms: Buffer[] = [];
  const fromDer = ecdsaDerToJose(returned, spec.size / 2);
  if (fromDer !== undefined) forms.push(fromDer);
  if (returned.length === spec.size) forms.push(Buffer.from(returned));
  return forms;
}

/**
 * Validates a {@link RemoteSigningKey} and wraps it as a key the signer mints with.
 *
 * @param option the option name quoted in error messages (`keys[1]`, `nextKey`).
 * @throws ServiceJwtError `configuration_error` naming the member: no `sign` function, an
 * unreadable or private `publicKey`, an algorithm that is not asymmetric or does not fit the
 * key (or disagrees with the signer's `algorithm` or the JWK's `alg`), a bad `kid` or `timeout`.
 */
export function importRemoteSigningKey(
  remote: RemoteSigningKey,
  signerAlgorithm: Algorithm | undefined,
  option: string,
): TokenSigningKey {
  if (typeof remote.sign !== 'function') {
    throw configurationError(`${option}.sign must be a function`);
  }
  if (remote.publicKey === undefined) {
    throw configurationError(
      `${option}.publicKey is required: the remote key's public half (JWK, PEM or DER SPKI)`,
    );
  }
  if (!(ASYMMETRIC_ALGORITHMS as readonly unknown[]).includes(remote.algorithm)) {
    throw configurationError(
      `${option}.algorithm is required: the asymmetric algorithm the remote key signs with (${ASYMMETRIC_ALGORITHMS.join(', ')})`,
    );
  }
  const timeout = remote.timeout ?? DEFAULT_REMOTE_SIGN_TIMEOUT;
  // Above 2^31 - 1 ms, setTimeout fires at once: such a deadline would be no deadline at all.
  if (!Number.isSafeInteger(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT) {
    throw configurationError(
      `${option}.timeout must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT}`,
    );
  }
  if (remote.kid !== undefined && (typeof remote.kid !== 'string' || remote.kid === '')) {
    throw configurationError(`${option}.kid must be a non-empty string`);
  }
  const { key: publicKey, jwk } = readPublicKey(remote.publicKey, `${option}.publicKey`);
  const algorithm = chooseAlgorithm(publicKey, `${option}.publicKey`, {
    own: { value: remote.algorithm, option: `${option}.algorithm` },
    jwkAlg: jwk?.alg,
  });
  // A remote key's algorithm is fixed by the KMS key, not a choice made here: a signer-wide
  // algorithm that differs is a contradiction, not a default to override.
  if (signerAlgorithm !== undefined && signerAlgorithm !== algorithm) {
    throw configurationError(
      `algorithm ${signerAlgorithm} disagrees with ${option}.algorithm ${algorithm} (key type ${describeKeyType(publicKey)})`,
    );
  }
  const kid =
    remote.kid ??
    (typeof jwk?.kid === 'string' && jwk.kid !== '' ? jwk.kid : undefined) ??
    computeJwkThumbprint(publicKey.export({ format: 'jwk' }) as JsonWebKeyInput);
  const name = `${option} (remote key "${kid}")`;
  const encodeHeader = (typ?: string) =>
    Buffer.from(JSON.stringify(protectedHeader({ algorithm, kid }, typ))).toString('base64url');
  const header = encodeHeader();

  return {
    algorithm,
    kid,
    publicJwk: toPublicJwk(publicKey, algorithm, kid),
    async signCompact(payload, typ) {
      const encoded = typ === undefined ? header : encodeHeader(typ);
      const signingInput = `${encoded}.${Buffer.from(payload).toString('base64url')}`;
      const bytes = Buffer.from(signingInput, 'latin1');
      const returned = await callWithDeadline(remote, new Uint8Array(bytes), timeout, name);
      if (!(returned instanceof Uint8Array)) {
        throw configurationError(`${name}: sign must resolve to the signature bytes (Uint8Array)`);
      }
      // Checked on every signature, not once: an alias or key version re-pointed later in the
      // KMS would otherwise mint tokens nobody accepts. It costs microseconds next to the call.
      const signature = signatureForms(algorithm, returned).find((form) =>
        verifySignature(algorithm, publicKey, bytes, form),
      );
      if (signature === undefined) {
        throw configurationError(
          `${name}: the ${returned.length}-byte signature it returned does not verify with its publicKey under ${algorithm}; the remote key, publicKey and algorithm must belong together`,
        );
      }
      return `${signingInput}.${signature.toString('base64url')}`;
    },
  };
}
