import { describeKeysDownAtStartup } from '@service-jwt/conformance';
import { requireServiceJwt } from '../src/index.js';
import { KOA_VERSIONS, listen } from './helpers.js';

for (const [name, Koa] of KOA_VERSIONS) {
  describeKeysDownAtStartup(name, async ({ options, path }) => {
    const guard = requireServiceJwt(options);
    const app = new Koa();
    app.use(guard);
    app.use((ctx) => {
      if (ctx.path === path) ctx.body = { issuer: ctx.state.serviceJwt?.issuer };
    });
    const running = await listen(app);
    return {
      url: running.url,
      verifier: guard.verifier,
      close: async () => {
        await running.close();
        await guard.verifier.close();
      },
    };
  });
}
