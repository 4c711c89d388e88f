import { type Algorithm, createSigner, isServiceJwtError } from '@service-jwt/core';
import { type Command, stringList, stringValue } from '../command.js';
import { EXIT, inputError, usageError } from '../exit-codes.js';
import { jwksFlags, toFlags } from '../flag-names.js';
import { checkOneStdin, readKeyFile } from '../inputs.js';

export const jwks: Command = {
  name: 'jwks',
  summary: 'print the public key set of private keys',
  help: `Usage: service-jwt jwks --key FILE [--key FILE]... [--alg ALG] [--kid KID]

Prints the JWK set to publish for the given private keys (JWK or PEM files): public members
only, with kid, alg and use. HS* secrets are never published (an empty set). "-" as one
--key reads it from standard input.

Options:
  --key FILE|- a private key file; repeat for several keys (the first is the signing key)
  --alg ALG    algorithm for keys that do not carry one (PEM), e.g. PS256
  --kid KID    key id for a single PEM key (default: the RFC 7638 thumbprint)
  -h, --help   this help`,
  options: {
    key: { type: 'string', multiple: true },
    alg: { type: 'string' },
    kid: { type: 'string' },
  },
  positionals: 0,
  async run(values, _positionals, io) {
    const files = stringList(values, 'key');
    if (files.length === 0) throw usageError('--key is required');
    const kid = stringValue(values, 'kid');
    if (kid !== undefined && files.length > 1) throw usageError('--kid applies to a single --key');
    const alg = stringValue(values, 'alg') as Algorithm | undefined;
    checkOneStdin({ '--key': files });
    const keys = await Promise.all(files.map((file) => readKeyFile(io, file, kid)));
    try {
      const set = createSigner({ issuer: 'urn:service-jwt:cli', keys, algorithm: alg }).jwks();
      io.stdout(`${JSON.stringify(set, null, 2)}\n`);
      if (set.keys.length === 0) io.stderr('HS* secrets are never published: the set is empty\n');
      return EXIT.ok;
    } catch (err) {
      if (isServiceJwtError(err)) throw inputError(toFlags(err.message, jwksFlags(files)));
      throw err;
    }
  },
};
