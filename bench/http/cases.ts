// The benchmark cases and targets. Every group has one bare-framework server, listed first; a
// target compares two cases of one group, measured in the same rounds (measure-group.ts).
import { BASELINES, twinId } from './baseline.js';
import type { LoadKind } from './requests.js';

/** `baseline`: our adapter from the BENCH_BASELINE build (bench/http/baseline.ts). */
export type Role = 'bare' | 'ours' | 'peer' | 'baseline';

export interface BenchCase {
  /** Server builder id (see servers/*.ts). */
  readonly id: string;
  readonly label: string;
  readonly role: Role;
  /** What the load generator sends to this case, when not the group's kind. */
  readonly kind?: LoadKind;
}

export interface BenchGroup {
  readonly id: string;
  readonly title: string;
  readonly kind: LoadKind;
  /**
   * Seconds of load before each measured run, when not the bench's default. A slow case needs
   * more seconds to reach the answer count at which a fast one is measured: see
   * `SLOW_GROUP_WARMUP`.
   */
  readonly warmup?: number;
  /**
   * Seconds of load before each later measured run of the same process, when not the bench's
   * default: see `SLOW_GROUP_REWARM`.
   */
  readonly rewarm?: number;
  readonly cases: readonly BenchCase[];
}

/**
 * The warm-up of the groups whose servers answer a few thousand requests a second or fewer
 * (the fresh token, the 64 KiB body). Two seconds give a static-token server 8,000 to 50,000
 * answers before it is measured, but a fresh-token or 64 KiB server only 1,200 to 7,000, while
 * its cost per answer is still falling. `bench/http/settle.ts` shows the cost per second since
 * a server started; bench/README.md ("Warm-up") has the figures.
 */
export const SLOW_GROUP_WARMUP = 10;

/**
 * The same groups' warm-up before a process's second measured run. Between its two runs a
 * process idles while the group's other cases are measured, for a minute or more; one second
 * of load brought a static-token server back to its first run's cost, but not a fresh-token
 * server, whose second run then cost 5 to 170 % more than its first (bench/http/notes.md).
 */
export const SLOW_GROUP_REWARM = 4;

const MEASURED_GROUPS: readonly BenchGroup[] = [
  {
    id: 'express-static',
    title: 'Express 5, static RS256 token (cache hit), GET',
    kind: 'static',
    cases: [
      { id: 'express-bare', label: 'bare Express', role: 'bare' },
      { id: 'express-noop', label: 'bare Express + a no-op middleware (reference)', role: 'peer' },
      {
        id: 'express-attach',
        label: 'bare Express + a middleware that only attaches one property (reference)',
        role: 'peer',
      },
      { id: 'express-ours', label: '@service-jwt/express (local PEM)', role: 'ours' },
      { id: 'express-ours-jwks', label: '@service-jwt/express (JWKS URL, warm)', role: 'ours' },
      {
        id: 'express-ours-otel',
        label: '@service-jwt/express with @service-jwt/opentelemetry',
        role: 'ours',
      },
      { id: 'express-jwt-keyobject', label: 'express-jwt (KeyObject)', role: 'peer' },
      { id: 'express-jwt-pem', label: 'express-jwt (PEM)', role: 'peer' },
      { id: 'express-jwt-jwks', label: 'express-jwt + jwks-rsa (JWKS URL)', role: 'peer' },
      { id: 'express-oauth2-bearer', label: 'express-oauth2-jwt-bearer (JWKS URL)', role: 'peer' },
    ],
  },
  {
    id: 'fastify-static',
    title: 'Fastify 5, static RS256 token, GET',
    kind: 'static',
    cases: [
      { id: 'fastify-bare', label: 'bare Fastify', role: 'bare' },
      {
        id: 'fastify-noop',
        label: 'bare Fastify + a no-op preHandler hook (reference)',
        role: 'peer',
      },
      { id: 'fastify-ours', label: '@service-jwt/fastify (local PEM)', role: 'ours' },
      { id: 'fastify-jwt-pem', label: '@fastify/jwt (PEM)', role: 'peer' },
      { id: 'fastify-jwt-jwks', label: '@fastify/jwt + jwks-rsa (JWKS URL)', role: 'peer' },
    ],
  },
  {
    id: 'koa-static',
    title: 'Koa 3, static RS256 token, GET',
    kind: 'static',
    cases: [
      { id: 'koa-bare', label: 'bare Koa', role: 'bare' },
      { id: 'koa-noop', label: 'bare Koa + a no-op middleware (reference)', role: 'peer' },
      { id: 'koa-ours', label: '@service-jwt/koa (local PEM)', role: 'ours' },
      { id: 'koa-jwt-pem', label: 'koa-jwt (PEM)', role: 'peer' },
    ],
  },
  {
    id: 'express-fresh',
    title:
      'Express 5, a fresh request-bound RS256 token per request (bdy, htm, htu, jti), POST 1 KiB JSON',
    kind: 'fresh',
    warmup: SLOW_GROUP_WARMUP,
    rewarm: SLOW_GROUP_REWARM,
    cases: [
      { id: 'express-fresh-bare', label: 'bare Express + express.json()', role: 'bare' },
      {
        id: 'express-fresh-ours-memory',
        label: '@service-jwt/express, memory replay store',
        role: 'ours',
      },
      {
        id: 'express-fresh-ours-parser-first',
        label:
          '@service-jwt/express after express.json({ verify: captureRawBody }) (body read once), memory replay store',
        role: 'ours',
      },
      {
        id: 'express-fresh-ours-sig',
        label:
          '@service-jwt/express, httpSignature (RFC 9421, issuer RS256 key, static token), memory replay store',
        role: 'ours',
        kind: 'fresh-sig',
      },
      {
        id: 'express-fresh-ours-redis',
        label: '@service-jwt/express, Redis replay store',
        role: 'ours',
      },
      {
        id: 'express-fresh-express-jwt',
        label: 'express-jwt (KeyObject) + hand-written bdy/htm/htu',
        role: 'peer',
      },
      {
        id: 'express-fresh-floor',
        label:
          'express.json() + one RS256 signature check and the body SHA-256, nothing else (the floor, reference)',
        role: 'peer',
      },
    ],
  },
  {
    id: 'express-big',
    title: 'Express 5, 64 KiB JSON body with bdy check (static bound token), POST',
    kind: 'big',
    warmup: SLOW_GROUP_WARMUP,
    rewarm: SLOW_GROUP_REWARM,
    cases: [
      {
        id: 'express-big-bare-hash',
        label: 'bare Express, route hashes the body itself',
        role: 'bare',
      },
      { id: 'express-big-ours', label: '@service-jwt/express, bodyHash required', role: 'ours' },
      {
        id: 'express-big-ours-parser-first',
        label: 'the same after express.json({ verify: captureRawBody }) (body read once)',
        role: 'ours',
      },
    ],
  },
];

/** Our case in each group that has twins from the baseline builds, when some are asked for. */
const BASELINE_TWINS: Readonly<Record<string, { readonly of: string; readonly id: string }>> = {
  'express-static': { of: 'express-ours', id: 'express-ours-baseline' },
  'fastify-static': { of: 'fastify-ours', id: 'fastify-ours-baseline' },
  'koa-static': { of: 'koa-ours', id: 'koa-ours-baseline' },
  'express-fresh': { of: 'express-fresh-ours-memory', id: 'express-fresh-ours-baseline' },
};

export const GROUPS: readonly BenchGroup[] = MEASURED_GROUPS.map((group) => {
  const twin = BASELINE_TWINS[group.id];
  if (twin === undefined || BASELINES.length === 0) return group;
  const cases = [...group.cases];
  const at = cases.findIndex((c) => c.id === twin.of) + 1;
  cases.splice(
    at,
    0,
    ...BASELINES.map(
      (b): BenchCase => ({
        id: twinId(twin.id, b),
        label: `the same, from the ${b.name} build (${b.commit})`,
        role: 'baseline',
      }),
    ),
  );
  return { ...group, cases };
});

/**
 * A target: the CPU-cost ratio of `numerator` to `denominator` (case ids of one group) is at
 * least `min`: the denominator's server CPU per answer over the numerator's.
 */
export interface Target {
  readonly label: string;
  readonly numerator: string;
  readonly denominator: string;
  readonly min: number;
  /** The same ratio for peers, measured in the same run: `[label, numerator, denominator]`. */
  readonly peers?: readonly (readonly [string, string, string])[];
}

export const TARGETS: readonly Target[] = [
  {
    label: 'Express static token: ours / bare',
    numerator: 'express-ours',
    denominator: 'express-bare',
    min: 0.95,
    peers: [
      ['a no-op middleware', 'express-noop', 'express-bare'],
      ['a middleware that only attaches a property', 'express-attach', 'express-bare'],
      ['express-jwt (KeyObject)', 'express-jwt-keyobject', 'express-bare'],
      ['express-jwt (PEM)', 'express-jwt-pem', 'express-bare'],
      ['express-oauth2-jwt-bearer', 'express-oauth2-bearer', 'express-bare'],
    ],
  },
  {
    label: 'Fastify static token: ours / bare',
    numerator: 'fastify-ours',
    denominator: 'fastify-bare',
    min: 0.85,
    peers: [
      ['a no-op hook', 'fastify-noop', 'fastify-bare'],
      ['@fastify/jwt (PEM)', 'fastify-jwt-pem', 'fastify-bare'],
      ['@fastify/jwt (JWKS)', 'fastify-jwt-jwks', 'fastify-bare'],
    ],
  },
  {
    label: 'Koa static token: ours / bare',
    numerator: 'koa-ours',
    denominator: 'koa-bare',
    min: 0.93,
    peers: [
      ['a no-op middleware', 'koa-noop', 'koa-bare'],
      ['koa-jwt (PEM)', 'koa-jwt-pem', 'koa-bare'],
    ],
  },
  {
    label: 'Express fresh bound token, memory store: ours / bare',
    numerator: 'express-fresh-ours-memory',
    denominator: 'express-fresh-bare',
    min: 0.8,
    peers: [
      [
        'ours, parser first (body read once)',
        'express-fresh-ours-parser-first',
        'express-fresh-bare',
      ],
      ['express-jwt + hand-written hash', 'express-fresh-express-jwt', 'express-fresh-bare'],
      ['the cryptographic floor', 'express-fresh-floor', 'express-fresh-bare'],
      // How close ours comes to what no verifier of this request can undercut: the answer to
      // "can it go lower" in every run, beside the target.
      ['ours / the cryptographic floor', 'express-fresh-ours-memory', 'express-fresh-floor'],
    ],
  },
  {
    label: 'Express fresh bound token: ours (memory) / express-jwt + hand-written hash',
    numerator: 'express-fresh-ours-memory',
    denominator: 'express-fresh-express-jwt',
    min: 1.0,
    peers: [
      [
        'ours, parser first (body read once, as the peer)',
        'express-fresh-ours-parser-first',
        'express-fresh-express-jwt',
      ],
    ],
  },
  {
    // Server CPU per answer: httpSignature mode at most 1.15 × the bdy mode's (issue 15).
    // As every ratio here, the CPU-cost ratio is the denominator's cost over the numerator's:
    // bdy cost / httpSignature cost ≥ 1 / 1.15.
    label: 'Express fresh request: httpSignature / bdy mode (both memory store)',
    numerator: 'express-fresh-ours-sig',
    denominator: 'express-fresh-ours-memory',
    min: 1 / 1.15,
  },
  {
    label: 'Redis replay store / memory replay store',
    numerator: 'express-fresh-ours-redis',
    denominator: 'express-fresh-ours-memory',
    min: 0.8,
  },
  {
    label: '64 KiB body with bdy: ours / bare hashing',
    numerator: 'express-big-ours',
    denominator: 'express-big-bare-hash',
    min: 0.95,
    peers: [
      [
        'ours, parser first (body read once, as bare)',
        'express-big-ours-parser-first',
        'express-big-bare-hash',
      ],
    ],
  },
  {
    label: 'OpenTelemetry package active / off (Express, static token)',
    numerator: 'express-ours-otel',
    denominator: 'express-ours',
    min: 0.95,
  },
  {
    label: 'JWKS key source (warm) / local key (Express, static token)',
    numerator: 'express-ours-jwks',
    denominator: 'express-ours',
    min: 0.97,
    peers: [
      ['express-jwt (jwks-rsa / KeyObject)', 'express-jwt-jwks', 'express-jwt-keyobject'],
      ['@fastify/jwt (JWKS / PEM)', 'fastify-jwt-jwks', 'fastify-jwt-pem'],
    ],
  },
  ...BASELINES.flatMap((b) =>
    Object.values(BASELINE_TWINS).map(
      (twin): Target => ({
        label: `${twin.of}: this build / the ${b.name} build (${b.commit})`,
        numerator: twin.of,
        denominator: twinId(twin.id, b),
        // Not slower than the build before it, within the 1 % that idle instrumentation may cost.
        min: 0.99,
      }),
    ),
  ),
];
