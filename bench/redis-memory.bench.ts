// Memory of @service-jwt/redis's local revocation mirror under 1,000,000 distinct revoked jtis.
// Not a test: prints heap figures and asserts nothing. Uses a private, throwaway redis-server
// on a free loopback port (so the shared Redis never holds the million entries).
//
//   node --expose-gc --conditions=source --import tsx bench/redis-memory.bench.ts [total] [maxEntries]
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createRedisRevocationList } from '@service-jwt/redis';
import { Redis } from 'ioredis';

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const MAX_ENTRIES = Number(process.argv[3] ?? 100_000);
const IN_FLIGHT = 256;
const ISSUER = 'https://billing.example/';

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with node --expose-gc');
  collect();
  collect();
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  try {
    const connect = () => {
      const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
      client.on('error', () => undefined); // refused until the server listens
      return client;
    };
    const writerClient = connect();
    const readerClient = connect();
    for (let i = 0; i < 100 && (await writerClient.ping().catch(() => '')) !== 'PONG'; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    // The writer holds (almost) nothing locally; the reader is the instance we measure.
    const writer = createRedisRevocationList({
      client: writerClient,
      maxEntries: 1,
      commandTimeout: 10_000,
    });
    const reader = createRedisRevocationList({ client: readerClient, maxEntries: MAX_ENTRIES });
    await Promise.all([writer.ready(), reader.ready()]);
    gc();
    const base = process.memoryUsage().heapUsed;
    const exp = Math.floor(Date.now() / 1000) + 3600;
    console.log(
      `revoking ${TOTAL.toLocaleString()} distinct jtis; reader maxEntries ${MAX_ENTRIES}`,
    );
    console.log('revoked      | reader heap growth | check() answers from');
    const checkpoints = new Set([
      10_000,
      50_000,
      99_000,
      100_001,
      250_000,
      500_000,
      750_000,
      TOTAL,
    ]);
    let next = 0;
    const started = Date.now();
    let done = 0;
    while (done < TOTAL) {
      const target = Math.min(...[...checkpoints].filter((c) => c > done));
      next = done;
      const stop = target;
      const pool = Array.from({ length: IN_FLIGHT }, async () => {
        for (;;) {
          const i = next++;
          if (i >= stop) return;
          await writer.revokeToken(ISSUER, `jti-${i}-${'x'.repeat(16)}`, exp);
        }
      });
      await Promise.all(pool);
      done = stop;
      await new Promise((r) => setTimeout(r, 300)); // let pub/sub drain into the mirror
      // Under this load a subscriber may fall behind and resynchronise: wait for it (bounded).
      const waitStart = Date.now();
      await Promise.race([reader.ready(), new Promise((r) => setTimeout(r, 120_000))]);
      const waited = Date.now() - waitStart;
      gc();
      const answer = reader.check({
        issuer: ISSUER,
        subject: undefined,
        jti: `jti-0-${'x'.repeat(16)}`,
        kid: undefined,
        issuedAt: undefined,
      });
      const source = answer instanceof Promise ? 'Redis (mirror over maxEntries)' : 'local mirror';
      const reason = answer instanceof Promise ? await answer : answer;
      const growth = process.memoryUsage().heapUsed - base;
      const note = waited > 50 ? ` [waited ${waited} ms for a resync]` : '';
      console.log(
        `${done.toLocaleString().padStart(12)} | ${mib(growth).padStart(18)} | ${source} (${reason})${note}`,
      );
    }
    console.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await writer.close();
    await reader.close();
    writerClient.disconnect();
    readerClient.disconnect();
  } finally {
    server.kill('SIGKILL');
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
