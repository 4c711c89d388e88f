import { type Command, stringValue } from '../command.js';
import { EXIT, inputError } from '../exit-codes.js';
import { humanDuration, readToken } from '../values.js';

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) throw inputError(`the ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw inputError(`the ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw inputError(`the ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function when(seconds: unknown, nowSeconds: number): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds))
    return `not a number (${JSON.stringify(seconds)})`;
  const date = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  const delta = seconds - nowSeconds;
  return `${date} (${delta >= 0 ? `in ${humanDuration(delta)}` : `${humanDuration(delta)} ago`})`;
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** The checks a service-jwt verifier would apply, explained for a decoded token. */
export function explainChecks(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  nowSeconds: number,
  sourceClaim: string,
): string[] {
  const lines: string[] = [];
  const add = (check: string, text: string) => lines.push(`  ${check.padEnd(11)} ${text}`);
  add('algorithm', `${show(header.alg)}: must be allowed for the issuer's key type (never "none")`);
  add(
    'key',
    header.kid === undefined
      ? 'no kid: the issuer must have a single key'
      : `kid ${show(header.kid)} selects the key in the issuer's set`,
  );
  if (header.crit !== undefined)
    add('crit', `${show(header.crit)}: unknown critical parameters are refused`);
  add(
    'issuer',
    claims.iss === undefined
      ? 'MISSING: refused (issuer_not_trusted)'
      : `${show(claims.iss)}: must be a configured trusted issuer`,
  );
  add(
    'audience',
    claims.aud === undefined
      ? 'none: refused unless the route opts out (audience: null)'
      : `${show(claims.aud)}: must contain the route's audience`,
  );
  if (claims.exp === undefined) add('expiry', 'no exp: refused by default (claim_missing)');
  else {
    const expired = typeof claims.exp === 'number' && claims.exp <= nowSeconds;
    add('expiry', `${when(claims.exp, nowSeconds)}${expired ? ' — EXPIRED (token_expired)' : ''}`);
  }
  if (claims.nbf !== undefined) {
    const early = typeof claims.nbf === 'number' && claims.nbf > nowSeconds;
    add('not before', `${when(claims.nbf, nowSeconds)}${early ? ' — NOT YET VALID' : ''}`);
  }
  if (claims.iat !== undefined) {
    const lifetime =
      typeof claims.iat === 'number' && typeof claims.exp === 'number'
        ? `; lifetime ${humanDuration(claims.exp - claims.iat)}`
        : '';
    add('issued', `${when(claims.iat, nowSeconds)}${lifetime}`);
  }
  const source = claims[sourceClaim];
  add(
    'source',
    source === undefined
      ? `no ${sourceClaim} claim: refused where the service-source check is on (default)`
      : `${sourceClaim}=${show(source)}: the default check accepts "microservice"`,
  );
  add(
    'subject',
    claims.sub === undefined ? 'none' : `${show(claims.sub)}: handed to the application`,
  );
  add(
    'body',
    claims.bdy === undefined
      ? 'no bdy: the body is not bound (refused where policy requires it)'
      : `bdy ${show(claims.bdy)}: SHA-256 (base64url) of the raw body must match`,
  );
  if (claims.htm !== undefined || claims.htu !== undefined) {
    add(
      'request',
      `${show(claims.htm ?? '?')} ${show(claims.htu ?? '?')}: the request's method and target must match`,
    );
  } else add('request', 'no htm/htu: not bound to a method and target');
  add(
    'replay',
    claims.jti === undefined
      ? 'no jti: refused where a replay store is configured'
      : `jti ${show(claims.jti)}: one-time use where a replay store is configured`,
  );
  return lines;
}

export const inspect: Command = {
  name: 'inspect',
  summary: 'decode a token WITHOUT verifying it and explain the checks',
  help: `Usage: service-jwt inspect TOKEN|- [--source-claim NAME]

Decodes the token WITHOUT verifying its signature and explains each check a service-jwt
verifier would apply: algorithm, key, issuer, audience, expiry (in human time), source
claim, body binding, request binding, replay. Nothing printed is trustworthy until
"service-jwt verify" accepts the token. "-" reads the token from standard input.

Options:
  --source-claim NAME   name of the service-source claim (default source)
  -h, --help            this help`,
  options: { 'source-claim': { type: 'string', default: 'source' } },
  positionals: 1,
  async run(values, positionals, io) {
    const token = await readToken(io, positionals[0]);
    const parts = token.split('.');
    if (parts.length !== 3) throw inputError('a compact JWT has three dot-separated parts');
    const header = decodeSegment(parts[0] as string, 'header');
    const claims = decodeSegment(parts[1] as string, 'payload');
    const nowSeconds = Math.floor(io.now() / 1000);
    const sourceClaim = stringValue(values, 'source-claim') ?? 'source';
    io.stdout(
      [
        'UNVERIFIED: decoded without checking the signature; do not trust these values.',
        `header: ${JSON.stringify(header)}`,
        `claims: ${JSON.stringify(claims, null, 2)}`,
        'checks a verifier would apply:',
        ...explainChecks(header, claims, nowSeconds, sourceClaim),
        '',
      ].join('\n'),
    );
    return EXIT.ok;
  },
};
