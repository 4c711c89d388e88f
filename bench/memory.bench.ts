// Memory bounds of the in-process stores: 1,000,000 distinct jti through the memory replay
// store and 1,000,000 distinct tokens through the verification cache, both at their default
// sizes, printing the heap before and after (after a full GC, stores still referenced).
// Prints figures only; asserts nothing. Run: pnpm bench:memory (needs --expose-gc).
import { createMemoryReplayStore, replayKey } from '@service-jwt/core';
import { createVerificationCache } from '../packages/core/src/verify/verification-cache.js';

const N = 1_000_000;
const MiB = 1024 * 1024;
const START_MS = 1_900_000_000_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

function report(name: string, before: number, after: number, extra: string): void {
  console.log(
    `${name.padEnd(46)} heap before ${mib(before).padStart(10)}  after ${mib(after).padStart(10)}  growth ${mib(after - before).padStart(10)}  ${extra}`,
  );
}

async function replay(name: string, lifetimeSeconds: number, msPerClaim: number): Promise<void> {
  let now = START_MS;
  const before = heap();
  const store = createMemoryReplayStore({ now: () => now });
  let accepted = 0;
  let full = 0;
  for (let i = 0; i < N; i++) {
    now += msPerClaim;
    const key = replayKey('https://herald.internal', `${i.toString(36)}-${'j'.repeat(20)}`);
    try {
      if (await store.claim(key, now / 1000 + lifetimeSeconds)) accepted++;
    } catch {
      full++;
    }
  }
  const after = heap();
  report(name, before, after, `accepted ${accepted}, refused (store full) ${full}`);
  // Keep the store alive until after the measurement.
  if (accepted < 0) console.log(store);
}

function cache(): void {
  const before = heap();
  // The verifier's default: cache.maxEntries 1000, maxAgeSeconds 3600.
  const cache = createVerificationCache<{ header: object; claims: object }>({
    maxEntries: 1000,
    maxAgeSeconds: 3600,
  });
  const nowSeconds = START_MS / 1000;
  const padding = 'x'.repeat(380);
  for (let i = 0; i < N; i++) {
    const token = `eyJhbGciOiJFUzI1NiJ9.${padding}${i.toString(36)}.sig`;
    const claims = Object.freeze({
      iss: 'https://herald.internal',
      aud: 'census',
      sub: `user-${i}`,
      exp: nowSeconds + 300,
      iat: nowSeconds,
      jti: `${i}`,
      source: 'microservice',
    });
    cache.set(token, { header: { alg: 'ES256', kid: 'k1' }, claims }, claims.exp, nowSeconds);
    cache.get(token, nowSeconds);
  }
  const after = heap();
  report('verification cache (maxEntries 1000)', before, after, `entries held ${cache.size}`);
}

console.log(`node ${process.version}, ${N.toLocaleString('en')} operations per scenario`);
await replay('replay store, 60 s tokens at 1,000/s', 60, 1);
await replay('replay store, 60 s tokens at 10,000/s (flood)', 60, 0.1);
cache();
