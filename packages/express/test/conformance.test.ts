import {
  type ConformanceAppSpec,
  describeConformance,
  describeErrorExports,
  describeStalledBodies,
} from '@service-jwt/conformance';
import * as adapter from '../src/index.js';
import { serviceJwt } from '../src/index.js';
import { type ExpressFactory, listen, MAJORS } from './helpers.js';

function starter(express: ExpressFactory) {
  return async ({ options, routes, answer }: ConformanceAppSpec) => {
    const app = express();
    const auth = serviceJwt(options);
    for (const route of routes) {
      const method = route.method === 'GET' ? 'get' : 'post';
      app[method](route.path, auth(route.route), (req, res, next) => {
        answer(route, req.serviceJwt).then((body) => res.json(body), next);
      });
    }
    return listen(app);
  };
}

for (const [name, express] of MAJORS) {
  describeConformance(name, starter(express));
  describeStalledBodies(name, starter(express));
}

describeErrorExports('express', adapter);
