// Verifier micro-benchmark: `pnpm bench:verify`. One process, one run.
//
// For each algorithm: ops/s of `verifyToken` on a fresh token each time (a pool of distinct
// pre-minted tokens cycled in order, with a new verifier for every pass over the pool so that
// neither its verification cache nor the cache's admission filter ever sees a token twice)
// beside the floor (bare node:crypto check of the same signing-input bytes with a
// KeyObject), jose's `jwtVerify` and fast-jwt; then a repeated token (cache hit) beside
// fast-jwt with its cache. Every contender checks issuer, audience, `source` and `exp`.
// Environment: BENCH_SECONDS (per contender, over all rounds), BENCH_ROUNDS,
// BENCH_ALGS=RS256,HS256 and BENCH_ONLY=ours,floor (contender names) narrow a run, e.g. for
// profiling. BENCH_BASELINE=[<name>=]<root of another checkout, built>[,…] adds each build's
// verifier (fresh and cached) to the same rounds, to measure a change against what came
// before it in one run (see bench/README.md).
import {
  createHmac,
  createSecretKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import { createVerifier } from '@service-jwt/core';
import { createVerifier as createFastVerifier } from 'fast-jwt';
import { jwtVerify } from 'jose';
import { BASELINES, loadBaseline } from './http/baseline.js';

type Alg = 'RS256' | 'ES256' | 'EdDSA' | 'HS256';

const ISSUER = 'https://orders.internal';
const AUDIENCE = 'https://billing.internal';
const POOL = 4096;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

interface Fixture {
  readonly alg: Alg;
  readonly privateKey: KeyObject;
  readonly verifyKey: KeyObject;
  readonly pem: string | Buffer;
  readonly tokens: string[];
  readonly floorInputs: Array<{ data: Buffer; signature: Buffer }>;
}

function keysFor(alg: Alg): { privateKey: KeyObject; verifyKey: KeyObject; pem: string | Buffer } {
  if (alg === 'HS256') {
    const secret = randomBytes(32);
    const key = createSecretKey(secret);
    return { privateKey: key, verifyKey: key, pem: secret };
  }
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  return { privateKey: pair.privateKey, verifyKey: pair.publicKey, pem };
}

function signInput(alg: Alg, key: KeyObject, input: Buffer): Buffer {
  switch (alg) {
    case 'RS256':
      return sign('sha256', input, key);
    case 'ES256':
      return sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return sign(null, input, key);
    case 'HS256':
      return createHmac('sha256', key).update(input).digest();
  }
}

function floorCheck(alg: Alg, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  switch (alg) {
    case 'RS256':
      return verify('sha256', data, key, signature);
    case 'ES256':
      return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    case 'EdDSA':
      return verify(null, data, key, signature);
    case 'HS256':
      return timingSafeEqual(createHmac('sha256', key).update(data).digest(), signature);
  }
}

function fixture(alg: Alg): Fixture {
  const { privateKey, verifyKey, pem } = keysFor(alg);
  const header = Buffer.from(JSON.stringify({ alg, kid: 'k1', typ: 'JWT' })).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  const floorInputs: Array<{ data: Buffer; signature: Buffer }> = [];
  for (let i = 0; i < POOL; i++) {
    const claims = {
      iss: ISSUER,
      sub: `service-${i % 7}`,
      aud: AUDIENCE,
      iat: now,
      exp: now + 3600,
      jti: randomUUID(),
      source: 'microservice',
    };
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const data = Buffer.from(input);
    const signature = signInput(alg, privateKey, data);
    tokens.push(`${input}.${signature.toString('base64url')}`);
    floorInputs.push({ data, signature });
  }
  return { alg, privateKey, verifyKey, pem, tokens, floorInputs };
}

function checkSource(payload: { readonly [claim: string]: unknown }): void {
  if (payload.source !== 'microservice') throw new Error('source');
}

// The machine may be shared, so contenders run in many short interleaved rounds (the order
// rotates every round) and the report gives, per contender, the median and the best round.
// Ratios to the floor are taken within each round, where ours and the floor ran a few
// milliseconds apart under the same load, and the median of those per-round ratios is
// reported beside best/best.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);

// Rates are per second of this process's CPU time (user + system, GC threads included), not
// of wall time: on a shared machine wall time also counts the moments the OS gave the core to
// someone else, which lands on whichever contender happened to be running.
function cpuMicros(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

interface Measured {
  readonly count: number;
  readonly rate: number;
}

async function runAsync(
  run: (i: number) => unknown,
  ms: number,
  offset: number,
): Promise<Measured> {
  let i = offset;
  const cpu = process.cpuUsage();
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let j = 0; j < 64; j++) await run(i++);
  }
  return { count: i - offset, rate: ((i - offset) / cpuMicros(cpu)) * 1e6 };
}

// Sync contenders are run without awaiting, so the floor pays no promise overhead.
function runSync(run: (i: number) => unknown, ms: number, offset: number): Measured {
  let i = offset;
  const cpu = process.cpuUsage();
  const end = performance.now() + ms;
  while (performance.now() < end) for (let j = 0; j < 64; j++) run(i++);
  return { count: i - offset, rate: ((i - offset) / cpuMicros(cpu)) * 1e6 };
}

interface Contender {
  readonly name: string;
  readonly sync: boolean;
  readonly run: (i: number) => unknown;
}

/** ops/s of every measured round, per contender, in round order. */
type Rounds = Map<string, number[]>;

async function compare(contenders: readonly Contender[]): Promise<Rounds> {
  const rounds: Rounds = new Map(contenders.map((c) => [c.name, []]));
  const offsets = new Map<string, number>();
  const slice = (SECONDS * 1000) / ROUNDS;
  for (let round = -2; round < ROUNDS; round++) {
    const shift = round < 0 ? 0 : round % contenders.length;
    const order = [...contenders.slice(shift), ...contenders.slice(0, shift)];
    for (const c of order) {
      const ms = round < 0 ? 200 : slice; // rounds -2 and -1 warm up the JIT
      const offset = offsets.get(c.name) ?? 0;
      const { count, rate } = c.sync
        ? runSync(c.run, ms, offset)
        : await runAsync(c.run, ms, offset);
      offsets.set(c.name, offset + count);
      if (round >= 0) rounds.get(c.name)?.push(rate);
    }
  }
  return rounds;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

type CreateVerifier = typeof createVerifier;

// Other builds of core (earlier commits' dist), loaded beside this one.
const baselines: readonly { readonly name: string; readonly create: CreateVerifier }[] =
  await Promise.all(
    BASELINES.map(async (b) => ({
      name: b.name,
      create: (await loadBaseline<{ createVerifier: CreateVerifier }>('core', b)).createVerifier,
    })),
  );

function ours(f: Fixture, create: CreateVerifier = createVerifier) {
  const issuer =
    f.alg === 'HS256'
      ? { secret: f.pem as Buffer }
      : { publicKey: f.verifyKey, algorithms: [f.alg] as const };
  return create({ issuers: { [ISSUER]: issuer }, audience: AUDIENCE });
}

function fast(f: Fixture, cache: boolean) {
  const verifier = createFastVerifier({
    key: f.pem,
    algorithms: [f.alg],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    requiredClaims: ['exp'],
    cache,
  });
  return (token: string) => checkSource(verifier(token) as { source?: unknown });
}

const rows: Array<Record<string, string>> = [];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const algs = (process.env.BENCH_ALGS ?? 'RS256,ES256,EdDSA,HS256').split(',') as Alg[];
  for (const alg of algs) {
    const f = fixture(alg);
    const n = f.tokens.length;
    const token = f.tokens[0] as string;
    const verifier = ours(f);
    let freshVerifier = ours(f);
    const fresh = (i: number) => {
      if (i % n === 0) {
        void freshVerifier.close();
        freshVerifier = ours(f);
      }
      return freshVerifier.verifyToken(f.tokens[i % n] as string);
    };
    // Each baseline build: a fresh-token and a cached-token contender, like ours.
    const baselineContenders = baselines.flatMap(({ name, create }): Contender[] => {
      const cached = ours(f, create);
      let freshOne = ours(f, create);
      return [
        {
          name: `baseline ${name}`,
          sync: false,
          run: (i) => {
            if (i % n === 0) {
              void freshOne.close();
              freshOne = ours(f, create);
            }
            return freshOne.verifyToken(f.tokens[i % n] as string);
          },
        },
        { name: `baseline ${name} cached`, sync: false, run: () => cached.verifyToken(token) },
      ];
    });
    const fastFresh = fast(f, false);
    const fastCached = fast(f, true);
    const only = process.env.BENCH_ONLY?.split(',');
    const contenders: Contender[] = [
      {
        name: 'floor',
        sync: true,
        run: (i) => {
          const input = f.floorInputs[i % n] as { data: Buffer; signature: Buffer };
          if (!floorCheck(alg, f.verifyKey, input.data, input.signature)) throw new Error('floor');
        },
      },
      { name: 'ours', sync: false, run: fresh },
      {
        name: 'jose',
        sync: false,
        run: async (i) => {
          const { payload } = await jwtVerify(f.tokens[i % n] as string, f.verifyKey, {
            issuer: ISSUER,
            audience: AUDIENCE,
            algorithms: [alg],
            requiredClaims: ['exp'],
          });
          checkSource(payload);
        },
      },
      { name: 'fast', sync: true, run: (i) => fastFresh(f.tokens[i % n] as string) },
      { name: 'oursCached', sync: false, run: () => verifier.verifyToken(token) },
      { name: 'fastCached', sync: true, run: () => fastCached(token) },
      ...baselineContenders,
    ];
    const r = await compare(contenders.filter((c) => only === undefined || only.includes(c.name)));
    const get = (name: string) => r.get(name) ?? [];
    const best = (name: string) => Math.max(0, ...get(name));
    // Median of the per-round ratios, then best against best.
    const ratios = (name: string, base: string) => {
      const a = get(name);
      const b = get(base);
      const perRound = a.map((ops, i) => ops / (b[i] ?? Number.NaN));
      return `${median(perRound).toFixed(2)} / ${(best(name) / best(base)).toFixed(2)}`;
    };
    const ops = (name: string) => `${fmt(median(get(name)))} / ${fmt(best(name))}`;
    rows.push({
      alg,
      floor: ops('floor'),
      'service-jwt': ops('ours'),
      'ours/floor': ratios('ours', 'floor'),
      jose: ops('jose'),
      'jose/floor': ratios('jose', 'floor'),
      'fast-jwt': ops('fast'),
      'fast/floor': ratios('fast', 'floor'),
      'ours cached': ops('oursCached'),
      'fast-jwt cached': ops('fastCached'),
      'cached ours/fast': ratios('oursCached', 'fastCached'),
      ...Object.fromEntries(
        baselines.flatMap(({ name }) => [
          [`ours/${name}`, ratios('ours', `baseline ${name}`)],
          [`cached ours/${name}`, ratios('oursCached', `baseline ${name} cached`)],
        ]),
      ),
    });
    await verifier.close();
    await freshVerifier.close();
  }
  console.log(
    `ops per CPU-second as "median / best" of ${ROUNDS} interleaved rounds (${SECONDS}s per contender in all); ` +
      'ratios as "median of per-round ratios / best against best"; fresh token each time',
  );
  console.table(rows);
  console.log(
    'targets: >= 0.85 of the floor for RS256, ES256, EdDSA; >= 0.5 for HS256; cached >= fast-jwt cached',
  );
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
