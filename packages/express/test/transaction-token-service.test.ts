import { createServer } from 'node:http';
import {
  createTrustDomain,
  describeTokenServiceEndpoint,
  exchangeForm,
  listenOnLoopback,
  sendTokenRequest,
  TOKEN_PATH,
} from '@service-jwt/conformance';
import { transactionTokenService } from '../src/index.js';
import { MAJORS } from './helpers.js';

describe.each(MAJORS)('%s', (_major, express) => {
  describeTokenServiceEndpoint('express', (service) => {
    const app = express();
    app.all(TOKEN_PATH, transactionTokenService(service));
    return listenOnLoopback(createServer(app));
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
