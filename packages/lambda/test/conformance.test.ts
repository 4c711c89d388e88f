import { describeConformance, describeErrorExports } from '@service-jwt/conformance';
import { createVerifier } from '@service-jwt/core';
import type { ApiGatewayEventLike } from '../src/index.js';
import * as adapter from '../src/index.js';
import { type ServiceJwtEvent, withServiceJwt } from '../src/index.js';
import { type PayloadFormat, startGateway } from './gateway.js';

// Every row of the shared table, sent over HTTP to a loopback stand-in for API Gateway that
// turns it into an event of each payload format: same request, same status and code.
for (const format of ['2.0', '1.0'] as const satisfies readonly PayloadFormat[]) {
  describeConformance(`lambda, payload format ${format}`, async ({ options, routes, answer }) => {
    const verifier = createVerifier(options);
    const handlers: Record<string, ReturnType<typeof withServiceJwt>> = {};
    for (const route of routes) {
      handlers[`${route.method} ${route.path}`] = withServiceJwt(
        { verifier, ...route.route },
        async (event: ServiceJwtEvent<ApiGatewayEventLike>) => ({
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(await answer(route, event.serviceJwt)),
        }),
      );
    }
    const app = await startGateway(format, handlers);
    return {
      url: app.url,
      close: async () => {
        await app.close();
        await verifier.close();
      },
    };
  });
}

describeErrorExports('lambda', adapter);
