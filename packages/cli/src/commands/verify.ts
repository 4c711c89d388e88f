import {
  type Algorithm,
  createVerifier,
  isServiceJwtError,
  type ServiceJwtVerifier,
  type VerifiedServiceJwt,
} from '@service-jwt/core';
import { type Command, printJson, stringList, stringValue } from '../command.js';
import { CliError, EXIT, usageError } from '../exit-codes.js';
import { toFlags, VERIFY_FLAGS } from '../flag-names.js';
import { checkOneStdin, readToken } from '../inputs.js';
import { type Expectations, refusal } from '../refusal.js';
import { peekClaims } from '../token-parts.js';
import { checkRequestFlags, type RequestFlags, requestFor } from '../verify-binding.js';
import { jwksKeys, secretKeys, type VerifyKeys } from '../verify-keys.js';

function failure(
  err: unknown,
  claims: Record<string, unknown> | undefined,
  expect: Expectations,
): never {
  if (!isServiceJwtError(err)) throw err;
  if (err.code === 'configuration_error') throw usageError(toFlags(err.message, VERIFY_FLAGS));
  if (err.code === 'keys_unavailable') {
    throw new CliError(EXIT.unavailable, `keys unavailable: ${err.message}`);
  }
  throw refusal(err, claims, expect);
}

/** `--json` success: what the verifier established, without the token (it holds the signature). */
const verifiedJson = (verified: VerifiedServiceJwt) => ({
  ok: true,
  issuer: verified.issuer,
  subject: verified.subject ?? null,
  header: verified.header,
  claims: verified.claims,
});

export const verify: Command = {
  name: 'verify',
  summary: 'verify a token against a JWK set or a shared secret',
  help: `Usage: service-jwt verify TOKEN|- (--jwks URL|FILE|- | --secret FILE|-) --iss ISSUER --aud AUDIENCE [options]

Verifies the token exactly as a protected route would (signature, iss, aud, exp/nbf/iat,
source claim, and its request binding) and prints its claims as JSON. A refused token
prints "refused: CODE" on standard error and exits with 1; for issuer_not_trusted and
audience_mismatch the line shows the token's value beside the expected one. "-" reads the
token, the key set, the secret or the body from standard input (one of them).

A token bound to a request (htm, htu, bdy) is checked against one: without --method and
--url (and --body for a bdy that is not the empty body's) verify refuses to run.

Options:
  --jwks URL|FILE   the issuer's key set: an https URL, or a JSON file (set or single JWK)
  --secret FILE     the issuer's shared secret, as the oct JWK keygen --alg HS256 writes
  --iss ISSUER      the trusted issuer
  --aud AUDIENCE    the expected audience; repeat to accept several
  --allow-http      accept an http: JWKS URL (local testing only)
  --alg ALG         accepted algorithm; repeatable (default: every asymmetric one, or the
                    secret's alg)
  --source VALUE    required source claim value (default microservice)
  --no-source       do not require the source claim (user tokens)
  --method METHOD   check the token's request binding against this method...
  --url TARGET      ...and this path and query
  --body FILE|-     ...and this body (bdy); default: the empty body
  --json            print {"ok":true,"issuer","subject","header","claims"} on standard
                    output; errors as {"ok":false,"code","message",...}
  -h, --help        this help`,
  options: {
    jwks: { type: 'string' },
    secret: { type: 'string' },
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
  json: true,
  async run(values, positionals, io) {
    const jwks = stringValue(values, 'jwks');
    const secret = stringValue(values, 'secret');
    const issuer = stringValue(values, 'iss');
    const audiences = stringList(values, 'aud');
    if (jwks !== undefined && secret !== undefined) {
      throw usageError('--jwks and --secret exclude each other');
    }
    if (jwks === undefined && secret === undefined)
      throw usageError('--jwks or --secret is required');
    if (issuer === undefined) throw usageError('--iss is required');
    if (audiences.length === 0) throw usageError('--aud is required');
    if (values['no-source'] && values.source !== undefined) {
      throw usageError('--source and --no-source exclude each other');
    }
    const flags: RequestFlags = {
      method: stringValue(values, 'method'),
      url: stringValue(values, 'url'),
      body: stringValue(values, 'body'),
    };
    checkOneStdin({
      TOKEN: positionals[0],
      '--jwks': jwks,
      '--secret': secret,
      '--body': flags.body,
    });
    const token = await readToken(io, positionals[0]);
    // Read without trust, only to explain: which request the token is bound to, and the
    // actual iss/aud of a refusal. The verifier decides on its own parse.
    const claims = peekClaims(token);
    checkRequestFlags(claims, flags);
    const algorithms = stringList(values, 'alg') as Algorithm[];
    const keys: VerifyKeys =
      secret !== undefined
        ? await secretKeys(io, secret, algorithms)
        : await jwksKeys(io, jwks as string, values['allow-http'] === true);
    const allowed = keys.algorithms ?? algorithms;
    const sourceValue = stringValue(values, 'source');
    const expect: Expectations = { issuer, audiences };
    let verifier: ServiceJwtVerifier | undefined;
    try {
      verifier = createVerifier({
        issuers: { [issuer]: keys.keys },
        audience: audiences.length === 1 ? (audiences[0] as string) : audiences,
        ...(allowed.length > 0 ? { algorithms: allowed } : {}),
        ...(values['no-source']
          ? { source: false }
          : sourceValue !== undefined
            ? { source: { value: sourceValue } }
            : {}),
        now: () => io.now(),
      });
      const request = await requestFor(io, token, claims, flags);
      const verified = request ? await verifier.verify(request) : await verifier.verifyToken(token);
      if (values.json) printJson(io, verifiedJson(verified));
      else io.stdout(`${JSON.stringify(verified.claims, null, 2)}\n`);
      return EXIT.ok;
    } catch (err) {
      return failure(err, claims, expect);
    } finally {
      await verifier?.close();
    }
  },
};
