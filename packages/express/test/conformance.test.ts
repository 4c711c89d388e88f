import { describeConformance } from '@service-jwt/conformance';
import { serviceJwt } from '../src/index.js';
import { listen, MAJORS } from './helpers.js';

for (const [name, express] of MAJORS) {
  describeConformance(name, async ({ options, routes }) => {
    const app = express();
    const auth = serviceJwt(options);
    for (const route of routes) {
      const method = route.method === 'GET' ? 'get' : 'post';
      app[method](route.path, auth(route.route), (req, res) => {
        res.json({ issuer: req.serviceJwt?.issuer, subject: req.serviceJwt?.subject });
      });
    }
    return listen(app);
  });
}
