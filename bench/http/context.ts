// Shared material of one benchmark run: keys, tokens and bodies, written once by the
// orchestrator and read by every server and load-generator process.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

export const ISSUER = 'https://m1.bench.internal/';
export const AUDIENCE = 'https://m2.bench.internal/';
export const KID = 'bench-rs256-1';
export const FRESH_PATH = '/orders';
/**
 * Seconds from a pool signature's `created` to its `expires`. A group with baselines, or a slow
 * host, runs longer than five minutes after the pool is signed, so a shorter window would let
 * the last runs meet only expired signatures; the server case accepts this lifetime (`maxAge`).
 */
export const SIGNATURE_LIFETIME = 3600;
export const BIG_PATH = '/upload';
export const STATIC_PATH = '/hello';

export interface BenchContext {
  readonly issuer: string;
  readonly audience: string;
  readonly kid: string;
  readonly publicPem: string;
  readonly privatePem: string;
  readonly publicJwk: Record<string, unknown>;
  /** Loopback JWKS URL (plain http) serving {@link publicJwk}. */
  readonly jwksUrl: string;
  /** Long-lived static identity token (no request binding). */
  readonly staticToken: string;
  /** Static token bound to `POST /upload` with {@link body64k}'s `bdy`. */
  readonly bigToken: string;
  readonly body1k: string;
  readonly body64k: string;
  readonly body1kDigest: string;
  readonly body64kDigest: string;
  /** RFC 9530 `Content-Digest` of {@link body1k} (httpSignature case). */
  readonly body1kContentDigest: string;
  /** File of pre-minted request-bound tokens, one per line (empty until minted). */
  readonly poolFile: string;
}

export function digest(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}

function jsonBody(bytes: number): string {
  const items: { id: number; sku: string; qty: number; note: string }[] = [];
  let body = '';
  for (let i = 0; ; i++) {
    items.push({ id: i, sku: `SKU-${100000 + i}`, qty: (i % 7) + 1, note: 'bench item' });
    const next = JSON.stringify({ order: 'bench', items });
    if (next.length > bytes) break;
    body = next;
  }
  // Pad to the exact size inside a string member so it stays valid JSON.
  const parsed = JSON.parse(body) as Record<string, unknown>;
  const base = JSON.stringify({ ...parsed, pad: '' });
  return JSON.stringify({ ...parsed, pad: 'x'.repeat(Math.max(0, bytes - base.length)) });
}

/** Signs a compact RS256 JWS over `payload` with node:crypto (minting only, never measured). */
export function mintRs256(
  privatePem: string | ReturnType<typeof createPrivateKey>,
  kid: string,
  payload: object,
): string {
  const head = Buffer.from(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const input = `${head}.${body}`;
  const key = typeof privatePem === 'string' ? createPrivateKey(privatePem) : privatePem;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

export function createContext(jwksUrl: string, poolFile: string): BenchContext {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKey = createPublicKey(privateKey);
  const nowS = Math.floor(Date.now() / 1000);
  const body1k = jsonBody(1024);
  const body64k = jsonBody(64 * 1024);
  const common = { iss: ISSUER, aud: AUDIENCE, sub: 'svc-m1', source: 'microservice', iat: nowS };
  return {
    issuer: ISSUER,
    audience: AUDIENCE,
    kid: KID,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' },
    jwksUrl,
    staticToken: mintRs256(privateKey, KID, {
      ...common,
      exp: nowS + 24 * 3600,
      jti: randomBytes(12).toString('base64url'),
    }),
    bigToken: mintRs256(privateKey, KID, {
      ...common,
      exp: nowS + 24 * 3600,
      jti: randomBytes(12).toString('base64url'),
      htm: 'POST',
      htu: BIG_PATH,
      bdy: digest(body64k),
    }),
    body1k,
    body64k,
    body1kDigest: digest(body1k),
    body64kDigest: digest(body64k),
    body1kContentDigest: `sha-256=:${createHash('sha256').update(body1k).digest('base64')}:`,
    poolFile,
  };
}

export function writeContext(file: string, context: BenchContext): void {
  writeFileSync(file, JSON.stringify(context));
}

export function readContext(file: string): BenchContext {
  return JSON.parse(readFileSync(file, 'utf8')) as BenchContext;
}
