import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTestIssuer, type TestIssuer } from '@service-jwt/testing';
import { ioredis, removeKeys, testPrefix } from './helpers/redis.js';
import { call } from './helpers/service.js';

// Two instances of one service in two separate Node processes, sharing one Redis.
const AUDIENCE = 'https://orders.test/';
const prefix = testPrefix('processes');
const children: ChildProcess[] = [];
let issuer: TestIssuer;
let urls: string[];

function startInstance(): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(__dirname, 'fixtures', 'instance.ts')],
    {
      cwd: join(__dirname, '..'),
      env: {
        ...process.env,
        SJWT_PREFIX: prefix,
        SJWT_ISSUER: issuer.issuer,
        SJWT_KEYS: JSON.stringify(issuer.keys),
        SJWT_AUDIENCE: AUDIENCE,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`instance did not start: ${err}`)), 15_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance exited with ${code}: ${err}`));
    });
  });
}

beforeAll(async () => {
  issuer = await createTestIssuer();
  urls = await Promise.all([startInstance(), startInstance()]);
}, 30_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  const client = ioredis();
  await removeKeys(client, prefix);
  client.disconnect();
});

describe('two service processes sharing one Redis', () => {
  it('refuses in process B, as token_replayed, a token process A accepted', async () => {
    const [a, b] = urls as [string, string];
    const token = await issuer.sign({}, { audience: AUDIENCE, subject: 'user-1' });
    expect((await call(a, token)).status).toBe(200);
    const replayed = await call(b, token);
    expect(replayed.status).toBe(401);
    expect(replayed.code).toBe('token_replayed');
    expect(replayed.wwwAuthenticate).toMatch(/error="invalid_token"/);
  });

  it('enforces in process B a revocation made in process A, within the propagation bound', async () => {
    const [a, b] = urls as [string, string];
    const mint = () => issuer.sign({}, { audience: AUDIENCE, subject: 'user-gone' });
    expect((await call(b, await mint())).status).toBe(200);
    const started = Date.now();
    const revoked = await fetch(`${a}/admin/revoke-subject`, {
      method: 'POST',
      body: JSON.stringify({ subject: 'user-gone', before: Math.floor(Date.now() / 1000) + 1 }),
    });
    expect(revoked.status).toBe(204);
    let answer = await call(b, await mint());
    for (let i = 0; i < 200 && answer.status === 200; i++) answer = await call(b, await mint());
    expect(answer.status).toBe(401);
    expect(answer.code).toBe('token_revoked');
    expect(Date.now() - started).toBeLessThan(12_000);
  });
});
