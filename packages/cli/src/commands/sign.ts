import {
  type Algorithm,
  createSigner,
  isServiceJwtError,
  type ServiceJwtSigner,
} from '@service-jwt/core';
import { type Command, stringList, stringValue } from '../command.js';
import { EXIT, inputError, usageError } from '../exit-codes.js';
import { signFlags, toFlags } from '../flag-names.js';
import { checkOneStdin, readInput, readKeyFile } from '../inputs.js';
import { parseClaim, parseDuration } from '../values.js';

export const sign: Command = {
  name: 'sign',
  summary: 'mint a token (optionally bound to one request)',
  help: `Usage: service-jwt sign --key FILE --iss ISSUER --aud AUDIENCE [options]

Prints a signed token. With --method and --url (and --body) the token is bound to that
request: bdy (SHA-256 of the body file's exact bytes, or of the empty body), htm, htu and a
one-time jti, 60 s by default. "-" as --key or --body reads standard input (one of them).

Options:
  --key FILE|-      private key (JWK, PEM, or an HS secret JWK from keygen)
  --iss ISSUER      issuer (iss)
  --aud AUDIENCE    audience (aud); repeat for several
  --sub SUBJECT     subject (sub)
  --lifetime DUR    lifetime: 90s, 5m (default), 2h, 7d, 100y
  --claim NAME=VAL  extra claim, VAL parsed as JSON when it is JSON; repeatable
  --jti ID          token id (default: 128 random bits)
  --source VALUE    service-source claim value (default microservice)
  --no-source       no source claim (user tokens)
  --method METHOD   bind to this HTTP method
  --url TARGET      bind to this path and query (/orders?id=1) or absolute URL
  --body FILE|-     bind to this file's exact bytes (default: empty body)
  --alg ALG         algorithm for a key that does not carry one (PEM), e.g. PS256
  --kid KID         key id (default: the JWK's kid, else the RFC 7638 thumbprint)
  -h, --help        this help`,
  options: {
    key: { type: 'string' },
    iss: { type: 'string' },
    aud: { type: 'string', multiple: true },
    sub: { type: 'string' },
    lifetime: { type: 'string' },
    claim: { type: 'string', multiple: true },
    jti: { type: 'string' },
    source: { type: 'string' },
    'no-source': { type: 'boolean' },
    method: { type: 'string' },
    url: { type: 'string' },
    body: { type: 'string' },
    alg: { type: 'string' },
    kid: { type: 'string' },
  },
  positionals: 0,
  async run(values, _positionals, io) {
    const keyFile = stringValue(values, 'key');
    const issuer = stringValue(values, 'iss');
    const audiences = stringList(values, 'aud');
    if (keyFile === undefined) throw usageError('--key is required');
    if (issuer === undefined) throw usageError('--iss is required');
    if (audiences.length === 0) throw usageError('--aud is required');
    const audience = audiences.length === 1 ? (audiences[0] as string) : audiences;
    if (values['no-source'] && values.source !== undefined) {
      throw usageError('--source and --no-source exclude each other');
    }
    const lifetimeText = stringValue(values, 'lifetime');
    const lifetime =
      lifetimeText === undefined ? undefined : parseDuration(lifetimeText, '--lifetime');
    const claims = Object.fromEntries(stringList(values, 'claim').map(parseClaim));
    const method = stringValue(values, 'method');
    const url = stringValue(values, 'url');
    const bodyFile = stringValue(values, 'body');
    const bound = method !== undefined || url !== undefined || bodyFile !== undefined;
    if (bound && (method === undefined || url === undefined)) {
      throw usageError('a request-bound token needs both --method and --url');
    }
    if (bound && (Object.keys(claims).length > 0 || values.jti !== undefined)) {
      throw usageError('--claim and --jti do not apply to request-bound tokens');
    }

    checkOneStdin({ '--key': keyFile, '--body': bodyFile });
    const flags = signFlags(keyFile);
    const key = await readKeyFile(io, keyFile, stringValue(values, 'kid'));
    let signer: ServiceJwtSigner;
    try {
      signer = createSigner({
        issuer,
        keys: key,
        algorithm: stringValue(values, 'alg') as Algorithm | undefined,
        source: values['no-source'] ? false : stringValue(values, 'source'),
        lifetime,
        now: () => io.now(),
      });
    } catch (err) {
      if (!isServiceJwtError(err)) throw err;
      // A key that cannot sign is an input error (exit 3); any other option a usage error.
      const keyFault = /^keys?\b/.test(err.message);
      throw (keyFault ? inputError : usageError)(toFlags(err.message, flags));
    }
    try {
      const token = bound
        ? await signer.signRequest({
            method: method as string,
            url: url as string,
            body: bodyFile === undefined ? undefined : await readInput(io, bodyFile, 'body file'),
            audience,
            subject: stringValue(values, 'sub'),
            lifetime,
          })
        : await signer.sign(claims, {
            audience,
            subject: stringValue(values, 'sub'),
            jti: stringValue(values, 'jti'),
          });
      io.stdout(`${token}\n`);
      return EXIT.ok;
    } catch (err) {
      if (isServiceJwtError(err)) throw usageError(toFlags(err.message, flags));
      throw err;
    }
  },
};
