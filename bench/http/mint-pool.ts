// Pre-mints the pool of fresh request-bound RS256 tokens (one per request) in worker threads,
// before any measured run, so minting never competes with the server or the load generator.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type BenchContext, FRESH_PATH, SIGNATURE_LIFETIME } from './context.js';

// Plain JavaScript evaluated in each worker (no TypeScript loader there); the same compact
// RS256 serialisation as context.ts's mintRs256.
const WORKER = `
const { createPrivateKey, sign } = require('node:crypto');
const { parentPort, workerData: job } = require('node:worker_threads');
const key = createPrivateKey(job.privatePem);
const head = Buffer.from(JSON.stringify({ alg: 'RS256', kid: job.kid, typ: 'JWT' })).toString('base64url');
const tokens = [];
for (let i = job.from; i < job.from + job.count; i++) {
  const claims = { ...job.claims, jti: job.runId + '-' + i.toString(36) };
  const input = head + '.' + Buffer.from(JSON.stringify(claims)).toString('base64url');
  tokens.push(input + '.' + sign('sha256', Buffer.from(input), key).toString('base64url'));
}
parentPort.postMessage(tokens.join('\\n'));
`;

/** Mints `count` distinct tokens for `POST /orders` with the 1 KiB body; returns seconds spent. */
export async function mintPool(
  context: BenchContext,
  count: number,
  lifetimeSeconds: number,
): Promise<number> {
  const started = performance.now();
  const nowS = Math.floor(Date.now() / 1000);
  const claims = {
    iss: context.issuer,
    aud: context.audience,
    sub: 'user-42',
    source: 'microservice',
    iat: nowS,
    exp: nowS + lifetimeSeconds,
    htm: 'POST',
    htu: FRESH_PATH,
    bdy: context.body1kDigest,
  };
  const runId = randomBytes(6).toString('base64url');
  const workers = Math.max(1, availableParallelism());
  const per = Math.ceil(count / workers);
  const slices = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const from = w * per;
      const slice = Math.max(0, Math.min(per, count - from));
      return new Promise<string>((resolve, reject) => {
        const worker = new Worker(WORKER, {
          eval: true,
          workerData: {
            privatePem: context.privatePem,
            kid: context.kid,
            claims,
            from,
            count: slice,
            runId,
          },
        });
        worker.once('message', (text: string) => resolve(text));
        worker.once('error', reject);
      });
    }),
  );
  writeFileSync(context.poolFile, slices.filter((s) => s.length > 0).join('\n'));
  return (performance.now() - started) / 1000;
}

// Each worker signs RFC 9421 signature bases (rsa-v1_5-sha256 with the issuer's RS256 key)
// over the static token and the 1 KiB body, one fresh nonce per request.
const SIG_WORKER = `
const { createPrivateKey, sign, randomBytes } = require('node:crypto');
const { parentPort, workerData: job } = require('node:worker_threads');
const key = createPrivateKey(job.privatePem);
const lines = [];
for (let i = 0; i < job.count; i++) {
  const params = '("@method" "@path" "@query" "authorization" "content-digest");created=' + job.created +
    ';expires=' + (job.created + job.lifetime) + ';nonce="' + randomBytes(16).toString('base64url') + '";tag="service-jwt"';
  const base = '"@method": POST\\n"@path": ' + job.path + '\\n"@query": ?\\n"authorization": Bearer ' + job.token +
    '\\n"content-digest": ' + job.digest + '\\n"@signature-params": ' + params;
  lines.push('sig1=' + params + '\\t' + 'sig1=:' + sign('sha256', Buffer.from(base), key).toString('base64') + ':');
}
parentPort.postMessage(lines.join('\\n'));
`;

/** Signs `count` request signatures for the httpSignature case into `<poolFile>.sig`. */
export async function mintSignaturePool(context: BenchContext, count: number): Promise<number> {
  const started = performance.now();
  const workers = Math.max(1, availableParallelism());
  const per = Math.ceil(count / workers);
  const created = Math.floor(Date.now() / 1000);
  const slices = await Promise.all(
    Array.from({ length: workers }, () => {
      return new Promise<string>((resolve, reject) => {
        const worker = new Worker(SIG_WORKER, {
          eval: true,
          workerData: {
            privatePem: context.privatePem,
            count: per,
            created,
            lifetime: SIGNATURE_LIFETIME,
            path: FRESH_PATH,
            token: context.staticToken,
            digest: context.body1kContentDigest,
          },
        });
        worker.once('message', (text: string) => resolve(text));
        worker.once('error', reject);
      });
    }),
  );
  writeFileSync(`${context.poolFile}.sig`, slices.filter((s) => s.length > 0).join('\n'));
  return (performance.now() - started) / 1000;
}
