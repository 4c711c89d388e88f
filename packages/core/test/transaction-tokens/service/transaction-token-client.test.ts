import { createServer } from 'node:http';
import {
  createTrustDomain,
  type Loopback,
  listenOnLoopback,
  TRUST_DOMAIN,
  type TrustDomainFixture,
  TTS_ISSUER,
} from '@service-jwt/conformance';
import {
  createTransactionTokenClient,
  type ServiceJwtError,
  type TransactionTokenClientOptions,
} from '@service-jwt/core';
import { serveOnNode } from './serve-on-node.js';

const decode = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());

async function caught(promise: Promise<unknown>): Promise<ServiceJwtError> {
  try {
    await promise;
  } catch (err) {
    return err as ServiceJwtError;
  }
  throw new Error('expected a rejection');
}

describe('createTransactionTokenClient against the token service on loopback', () => {
  let domain: TrustDomainFixture;
  let server: Loopback;
  let options: TransactionTokenClientOptions;

  beforeAll(async () => {
    domain = await createTrustDomain();
    server = await serveOnNode(domain.service);
    options = {
      url: `${server.url}/token`,
      trustDomain: TRUST_DOMAIN,
      signer: domain.gateway,
      audience: TTS_ISSUER,
    };
  });
  afterAll(() => server.close());

  it('exchanges a user token and then asks for a narrower replacement', async () => {
    const client = createTransactionTokenClient(options);
    const issued = await client.exchange({
      subjectToken: await domain.userToken('orders.read orders.write'),
      scope: 'orders.read orders.write',
      requestContext: { req_ip: '192.0.2.1' },
      requestDetails: { orderId: '42' },
    });
    expect(issued.expiresIn).toBe(300);
    expect(decode(issued.token)).toMatchObject({
      sub: 'user-42',
      tctx: { orderId: '42' },
      rctx: { req_ip: '192.0.2.1' },
      req_wl: 'https://gateway.test',
    });
    const narrower = await client.replace(issued.token, 'orders.read');
    expect(decode(narrower.token)).toMatchObject({
      txn: decode(issued.token).txn,
      scope: 'orders.read',
    });
  });

  it('token_exchange_refused (403) for a refusal, naming the OAuth error, never the token', async () => {
    const user = await domain.userToken('orders.read');
    const err = await caught(
      createTransactionTokenClient(options).exchange({ subjectToken: user, scope: 'admin' }),
    );
    expect([err.code, err.status]).toEqual(['token_exchange_refused', 403]);
    expect(err.message).toContain('invalid_scope');
    expect(err.message).not.toContain(user);
  });

  it('token_exchange_refused when its own service token is refused', async () => {
    const err = await caught(
      createTransactionTokenClient({
        url: options.url,
        trustDomain: TRUST_DOMAIN,
        serviceToken: () => 'not-a-service-token',
      }).exchange({ subjectToken: 'user', scope: 'orders.read' }),
    );
    expect(err.code).toBe('token_exchange_refused');
  });
});

describe('createTransactionTokenClient when the service fails', () => {
  async function serve(handler: Parameters<typeof createServer>[1]): Promise<Loopback> {
    return listenOnLoopback(createServer(handler));
  }
  const exchange = (url: string, timeout?: number) =>
    createTransactionTokenClient({
      url,
      trustDomain: TRUST_DOMAIN,
      serviceToken: () => 'service-token',
      ...(timeout === undefined ? {} : { timeout }),
    }).exchange({ subjectToken: 'user', scope: 'orders.read' });

  it.each([
    ['a 500', (res: import('node:http').ServerResponse) => res.writeHead(500).end('{}')],
    [
      'a 200 that is not a token response',
      (res: import('node:http').ServerResponse) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"x"}'),
    ],
    [
      'a body past 64 KiB',
      (res: import('node:http').ServerResponse) => res.writeHead(200).end('x'.repeat(70_000)),
    ],
  ])('token_service_unavailable (503) for %s', async (_name, answer) => {
    const server = await serve((_req, res) => answer(res));
    try {
      const err = await caught(exchange(`${server.url}/token`));
      expect([err.code, err.status]).toEqual(['token_service_unavailable', 503]);
    } finally {
      await server.close();
    }
  });

  it('token_service_unavailable when the service misses the deadline', async () => {
    const server = await serve(() => undefined);
    try {
      const err = await caught(exchange(`${server.url}/token`, 100));
      expect(err.code).toBe('token_service_unavailable');
    } finally {
      await server.close();
    }
  });

  it.each([
    ['url', { url: 'not a url' }],
    ['trustDomain', { trustDomain: '' }],
    ['signer or serviceToken', { serviceToken: undefined }],
    ['timeout', { timeout: 0 }],
  ])('names %s when it is wrong', (option, override) => {
    let err: ServiceJwtError | undefined;
    try {
      createTransactionTokenClient({
        url: 'https://tts.test/token',
        trustDomain: TRUST_DOMAIN,
        serviceToken: () => 't',
        ...override,
      } as TransactionTokenClientOptions);
    } catch (e) {
      err = e as ServiceJwtError;
    }
    expect(err?.code).toBe('configuration_error');
    expect(err?.message).toContain(option);
  });
});
