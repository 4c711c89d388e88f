import { createServer } from 'node:http';
import {
  createTrustDomain,
  describeTokenServiceEndpoint,
  exchangeForm,
  listenOnLoopback,
  sendRawRequest,
  sendTokenRequest,
  TOKEN_PATH,
  TTS_ISSUER,
} from '@service-jwt/conformance';
import { transactionTokenService } from '../src/index.js';
import { MAJORS } from './helpers.js';

describe.each(MAJORS)('%s', (_major, express) => {
  describeTokenServiceEndpoint('express', (service) => {
    const app = express();
    app.all(TOKEN_PATH, transactionTokenService(service));
    return listenOnLoopback(createServer(app));
  });

  it('binds a workload token to the target as sent when mounted under a prefix', async () => {
    const domain = await createTrustDomain();
    const app = express();
    const router = express.Router();
    router.all('/token', transactionTokenService(domain.service));
    app.use('/tts', router);
    const server = await listenOnLoopback(createServer(app));
    try {
      const form = exchangeForm(await domain.userToken('orders.read'));
      const bound = await domain.gateway.signRequest({
        method: 'POST',
        url: '/tts/token',
        body: form,
        audience: TTS_ISSUER,
      });
      const response = await sendRawRequest(server.url, {
        method: 'POST',
        path: '/tts/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Bearer ${bound}`,
        },
        body: form,
      });
      expect(response.status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('refuses a parameter the extended parser turned into an array (a repeated one)', async () => {
    const domain = await createTrustDomain();
    const app = express();
    app.use(express.urlencoded({ extended: true }));
    app.all(TOKEN_PATH, transactionTokenService(domain.service));
    const server = await listenOnLoopback(createServer(app));
    try {
      const form = exchangeForm(await domain.userToken('orders.read'));
      const response = await sendTokenRequest(server.url, domain, `${form}&scope=orders.read`);
      expect([response.status, (response.json as { error: string }).error]).toEqual([
        400,
        'invalid_request',
      ]);
    } finally {
      await server.close();
    }
  });

  it('takes the body express.urlencoded() already parsed', async () => {
    const domain = await createTrustDomain();
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.all(TOKEN_PATH, transactionTokenService(domain.service));
    const server = await listenOnLoopback(createServer(app));
    try {
      const response = await sendTokenRequest(
        server.url,
        domain,
        exchangeForm(await domain.userToken('orders.read')),
      );
      expect(response.status).toBe(200);
      expect((response.json as { token_type: string }).token_type).toBe('N_A');
    } finally {
      await server.close();
    }
  });
});

describe('express transactionTokenService', () => {
  it('refuses a value that is not a token service, naming it', () => {
    expect(() => transactionTokenService({} as never)).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
  });
});
