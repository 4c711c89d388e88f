import {
  type ConformanceAppSpec,
  describeConformance,
  describeErrorExports,
  describeStalledBodies,
} from '@service-jwt/conformance';
import type { FastifyInstance } from 'fastify';
import * as adapter from '../src/index.js';
import { serviceJwt } from '../src/index.js';
import { type AppOptions, listen, MAJORS } from './apps.js';

type Style = 'preHandler' | 'route config';

async function start(
  create: (options?: AppOptions) => FastifyInstance,
  style: Style,
  { options, routes, answer }: ConformanceAppSpec,
) {
  const app = create();
  // Fastify parses JSON and text itself; other media types need a parser to be accepted at all.
  app.addContentTypeParser(
    'application/octet-stream',
    { parseAs: 'buffer' },
    (_request, body, done) => done(null, body),
  );
  await app.register(serviceJwt, options);
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      ...(style === 'preHandler'
        ? { preHandler: app.requireServiceJwt(route.route) }
        : { config: { serviceJwt: route.route ?? true } }),
      handler: (request) => answer(route, request.serviceJwt),
    });
  }
  const url = await listen(app);
  return { url, close: () => app.close() };
}

for (const [major, create] of MAJORS) {
  for (const style of ['preHandler', 'route config'] as const) {
    describeConformance(`${major} (${style})`, (spec) => start(create, style, spec));
    describeStalledBodies(`${major} (${style})`, (spec) => start(create, style, spec));
  }
}

describeErrorExports('fastify', adapter);
