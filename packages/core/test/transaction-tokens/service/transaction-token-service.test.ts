import {
  createTrustDomain,
  describeTokenServiceEndpoint,
  exchangeForm,
  type Loopback,
  sendTokenRequest,
  type TrustDomainFixture,
  TXN_TOKEN_URN,
} from '@service-jwt/conformance';
import {
  createTransactionTokenService,
  type ServiceJwtError,
  type SubjectTokenInfo,
  type TransactionTokenServiceOptions,
} from '@service-jwt/core';
import { serveOnNode } from './serve-on-node.js';

describeTokenServiceEndpoint('core on node:http', serveOnNode);

const decode = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as Record<
    string,
    unknown
  >;

async function domainWithServer(options: Partial<TransactionTokenServiceOptions> = {}) {
  const domain = await createTrustDomain(options);
  const server = await serveOnNode(domain.service);
  return { domain, server };
}

function poster(domain: TrustDomainFixture, server: Loopback) {
  return async (body: string) => {
    const response = await sendTokenRequest(server.url, domain, body);
    return {
      status: response.status,
      json: response.json as Record<string, string>,
      body: response.body,
    };
  };
}

describe('replacement', () => {
  let domain: TrustDomainFixture;
  let server: Loopback;
  let post: ReturnType<typeof poster>;
  let original: string;

  beforeAll(async () => {
    ({ domain, server } = await domainWithServer({ maxReplacements: 2 }));
    post = poster(domain, server);
  });
  beforeEach(async () => {
    const user = await domain.userToken('orders.read orders.write');
    const first = await post(exchangeForm(user, { scope: 'orders.read orders.write' }));
    original = first.json.access_token as string;
  });
  afterAll(() => server.close());

  const replace = (token: string, overrides: Record<string, string | undefined> = {}) =>
    post(
      exchangeForm(token, {
        subject_token_type: TXN_TOKEN_URN,
        scope: 'orders.read',
        request_context: undefined,
        request_details: undefined,
        ...overrides,
      }),
    );

  it('keeps txn, sub, tctx and rctx, narrows scope, records the requester chain', async () => {
    const response = await replace(original);
    expect(response.status).toBe(200);
    const before = decode(original);
    const after = decode(response.json.access_token as string);
    expect(after).toMatchObject({
      txn: before.txn,
      sub: 'user-42',
      tctx: before.tctx,
      rctx: before.rctx,
      scope: 'orders.read',
      req_wl_chain: ['https://gateway.test'],
    });
  });

  it('accepts request_details equal to the tctx it already has', async () => {
    const same = JSON.stringify({ action: 'BUY', ticker: 'MSFT', quantity: '100' });
    expect((await replace(original, { request_details: same })).status).toBe(200);
  });

  it.each([
    ['a wider scope', { scope: 'orders.read orders.write orders.delete' }, 'invalid_scope'],
    [
      'a changed tctx',
      { request_details: JSON.stringify({ action: 'SELL', ticker: 'MSFT', quantity: '100' }) },
      'invalid_request',
    ],
    [
      'a changed rctx',
      { request_context: JSON.stringify({ req_ip: '203.0.113.9' }) },
      'invalid_request',
    ],
  ])('refuses %s', async (_name, overrides, error) => {
    const response = await replace(original, overrides);
    expect(response.status).toBe(400);
    expect(response.json.error).toBe(error);
    expect(response.body).not.toContain(original);
  });

  it('refuses an expired original (invalid_grant)', async () => {
    domain.advance(301);
    try {
      const response = await replace(original);
      expect([response.status, response.json.error]).toEqual([400, 'invalid_grant']);
    } finally {
      domain.advance(-301);
    }
  });

  it('refuses an original signed by another token service (invalid_grant)', async () => {
    const foreign = await domain.foreignService.handle({
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Bearer ${await domain.gatewayToken()}`,
      },
      body: exchangeForm(await domain.userToken('orders.read')),
    });
    const token = (foreign.body as { access_token: string }).access_token;
    const response = await replace(token);
    expect([response.status, response.json.error]).toEqual([400, 'invalid_grant']);
  });

  it('refuses a user token presented as a Txn-Token (invalid_grant)', async () => {
    const response = await replace(await domain.userToken('orders.read'));
    expect([response.status, response.json.error]).toEqual([400, 'invalid_grant']);
  });

  it('bounds the number of replacements of one transaction', async () => {
    const second = await replace(original);
    const third = await replace(second.json.access_token as string);
    expect(third.status).toBe(200);
    const fourth = await replace(third.json.access_token as string);
    expect([fourth.status, fourth.json.error]).toEqual([400, 'invalid_grant']);
  });
});

describe('exchange rules', () => {
  it('refuses a subject token without a known scope unless a scope policy says', async () => {
    const noScope = await domainWithServer({
      verifySubjectToken: () => ({ sub: 'user-1' }),
    });
    const refused = await poster(noScope.domain, noScope.server)(exchangeForm('opaque'));
    expect([refused.status, refused.json.error]).toEqual([400, 'invalid_scope']);
    await noScope.server.close();

    const policy = await domainWithServer({
      verifySubjectToken: () => ({ sub: 'user-1' }),
      scopePolicy: ({ workload }) => (workload === 'https://gateway.test' ? ['orders.read'] : []),
    });
    const granted = await poster(policy.domain, policy.server)(exchangeForm('opaque'));
    expect(granted.status).toBe(200);
    expect(decode(granted.json.access_token as string).scope).toBe('orders.read');
    await policy.server.close();
  });

  it('refuses an expired subject token even when its verifier let it through', async () => {
    const { domain, server } = await domainWithServer({
      verifySubjectToken: (): SubjectTokenInfo => ({ sub: 'u', scope: 'orders.read', exp: 1 }),
    });
    const response = await poster(domain, server)(exchangeForm('opaque'));
    expect([response.status, response.json.error]).toEqual([400, 'invalid_grant']);
    await server.close();
  });

  it('answers 503 when the subject verifier misses its deadline, 500 when it throws a bug', async () => {
    let signal: AbortSignal | undefined;
    const slow = await domainWithServer({
      subjectTokenTimeout: 50,
      verifySubjectToken: (_token, context) => {
        signal = context.signal;
        return new Promise<null>(() => undefined);
      },
    });
    const late = await sendTokenRequest(slow.server.url, slow.domain, exchangeForm('opaque'));
    expect([late.status, (late.json as { error: string }).error]).toEqual([
      503,
      'temporarily_unavailable',
    ]);
    expect(late.headers['retry-after']).toBe('5');
    expect(signal?.aborted).toBe(true);
    await slow.server.close();

    const buggy = await domainWithServer({
      verifySubjectToken: () => {
        throw new TypeError('bug');
      },
    });
    const failed = await poster(buggy.domain, buggy.server)(exchangeForm('opaque'));
    expect([failed.status, failed.json.error]).toEqual([500, 'server_error']);
    await buggy.server.close();
  });

  it.each([
    ['request_details that is not an object', { request_details: '[1,2]' }],
    ['request_details that is not JSON', { request_details: '{nope' }],
    [
      'request_context nested too deep',
      { request_context: '{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}' },
    ],
    ['request_context too large', { request_context: JSON.stringify({ a: 'x'.repeat(2100) }) }],
    [
      'a refresh token as subject',
      { subject_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' },
    ],
    ['an unknown subject token type', { subject_token_type: 'urn:example:saml' }],
    [
      'another requested token type',
      { requested_token_type: 'urn:ietf:params:oauth:token-type:access_token' },
    ],
    [
      'an actor token',
      { actor_token: 'x', actor_token_type: 'urn:ietf:params:oauth:token-type:jwt' },
    ],
    ['a missing scope', { scope: undefined }],
    ['a missing subject_token', { subject_token: undefined }],
  ])('invalid_request for %s', async (_name, overrides) => {
    const { domain, server } = await domainWithServer();
    const user = await domain.userToken('orders.read');
    const response = await poster(domain, server)(exchangeForm(user, overrides));
    expect([response.status, response.json.error]).toEqual([400, 'invalid_request']);
    expect(response.body).not.toContain(user);
    await server.close();
  });

  it.each([
    ['a malformed scope', { scope: 'orders.read  orders.write' }, 'invalid_scope'],
    ['a resource parameter', { resource: 'https://billing.test' }, 'invalid_target'],
  ])('refuses %s', async (_name, overrides, error) => {
    const { domain, server } = await domainWithServer();
    const response = await poster(
      domain,
      server,
    )(exchangeForm(await domain.userToken('orders.read'), overrides));
    expect([response.status, response.json.error]).toEqual([400, error]);
    await server.close();
  });

  it('builds tctx and rctx with buildContext when configured (the service is authoritative)', async () => {
    const { domain, server } = await domainWithServer({
      buildContext: ({ requestDetails, workload }) => ({
        tctx: { ...requestDetails, customer_type: { geo: 'US', level: 'VIP' } },
        rctx: { req_wl_seen: workload },
      }),
    });
    const response = await poster(
      domain,
      server,
    )(exchangeForm(await domain.userToken('orders.read')));
    expect(decode(response.json.access_token as string)).toMatchObject({
      tctx: { action: 'BUY', customer_type: { geo: 'US', level: 'VIP' } },
      rctx: { req_wl_seen: 'https://gateway.test' },
    });
    await server.close();
  });
});

describe('size of what is minted', () => {
  it('refuses a transaction whose contexts would make the Txn-Token outgrow maxTokenBytes', async () => {
    const { domain, server } = await domainWithServer({
      buildContext: ({ requestDetails }) => ({
        tctx: { ...requestDetails, pad: 'x'.repeat(9000) },
      }),
    });
    const response = await poster(
      domain,
      server,
    )(exchangeForm(await domain.userToken('orders.read')));
    expect([response.status, response.json.error]).toEqual([400, 'invalid_request']);
    await server.close();
  });
});

describe('draft-ietf-oauth-transaction-tokens-10 examples', () => {
  // §"Txn-Token Request", figure "Example: Txn-Token Request": its request_context and
  // request_details, form-encoded exactly as printed, become rctx and tctx of the example body.
  const DRAFT_REQUEST_CONTEXT =
    '%7B%0A%20%20%20%20%20%20%22req_ip%22%3A%20%2269.151.72.123%22%2C%20%0A%20%20%20%20%20%20%22authn%22%3A%20%22face%22%0A%7D';
  const DRAFT_REQUEST_DETAILS =
    '%7B%0A%20%20%20%20%20%20%22action%22%3A%20%22BUY%22%2C%0A%20%20%20%20%20%20%22ticker%22%3A%20%22MSFT%22%2C%0A%20%20%20%20%20%20%22quantity%22%3A%20%22100%22%0A%7D';

  it('maps the example request to the example claims (rctx from request_context, tctx from request_details)', async () => {
    const { domain, server } = await domainWithServer({
      trustDomain: 'trust-domain.example',
      verifySubjectToken: () => ({ sub: 'd084sdrt234fsaw34tr23t', scope: 'trade.stocks' }),
    });
    const body = [
      'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange',
      'requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Atxn_token',
      'audience=trust-domain.example',
      'scope=trade.stocks',
      'subject_token=eyJhbGciOiJFUzI1NiIsImtpZC...kdXjwhw',
      'subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token',
      `request_context=${DRAFT_REQUEST_CONTEXT}`,
      `request_details=${DRAFT_REQUEST_DETAILS}`,
    ].join('&');
    const response = await poster(domain, server)(body);
    expect(response.status).toBe(200);
    const claims = decode(response.json.access_token as string);
    expect(claims).toMatchObject({
      aud: 'trust-domain.example',
      sub: 'd084sdrt234fsaw34tr23t',
      scope: 'trade.stocks',
      req_wl: 'https://gateway.test',
      rctx: { req_ip: '69.151.72.123', authn: 'face' },
      tctx: { action: 'BUY', ticker: 'MSFT', quantity: '100' },
    });
    expect(claims.txn).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);
    // §"JWT Header", figure "Example: Txn-Token Header": typ, alg and kid.
    const header = JSON.parse(
      Buffer.from(
        (response.json.access_token as string).split('.')[0] as string,
        'base64url',
      ).toString(),
    );
    expect(Object.keys(header).sort()).toEqual(['alg', 'kid', 'typ']);
    expect(header.typ).toBe('txntoken+jwt');
    // §"Txn-Token Response": exactly these members, no refresh_token.
    expect(Object.keys(response.json).sort()).toEqual([
      'access_token',
      'expires_in',
      'issued_token_type',
      'token_type',
    ]);
    await server.close();
  });
});

describe('options', () => {
  it.each([
    ['trustDomain', { trustDomain: '' }],
    ['issuer', { issuer: undefined }],
    ['workloadVerifier', { workloadVerifier: {} }],
    ['workloads', { workloads: [] }],
    ['verifySubjectToken', { verifySubjectToken: 'x' }],
    [
      'subjectTokenTypes',
      { subjectTokenTypes: ['urn:ietf:params:oauth:token-type:refresh_token'] },
    ],
    ['lifetime', { lifetime: 3600 }],
    ['maxReplacements', { maxReplacements: -1 }],
    ['keys', { keys: 'a'.repeat(40) }],
    ['keys', { keys: { kty: 'oct', k: Buffer.alloc(32, 1).toString('base64url') } }],
  ])('names %s when it is wrong', async (option, override) => {
    let caught: ServiceJwtError | undefined;
    try {
      createTransactionTokenService({
        ...(await validOptions()),
        ...(override as object),
      } as TransactionTokenServiceOptions);
    } catch (err) {
      caught = err as ServiceJwtError;
    }
    expect(caught?.code).toBe('configuration_error');
    expect(caught?.message).toContain(option);
  });
});

async function validOptions(): Promise<TransactionTokenServiceOptions> {
  const { generateKeyPair, createVerifier } = await import('@service-jwt/core');
  const key = await generateKeyPair('ES256');
  return {
    trustDomain: 'trust-domain.example',
    issuer: 'https://tts.test',
    keys: key.privateKey,
    workloadVerifier: createVerifier({
      issuers: { 'https://gw.test': { publicKey: key.publicKey } },
      audience: 'https://tts.test',
    }),
    workloads: ['https://gw.test'],
    verifySubjectToken: () => null,
  };
}

describe('logging', () => {
  it('logs an issuance with txn, req_wl and the SHA-256 of the token, never the token', async () => {
    const lines: Array<[string, Record<string, unknown>, string]> = [];
    const record = (level: string) => (fields: Record<string, unknown>, message: string) =>
      lines.push([level, fields, message]);
    const logger = {
      error: record('error'),
      warn: record('warn'),
      info: record('info'),
      debug: record('debug'),
    };
    const { domain, server } = await domainWithServer({ logger });
    const user = await domain.userToken('orders.read');
    const post = poster(domain, server);
    const response = await post(exchangeForm(user));
    await post(exchangeForm(user, { scope: 'admin' }));
    await server.close();
    const token = response.json.access_token as string;
    const { createHash } = await import('node:crypto');
    expect(lines[0]).toEqual([
      'info',
      {
        txn: decode(token).txn,
        req_wl: 'https://gateway.test',
        replacement: false,
        txn_token_sha256: createHash('sha256').update(token).digest('base64url'),
      },
      expect.any(String),
    ]);
    expect(lines[1]?.[0]).toBe('debug');
    expect(lines[1]?.[1]).toEqual({ error: 'invalid_scope', status: 400 });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(token);
    expect(text).not.toContain(user);
  });
});
