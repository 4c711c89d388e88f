import { describeKeysDownAtStartup } from '@service-jwt/conformance';
import { requireServiceJwt } from '../src/index.js';
import { listen, MAJORS } from './helpers.js';

for (const [name, express] of MAJORS) {
  describeKeysDownAtStartup(name, async ({ options, path }) => {
    const app = express();
    const guard = requireServiceJwt(options);
    app.get(path, guard, (req, res) => {
      res.json({ issuer: req.serviceJwt?.issuer });
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
