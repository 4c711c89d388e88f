import Router from '@koa/router';
import {
  type ConformanceAppSpec,
  describeConformance,
  describeErrorExports,
  describeStalledBodies,
} from '@service-jwt/conformance';
import type KoaApp from 'koa';
import * as adapter from '../src/index.js';
import { serviceJwt } from '../src/index.js';
import { KOA_VERSIONS, listen } from './helpers.js';

function starter(Koa: (typeof KOA_VERSIONS)[number][1]) {
  return async ({ options, routes, answer }: ConformanceAppSpec) => {
    const auth = serviceJwt(options);
    const router = new Router();
    for (const spec of routes) {
      const { method, path, route } = spec;
      const guard = auth(route);
      const handler = async (ctx: KoaApp.Context) => {
        ctx.body = await answer(spec, ctx.state.serviceJwt);
      };
      if (method === 'GET') router.get(path, guard, handler);
      else router.post(path, guard, handler);
    }
    const app = new Koa();
    app.use(router.routes());
    const running = await listen(app);
    return {
      url: running.url,
      close: async () => {
        await running.close();
        await auth.verifier.close();
      },
    };
  };
}

for (const [name, Koa] of KOA_VERSIONS) {
  describeConformance(name, starter(Koa));
  describeStalledBodies(name, starter(Koa));
}

describeErrorExports('koa', adapter);
