// Koa servers: bare, ours and koa-jwt.
import type { RequestListener } from 'node:http';
import { requireServiceJwt } from '@service-jwt/koa';
import Koa from 'koa';
import koaJwt from 'koa-jwt';
import { loadBaseline } from '../baseline.js';
import type { BenchContext } from '../context.js';

type Builder = (context: BenchContext) => Promise<RequestListener>;

function app(guard?: Koa.Middleware): RequestListener {
  const koa = new Koa();
  if (guard) koa.use(guard);
  koa.use((ctx) => {
    ctx.body = { ok: true };
  });
  return koa.callback();
}

export const koaServers: Record<string, Builder> = {
  'koa-bare': async () => app(),
  // What any middleware costs in Koa 3: one more `dispatch` in koa-compose and its promise.
  'koa-noop': async () => app((_ctx, next) => next()),
  'koa-ours': async (c) =>
    app(
      requireServiceJwt({
        issuers: { [c.issuer]: { publicKey: c.publicPem } },
        audience: c.audience,
      }),
    ),
  'koa-ours-baseline': async (c) => {
    const baseline = await loadBaseline<{ requireServiceJwt: typeof requireServiceJwt }>('koa');
    return app(
      baseline.requireServiceJwt({
        issuers: { [c.issuer]: { publicKey: c.publicPem } },
        audience: c.audience,
      }),
    );
  },
  'koa-jwt-pem': async (c) =>
    app(
      koaJwt({
        secret: c.publicPem,
        algorithms: ['RS256'],
        issuer: c.issuer,
        audience: c.audience,
      }),
    ),
};
