// Type test, compiled by `pnpm typecheck` (never run): `ctx.state.serviceJwt` is typed through
// the `DefaultState` augmentation that `@service-jwt/koa` ships, with no cast.
import Router from '@koa/router';
import type { VerifiedServiceJwt } from '@service-jwt/core';
import Koa from 'koa';
import { requireServiceJwt, type ServiceJwtMiddleware, serviceJwt } from '../src/index.js';

declare module '@service-jwt/core' {
  interface ServiceJwtClaims {
    readonly roles?: readonly string[];
  }
}

declare const guard: ServiceJwtMiddleware;
const app = new Koa();
app.use(guard);
app.use((ctx) => {
  const result: VerifiedServiceJwt | undefined = ctx.state.serviceJwt;
  const issuer: string | undefined = ctx.state.serviceJwt?.issuer;
  const roles: readonly string[] | undefined = ctx.state.serviceJwt?.claims.roles;
  // @ts-expect-error the result is possibly absent on routes no guard protects
  const unguarded: string = ctx.state.serviceJwt.issuer;
  // @ts-expect-error the issuer is a string
  const wrong: number | undefined = ctx.state.serviceJwt?.issuer;
  ctx.body = { result, issuer, roles, unguarded, wrong };
});

const router = new Router();
const auth = serviceJwt({ issuers: {}, audience: 'https://census.test/' });
router.get('/orders', auth({ audience: 'https://orders.test/' }), (ctx) => {
  const subject: string | undefined = ctx.state.serviceJwt?.subject;
  ctx.body = { subject };
});

requireServiceJwt({ verifier: auth.verifier, callers: { issuers: ['https://herald.test/'] } });
// @ts-expect-error onError takes 'respond' or 'throw'
requireServiceJwt({ issuers: {}, audience: null, onError: 'ignore' });
// @ts-expect-error the audience must be given (or explicitly null)
requireServiceJwt({ issuers: {} });
app.use(router.routes());
