import {
  exportPem,
  exportPrivateJwk,
  generateKeyPair,
  type KeyPairAlgorithm,
} from '@service-jwt/core';
import { type Command, stringValue } from '../command.js';
import { EXIT, usageError } from '../exit-codes.js';

const ALGORITHMS: readonly KeyPairAlgorithm[] = [
  'EdDSA',
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'PS256',
];

export const keygen: Command = {
  name: 'keygen',
  summary: 'generate a signing key pair',
  help: `Usage: service-jwt keygen --alg ALG [--kid KID] [--format jwk|pem] [--out FILE]

Generates a private signing key and prints it (JWK with kid, alg and use, or PKCS#8 PEM).
With --out the private key is written to FILE (mode 0600, never overwritten) and the
public JWK is printed instead.

Options:
  --alg ALG        ${ALGORITHMS.join(', ')} (RSA keys are 2048 bits)
  --kid KID        key id (default: the RFC 7638 thumbprint)
  --format FORMAT  jwk (default) or pem; PEM keeps neither kid nor alg
  --out FILE       write the private key to FILE instead of standard output
  -h, --help       this help`,
  options: {
    alg: { type: 'string' },
    kid: { type: 'string' },
    format: { type: 'string', default: 'jwk' },
    out: { type: 'string' },
  },
  positionals: 0,
  async run(values, _positionals, io) {
    const alg = stringValue(values, 'alg');
    if (alg === undefined) throw usageError('--alg is required');
    if (!(ALGORITHMS as readonly string[]).includes(alg)) {
      throw usageError(`--alg must be one of ${ALGORITHMS.join(', ')}`);
    }
    const format = stringValue(values, 'format');
    if (format !== 'jwk' && format !== 'pem') throw usageError('--format must be jwk or pem');
    const kid = stringValue(values, 'kid');
    const pair = await generateKeyPair(alg as KeyPairAlgorithm, { kid });
    const key = { key: pair.privateKey, algorithm: pair.algorithm, kid: pair.kid };
    const privateText =
      format === 'jwk'
        ? `${JSON.stringify(exportPrivateJwk(key), null, 2)}\n`
        : exportPem(pair.privateKey).privateKey;
    const out = stringValue(values, 'out');
    if (out !== undefined) {
      try {
        await io.writeFile(out, privateText, 0o600);
      } catch (err) {
        throw usageError(`cannot write ${out} (${(err as { code?: string }).code ?? 'error'})`);
      }
      io.stdout(`${JSON.stringify(pair.publicJwk, null, 2)}\n`);
    } else {
      io.stdout(privateText);
    }
    io.stderr(
      `kid ${pair.kid}, alg ${pair.algorithm}${format === 'pem' ? ' (pass --alg and --kid to sign and jwks: PEM does not keep them)' : ''}\n`,
    );
    return EXIT.ok;
  },
};
