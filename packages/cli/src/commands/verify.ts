import {
  type Algorithm,
  createVerifier,
  type IssuerKeys,
  isServiceJwtError,
  type JsonWebKeySetInput,
  type RequestLike,
  type ServiceJwtVerifier,
} from '@service-jwt/core';
import { type Command, stringList, stringValue } from '../command.js';
import { CliError, EXIT, inputError, usageError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { readInput, readToken } from '../values.js';

async function keySource(io: CliIo, jwks: string, allowHttp: boolean): Promise<IssuerKeys> {
  if (/^https?:\/\//i.test(jwks)) return { jwksUri: jwks, allowInsecureHttp: allowHttp };
  const text = Buffer.from(await readInput(io, jwks, 'JWKS file')).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw inputError(`${jwks} is not JSON`);
  }
  if (typeof parsed === 'object' && parsed !== null && 'keys' in parsed) {
    return { keys: parsed as JsonWebKeySetInput };
  }
  if (typeof parsed === 'object' && parsed !== null && 'kty' in parsed) {
    return { keys: [parsed as JsonWebKeySetInput['keys'][number]] };
  }
  throw inputError(`${jwks} holds neither a JWK set nor a JWK`);
}

function exitFor(err: unknown): never {
  if (!isServiceJwtError(err)) throw err;
  if (err.code === 'configuration_error') throw usageError(err.message);
  if (err.code === 'keys_unavailable') {
    throw new CliError(EXIT.unavailable, `keys unavailable: ${err.message}`);
  }
  throw new CliError(EXIT.refused, `refused: ${err.code} (${err.status}): ${err.message}`);
}

export const verify: Command = {
  name: 'verify',
  summary: 'verify a token against a JWK set',
  help: `Usage: service-jwt verify TOKEN|- --jwks URL|FILE --iss ISSUER --aud AUDIENCE [options]

Verifies the token exactly as a protected route would (signature, iss, aud, exp/nbf/iat,
source claim) and prints its claims as JSON. A refused token prints "refused: CODE" on
standard error and exits with 1. "-" reads the token from standard input.

Options:
  --jwks URL|FILE   the issuer's key set: an https URL, or a JSON file (set or single JWK)
  --iss ISSUER      the trusted issuer
  --aud AUDIENCE    the expected audience; repeat to accept several
  --allow-http      accept an http: JWKS URL (local testing only)
  --alg ALG         accepted algorithm; repeatable (default: every asymmetric one)
  --source VALUE    required source claim value (default microservice)
  --no-source       do not require the source claim (user tokens)
  --method METHOD   check the token's request binding against this method...
  --url TARGET      ...and this path and query
  --body FILE       ...and this body (bdy); default: empty body
  -h, --help        this help`,
  options: {
    jwks: { type: 'string' },
    iss: { type: 'string' },
    aud: { type: 'string', multiple: true },
    'allow-http': { type: 'boolean' },
    alg: { type: 'string', multiple: true },
    source: { type: 'string' },
    'no-source': { type: 'boolean' },
    method: { type: 'string' },
    url: { type: 'string' },
    body: { type: 'string' },
  },
  positionals: 1,
  async run(values, positionals, io) {
    const jwks = stringValue(values, 'jwks');
    const issuer = stringValue(values, 'iss');
    const audiences = stringList(values, 'aud');
    if (jwks === undefined) throw usageError('--jwks is required');
    if (issuer === undefined) throw usageError('--iss is required');
    if (audiences.length === 0) throw usageError('--aud is required');
    if (values['no-source'] && values.source !== undefined) {
      throw usageError('--source and --no-source exclude each other');
    }
    const method = stringValue(values, 'method');
    const url = stringValue(values, 'url');
    const bodyFile = stringValue(values, 'body');
    const bound = method !== undefined || url !== undefined || bodyFile !== undefined;
    if (bound && (method === undefined || url === undefined)) {
      throw usageError('checking a request binding needs both --method and --url');
    }
    const token = await readToken(io, positionals[0]);
    const keys = await keySource(io, jwks, values['allow-http'] === true);
    const algorithms = stringList(values, 'alg') as Algorithm[];
    const sourceValue = stringValue(values, 'source');
    let verifier: ServiceJwtVerifier | undefined;
    try {
      verifier = createVerifier({
        issuers: { [issuer]: keys },
        audience: audiences.length === 1 ? (audiences[0] as string) : audiences,
        ...(algorithms.length > 0 ? { algorithms } : {}),
        ...(values['no-source']
          ? { source: false }
          : sourceValue
            ? { source: { value: sourceValue } }
            : {}),
        now: () => io.now(),
      });
      let verified: Awaited<ReturnType<ServiceJwtVerifier['verifyToken']>>;
      if (bound) {
        const request: RequestLike = {
          method: method as string,
          url: url as string,
          headers: { authorization: `Bearer ${token}` },
          body:
            bodyFile === undefined ? new Uint8Array(0) : await readInput(io, bodyFile, 'body file'),
        };
        verified = await verifier.verify(request);
      } else {
        verified = await verifier.verifyToken(token);
      }
      io.stdout(`${JSON.stringify(verified.claims, null, 2)}\n`);
      return EXIT.ok;
    } catch (err) {
      return exitFor(err);
    } finally {
      await verifier?.close();
    }
  },
};
