import {
  createTrustDomain,
  describeTokenServiceEndpoint,
  exchangeForm,
  sendTokenRequest,
  TOKEN_PATH,
} from '@service-jwt/conformance';
import bodyParser from 'koa-bodyparser';
import { transactionTokenService } from '../src/index.js';
import { KOA_VERSIONS, listen } from './helpers.js';

describe.each(KOA_VERSIONS)('%s', (_version, Koa) => {
  describeTokenServiceEndpoint('koa', async (service) => {
    const app = new Koa();
    app.use(transactionTokenService(service, { path: TOKEN_PATH }));
    return listen(app);
  });

  it('takes the body a body parser already parsed, and passes other paths on', async () => {
    const domain = await createTrustDomain();
    const app = new Koa();
    app.use(bodyParser());
    app.use(transactionTokenService(domain.service, { path: TOKEN_PATH }));
    app.use((ctx) => {
      ctx.body = 'next';
    });
    const running = await listen(app);
    try {
      const response = await sendTokenRequest(
        running.url,
        domain,
        exchangeForm(await domain.userToken('orders.read')),
      );
      expect(response.status).toBe(200);
      expect((response.json as { token_type: string }).token_type).toBe('N_A');
      const other = await running.send({ method: 'GET', path: '/elsewhere' });
      expect(other.body).toBe('next');
    } finally {
      await running.close();
    }
  });
});

describe('koa transactionTokenService', () => {
  it('refuses a value that is not a token service', () => {
    expect(() => transactionTokenService(undefined as never)).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
  });
});
