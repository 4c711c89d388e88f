import {
  createTrustDomain,
  describeTokenServiceEndpoint,
  TOKEN_PATH,
} from '@service-jwt/conformance';
import { transactionTokenService } from '../src/index.js';
import { MAJORS } from './apps.js';

describe.each(MAJORS)('%s', (_major, makeApp) => {
  describeTokenServiceEndpoint('fastify', async (service) => {
    const app = makeApp();
    await app.register(transactionTokenService, { service, path: TOKEN_PATH });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  });

  it('fails ready() with configuration_error for a missing service or a bad path', async () => {
    const app = makeApp();
    await expect(app.register(transactionTokenService, {} as never)).rejects.toMatchObject({
      code: 'configuration_error',
    });
    const domain = await createTrustDomain();
    const other = makeApp();
    await expect(
      other.register(transactionTokenService, { service: domain.service, path: 'token' }),
    ).rejects.toMatchObject({ code: 'configuration_error' });
  });
});
