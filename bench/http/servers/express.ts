// Express servers: bare, ours and peers, one builder per benchmark case.
import { createPublicKey, timingSafeEqual, verify as verifySignature } from 'node:crypto';
import type { IncomingMessage, RequestListener } from 'node:http';
import { createMemoryReplayStore, type ReplayStore } from '@service-jwt/core';
import { captureRawBody, requireServiceJwt } from '@service-jwt/express';
import { createRedisReplayStore } from '@service-jwt/redis';
import express, { type NextFunction, type Request, type Response } from 'express';
import { expressjwt } from 'express-jwt';
import { auth as oauth2Bearer } from 'express-oauth2-jwt-bearer';
import { Redis } from 'ioredis';
import jwksRsa from 'jwks-rsa';
import { loadBaseline } from '../baseline.js';
import {
  type BenchContext,
  BIG_PATH,
  digest,
  FRESH_PATH,
  SIGNATURE_LIFETIME,
  STATIC_PATH,
} from '../context.js';

type Builder = (context: BenchContext) => Promise<RequestListener>;

const hello = (_req: Request, res: Response): void => {
  res.json({ ok: true });
};
// `req.body` is missing when the client went away mid-request (autocannon closes its sockets at
// the end of the warm-up): body-parser then skips the finished request.
const order = (req: Request, res: Response): void => {
  res.json({ ok: true, items: (req.body as { items?: unknown[] } | undefined)?.items?.length });
};

function staticApp(guard?: express.RequestHandler): express.Express {
  const app = express();
  if (guard) app.use(guard);
  app.get(STATIC_PATH, hello);
  return app;
}

function ours(context: BenchContext, extra: Record<string, unknown> = {}): express.RequestHandler {
  return requireServiceJwt({
    issuers: { [context.issuer]: { publicKey: context.publicPem } },
    audience: context.audience,
    ...extra,
  });
}

type RequireServiceJwt = (options: Record<string, unknown>) => express.RequestHandler;

// The same guard from the BENCH_BASELINE build (bench/http/baseline.ts).
async function baselineGuard(
  context: BenchContext,
  extra: Record<string, unknown> = {},
): Promise<express.RequestHandler> {
  const { requireServiceJwt: guard } = await loadBaseline<{ requireServiceJwt: RequireServiceJwt }>(
    'express',
  );
  return guard({
    issuers: { [context.issuer]: { publicKey: context.publicPem } },
    audience: context.audience,
    ...extra,
  });
}

const FRESH_ROUTE = { bodyHash: { required: true }, requestBinding: { required: true } };

function freshOurs(
  context: BenchContext,
  replay: ReplayStore,
  guard: express.RequestHandler = ours(context, { replay, ...FRESH_ROUTE }),
): express.Express {
  const app = express();
  app.use(guard);
  app.use(express.json());
  app.post(FRESH_PATH, order);
  return app;
}

function equalDigest(expected: unknown, actual: string): boolean {
  if (typeof expected !== 'string' || expected.length !== actual.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(actual));
}

const rawBodies = new WeakMap<IncomingMessage, Buffer>();
const ATTACHED = Object.freeze({ attached: true });
const BEARER = 'Bearer ';

export const expressServers: Record<string, Builder> = {
  'express-bare': async () => staticApp(),
  // What any middleware costs in Express 5: a router layer and one `next()`.
  'express-noop': async () => staticApp((_req, _res, next) => next()),
  // A middleware that does nothing but attach one result to the request, as every guard's API
  // does (`req.serviceJwt`, `req.auth`): the cheapest any such middleware can be in Express.
  'express-attach': async () =>
    staticApp((req, _res, next) => {
      (req as unknown as { attached: unknown }).attached = ATTACHED;
      next();
    }),
  'express-ours': async (c) => staticApp(ours(c)),
  'express-ours-baseline': async (c) => staticApp(await baselineGuard(c)),
  // The same, with @service-jwt/opentelemetry recording into an SDK MeterProvider (metrics
  // aggregated in memory, read by a reader that exports nowhere, as a service would run it
  // between two collections).
  'express-ours-otel': async (c) => {
    const {
      MeterProvider,
      InMemoryMetricExporter,
      AggregationTemporality,
      PeriodicExportingMetricReader,
    } = await import('@opentelemetry/sdk-metrics');
    const { instrumentServiceJwt } = await import('@service-jwt/opentelemetry');
    const reader = new PeriodicExportingMetricReader({
      exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
      exportIntervalMillis: 60_000,
    });
    instrumentServiceJwt({ meterProvider: new MeterProvider({ readers: [reader] }) });
    return staticApp(ours(c));
  },
  'express-ours-jwks': async (c) =>
    staticApp(
      requireServiceJwt({
        issuers: { [c.issuer]: { jwksUri: c.jwksUrl, allowInsecureHttp: true } },
        audience: c.audience,
      }),
    ),
  'express-jwt-keyobject': async (c) =>
    staticApp(
      expressjwt({
        secret: createPublicKey(c.publicPem),
        algorithms: ['RS256'],
        issuer: c.issuer,
        audience: c.audience,
      }),
    ),
  'express-jwt-pem': async (c) =>
    staticApp(
      expressjwt({
        secret: c.publicPem,
        algorithms: ['RS256'],
        issuer: c.issuer,
        audience: c.audience,
      }),
    ),
  'express-jwt-jwks': async (c) =>
    staticApp(
      expressjwt({
        secret: jwksRsa.expressJwtSecret({ jwksUri: c.jwksUrl, cache: true, rateLimit: true }),
        algorithms: ['RS256'],
        issuer: c.issuer,
        audience: c.audience,
      }),
    ),
  // Pointed at the loopback http JWKS: express-oauth2-jwt-bearer accepts http: jwksUri values
  // (it only refuses an http issuerBaseURL when NODE_ENV=production).
  'express-oauth2-bearer': async (c) =>
    staticApp(
      oauth2Bearer({
        issuer: c.issuer,
        audience: c.audience,
        jwksUri: c.jwksUrl,
        tokenSigningAlg: 'RS256',
      }),
    ),

  'express-fresh-bare': async () => {
    const app = express();
    app.use(express.json());
    app.post(FRESH_PATH, order);
    return app;
  },
  'express-fresh-ours-memory': async (c) => freshOurs(c, createMemoryReplayStore()),
  // The parser first, keeping its bytes for the guard: the body is read once (as the peer
  // below reads it), at the price of parsing it before the token is checked.
  'express-fresh-ours-parser-first': async (c) => {
    const app = express();
    app.use(express.json({ verify: captureRawBody }));
    app.use(ours(c, { replay: createMemoryReplayStore(), ...FRESH_ROUTE }));
    app.post(FRESH_PATH, order);
    return app;
  },
  'express-fresh-ours-baseline': async (c) => {
    const core = await loadBaseline<{ createMemoryReplayStore: () => ReplayStore }>('core');
    const replay = core.createMemoryReplayStore();
    return freshOurs(c, replay, await baselineGuard(c, { replay, ...FRESH_ROUTE }));
  },
  // The same request bound by an RFC 9421 signature (issuer key) over the static token.
  'express-fresh-ours-sig': async (c) => {
    const app = express();
    app.use(
      ours(c, {
        replay: { store: createMemoryReplayStore(), required: false },
        httpSignature: { key: 'issuer', maxAge: SIGNATURE_LIFETIME },
      }),
    );
    app.use(express.json());
    app.post(FRESH_PATH, order);
    return app;
  },
  'express-fresh-ours-redis': async (c) => {
    const client = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: 1 });
    await client.ping();
    return freshOurs(
      c,
      createRedisReplayStore({ client, prefix: `bench:${process.pid}:${Date.now()}:` }),
    );
  },
  // The cryptographic floor of any verifier of this request: the parser keeps the bytes, then
  // one RS256 signature check of the token and the SHA-256 of the body, and nothing else (no
  // claim, no binding compared, no replay record). What a guard that does the work cannot
  // undercut.
  'express-fresh-floor': async (c) => {
    const key = createPublicKey(c.publicPem);
    const app = express();
    app.use(
      express.json({
        verify: (req, _res, buf) => {
          rawBodies.set(req, buf);
        },
      }),
    );
    app.use((req: Request, res: Response, next: NextFunction) => {
      const header = req.headers.authorization ?? '';
      const dot = header.lastIndexOf('.');
      const signed =
        header.startsWith(BEARER) &&
        dot > BEARER.length &&
        verifySignature(
          'RSA-SHA256',
          Buffer.from(header.slice(BEARER.length, dot)),
          key,
          Buffer.from(header.slice(dot + 1), 'base64url'),
        );
      if (!signed || digest(rawBodies.get(req) ?? Buffer.alloc(0)).length === 0) {
        res.status(401).json({ error: 'invalid_token' });
        return;
      }
      next();
    });
    app.post(FRESH_PATH, order);
    return app;
  },
  'express-fresh-express-jwt': async (c) => {
    const app = express();
    app.use(
      express.json({
        verify: (req, _res, buf) => {
          rawBodies.set(req, buf);
        },
      }),
    );
    app.use(
      expressjwt({
        secret: createPublicKey(c.publicPem),
        algorithms: ['RS256'],
        issuer: c.issuer,
        audience: c.audience,
      }),
    );
    // The hand-written part: bdy over the raw bytes, plus htm/htu (no replay store).
    app.use((req: Request, res: Response, next: NextFunction) => {
      const claims: Record<string, unknown> =
        (req as unknown as { auth?: Record<string, unknown> }).auth ?? {};
      const ok =
        claims.htm === req.method &&
        claims.htu === req.originalUrl &&
        equalDigest(claims.bdy, digest(rawBodies.get(req) ?? Buffer.alloc(0)));
      if (!ok) {
        res.status(401).json({ error: 'invalid_token' });
        return;
      }
      next();
    });
    app.post(FRESH_PATH, order);
    return app;
  },

  'express-big-bare-hash': async (c) => {
    const app = express();
    app.use(
      express.json({
        limit: '1mb',
        verify: (_req, _res, buf) => {
          if (!equalDigest(c.body64kDigest, digest(buf))) throw new Error('body hash mismatch');
        },
      }),
    );
    app.post(BIG_PATH, order);
    return app;
  },
  'express-big-ours': async (c) => {
    const app = express();
    app.use(ours(c, { bodyHash: { required: true }, requestBinding: { required: true } }));
    app.use(express.json({ limit: '1mb' }));
    app.post(BIG_PATH, order);
    return app;
  },
  // Not in a group, for `pnpm bench:instructions`: the guard first, then body-parser made to
  // take its buffer path (a `verify` hook) instead of decoding the body as it streams.
  'express-big-ours-json-buffer': async (c) => {
    const app = express();
    app.use(ours(c, { bodyHash: { required: true }, requestBinding: { required: true } }));
    app.use(express.json({ limit: '1mb', verify: () => undefined }));
    app.post(BIG_PATH, order);
    return app;
  },
  'express-big-ours-parser-first': async (c) => {
    const app = express();
    app.use(express.json({ limit: '1mb', verify: captureRawBody }));
    app.use(ours(c, { bodyHash: { required: true }, requestBinding: { required: true } }));
    app.post(BIG_PATH, order);
    return app;
  },
};
