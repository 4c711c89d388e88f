import type { Algorithm, IssuerKeys, JsonWebKeySetInput } from '@service-jwt/core';
import { inputError, usageError } from './exit-codes.js';
import { inputName, readJson } from './inputs.js';
import type { CliIo } from './io.js';

/** The issuer entry `verify` builds from its flags, and the algorithms a secret implies. */
export interface VerifyKeys {
  readonly keys: IssuerKeys;
  /** For a secret: the verifier's allow-list (`--alg`, else the secret's `alg`, else HS256). */
  readonly algorithms?: readonly Algorithm[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

/** `--jwks URL|FILE|-`: a remote set, or a JSON file holding a set or one public JWK. */
export async function jwksKeys(io: CliIo, jwks: string, allowHttp: boolean): Promise<VerifyKeys> {
  if (/^https?:\/\//i.test(jwks)) return { keys: { jwksUri: jwks, allowInsecureHttp: allowHttp } };
  const parsed = await readJson(io, jwks, 'JWKS file');
  const keys = isObject(parsed) && Array.isArray(parsed.keys) ? parsed.keys : [parsed];
  if (!keys.every((key) => isObject(key) && 'kty' in key)) {
    throw inputError(`${inputName(jwks)} holds neither a JWK set nor a JWK`);
  }
  const members = keys as Record<string, unknown>[];
  if (members.some((key) => key.kty === 'oct')) {
    throw usageError(`${inputName(jwks)} holds a shared secret (oct JWK): pass it with --secret`);
  }
  if (members.some((key) => PRIVATE_MEMBERS.some((name) => name in key))) {
    throw inputError(
      `${inputName(jwks)} holds a private key; pass its public set (service-jwt jwks --key FILE)`,
    );
  }
  return { keys: { keys: { keys } as JsonWebKeySetInput } };
}

/** `--secret FILE|-`: the oct JWK `keygen --alg HS256` wrote. */
export async function secretKeys(
  io: CliIo,
  file: string,
  algorithms: readonly Algorithm[],
): Promise<VerifyKeys> {
  const jwk = await readJson(io, file, 'secret file');
  if (!isObject(jwk) || jwk.kty !== 'oct' || typeof jwk.k !== 'string' || jwk.k === '') {
    throw inputError(
      `${inputName(file)} is not a secret JWK ({"kty":"oct","k":…}, as keygen --alg HS256 writes)`,
    );
  }
  // `k` is base64url (RFC 7518 §6.4.1): the secret is its bytes, not its text.
  const secret = new Uint8Array(Buffer.from(jwk.k, 'base64url'));
  const declared = typeof jwk.alg === 'string' ? (jwk.alg as Algorithm) : 'HS256';
  return {
    keys: { secret },
    algorithms: algorithms.length > 0 ? algorithms : [declared],
  };
}
