import {
  exportPem,
  exportPrivateJwk,
  generateKeyPair,
  generateSecret,
  type KeyPairAlgorithm,
} from '@service-jwt/core';
import { type Command, stringValue } from '../command.js';
import { EXIT, inputError, usageError } from '../exit-codes.js';
import type { CliIo } from '../io.js';

const KEY_PAIR_ALGORITHMS: readonly KeyPairAlgorithm[] = [
  'EdDSA',
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'PS256',
];
// RFC 7518 §3.2: a secret at least as long as the hash.
const SECRET_BYTES = { HS256: 32, HS384: 48, HS512: 64 } as const;
type SecretAlgorithm = keyof typeof SECRET_BYTES;
const ALGORITHMS = [...KEY_PAIR_ALGORITHMS, ...Object.keys(SECRET_BYTES)];

const isSecretAlgorithm = (alg: string): alg is SecretAlgorithm => alg in SECRET_BYTES;

/** What keygen made: the private text to store, the public JWK to print with `--out`, a note. */
interface Generated {
  readonly privateText: string;
  readonly publicText: string;
  readonly note: string;
}

async function keyPair(
  alg: KeyPairAlgorithm,
  kid: string | undefined,
  format: string,
): Promise<Generated> {
  const pair = await generateKeyPair(alg, { kid });
  const key = { key: pair.privateKey, algorithm: pair.algorithm, kid: pair.kid };
  return {
    privateText:
      format === 'jwk'
        ? `${JSON.stringify(exportPrivateJwk(key), null, 2)}\n`
        : exportPem(pair.privateKey).privateKey,
    publicText: `${JSON.stringify(pair.publicJwk, null, 2)}\n`,
    note: `kid ${pair.kid}, alg ${pair.algorithm}${format === 'pem' ? ' (pass --alg and --kid to sign and jwks: PEM does not keep them)' : ''}`,
  };
}

function secret(alg: SecretAlgorithm, kid: string | undefined): Generated {
  // An oct JWK: `sign --key` and core's createSigner take it as is, `verify --secret` too, and
  // `k` is base64url, so nobody mistakes it for the raw text of the secret.
  const jwk = exportPrivateJwk({ key: generateSecret(SECRET_BYTES[alg]), algorithm: alg, kid });
  return {
    privateText: `${JSON.stringify(jwk, null, 2)}\n`,
    publicText: '',
    note:
      `kid ${String(jwk.kid)}, alg ${alg}: this is a SECRET shared by the signer and the ` +
      'verifier; keep it like a password and never publish it (verify with --secret FILE)',
  };
}

async function writeKey(io: CliIo, out: string, text: string, force: boolean): Promise<void> {
  try {
    await io.writeFile(out, text, { mode: 0o600, overwrite: force });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EEXIST') throw usageError(`${out} exists; pass --force to overwrite it`);
    throw inputError(`cannot write ${out} (${code ?? 'error'})`);
  }
}

export const keygen: Command = {
  name: 'keygen',
  summary: 'generate a signing key pair or an HS secret',
  help: `Usage: service-jwt keygen --alg ALG [--kid KID] [--format jwk|pem] [--out FILE [--force]]

Generates a private signing key and prints it (JWK with kid, alg and use, or PKCS#8 PEM).
With --out the private key is written to FILE (mode 0600) and the public JWK is printed
instead. An existing FILE is refused unless --force is given.

HS256, HS384 and HS512 make a random shared secret (32, 48 or 64 bytes) as an oct JWK
(k is base64url): sign --key takes it, verify --secret takes it. It is a SECRET: it is
never published, and with --out nothing is printed.

Options:
  --alg ALG        ${ALGORITHMS.join(', ')} (RSA keys are 2048 bits)
  --kid KID        key id (default: the RFC 7638 thumbprint)
  --format FORMAT  jwk (default) or pem (key pairs only); PEM keeps neither kid nor alg
  --out FILE       write the private key to FILE instead of standard output
  --force          overwrite FILE if it exists (it is left with mode 0600)
  -h, --help       this help`,
  options: {
    alg: { type: 'string' },
    kid: { type: 'string' },
    format: { type: 'string', default: 'jwk' },
    out: { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: 0,
  async run(values, _positionals, io) {
    const alg = stringValue(values, 'alg');
    if (alg === undefined) throw usageError('--alg is required');
    if (!ALGORITHMS.includes(alg))
      throw usageError(`--alg must be one of ${ALGORITHMS.join(', ')}`);
    const format = stringValue(values, 'format');
    if (format !== 'jwk' && format !== 'pem') throw usageError('--format must be jwk or pem');
    if (format === 'pem' && isSecretAlgorithm(alg)) {
      throw usageError(`--format pem is for key pairs; an ${alg} secret is printed as a JWK`);
    }
    const out = stringValue(values, 'out');
    if (values.force && out === undefined) throw usageError('--force applies to --out FILE');
    const kid = stringValue(values, 'kid');
    const generated = isSecretAlgorithm(alg)
      ? secret(alg, kid)
      : await keyPair(alg as KeyPairAlgorithm, kid, format);
    if (out !== undefined) {
      await writeKey(io, out, generated.privateText, values.force === true);
      if (generated.publicText !== '') io.stdout(generated.publicText);
    } else {
      io.stdout(generated.privateText);
    }
    io.stderr(`${generated.note}\n`);
    return EXIT.ok;
  },
};
