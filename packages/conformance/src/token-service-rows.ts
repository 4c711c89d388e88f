import type { TransactionTokenService } from '@service-jwt/core';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Loopback } from './loopback.js';
import { type RawResponse, sendRawRequest } from './raw-request.js';
import {
  BATCH,
  createTrustDomain,
  exchangeForm,
  GATEWAY,
  sendTokenRequest,
  TOKEN_PATH,
  TRUST_DOMAIN,
  type TrustDomainFixture,
  TTS_ISSUER,
  TXN_TOKEN_URN,
} from './txn-token-service-fixture.js';

/** Serves `service` at {@link TOKEN_PATH} on loopback through one adapter's handler. */
export type ServeTokenService = (
  service: TransactionTokenService,
) => Promise<Pick<Loopback, 'url' | 'close'>>;

const FORM = 'application/x-www-form-urlencoded';

/**
 * The token service's behaviour every adapter must reproduce over real HTTP: one issuance
 * (checked with `jose`) and one replacement, then each refusal with its status, RFC 6749 §5.2
 * `error`, `Cache-Control: no-store`, and no token echoed.
 */
export function describeTokenServiceEndpoint(adapter: string, serve: ServeTokenService): void {
  describe(`${adapter}: Transaction Token Service endpoint`, () => {
    let domain: TrustDomainFixture;
    let server: Pick<Loopback, 'url' | 'close'>;

    beforeAll(async () => {
      domain = await createTrustDomain();
      server = await serve(domain.service);
    });
    afterAll(() => server.close());

    const post = (body: string, headers: Record<string, string> = {}) =>
      sendTokenRequest(server.url, domain, body, headers);

    function expectRefusal(response: RawResponse, status: number, error: string, secret: string) {
      expect(response.status).toBe(status);
      expect(response.json).toEqual({ error, error_description: expect.any(String) });
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).not.toContain(secret);
    }

    it('exchanges a user token for a Txn-Token that jose verifies under the same rules', async () => {
      const user = await domain.userToken('orders.read orders.write');
      const response = await post(exchangeForm(user));
      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.json as Record<string, unknown>;
      expect(body).toEqual({
        access_token: expect.any(String),
        issued_token_type: TXN_TOKEN_URN,
        token_type: 'N_A',
        expires_in: 300,
      });
      const { payload, protectedHeader } = await jwtVerify(
        body.access_token as string,
        createLocalJWKSet(domain.service.jwks()),
        {
          typ: 'txntoken+jwt',
          audience: TRUST_DOMAIN,
          issuer: TTS_ISSUER,
          requiredClaims: ['txn', 'sub', 'scope', 'req_wl', 'iat', 'exp'],
          currentDate: new Date(domain.now()),
        },
      );
      expect(protectedHeader.typ).toBe('txntoken+jwt');
      expect(payload).toMatchObject({
        sub: 'user-42',
        scope: 'orders.read',
        req_wl: GATEWAY,
        tctx: { action: 'BUY', ticker: 'MSFT', quantity: '100' },
        rctx: { req_ip: '192.0.2.7', authn: 'pwd' },
      });
    });

    it('replaces a Txn-Token with a narrower one of the same txn, sub and tctx', async () => {
      const user = await domain.userToken('orders.read orders.write');
      const first = await post(exchangeForm(user, { scope: 'orders.read orders.write' }));
      const original = (first.json as { access_token: string }).access_token;
      const response = await post(
        exchangeForm(original, {
          subject_token_type: TXN_TOKEN_URN,
          scope: 'orders.read',
          request_context: undefined,
          request_details: undefined,
        }),
      );
      expect(response.status).toBe(200);
      const decode = (token: string) =>
        JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
      const before = decode(original);
      const after = decode((response.json as { access_token: string }).access_token);
      expect(after).toMatchObject({ txn: before.txn, sub: before.sub, tctx: before.tctx });
      expect(after.scope).toBe('orders.read');
    });

    it('400 invalid_scope for a replacement wider than the Txn-Token it replaces', async () => {
      const user = await domain.userToken('orders.read orders.write');
      const first = await post(exchangeForm(user, { scope: 'orders.read' }));
      const original = (first.json as { access_token: string }).access_token;
      const response = await post(
        exchangeForm(original, {
          subject_token_type: TXN_TOKEN_URN,
          scope: 'orders.read orders.write',
          request_context: undefined,
          request_details: undefined,
        }),
      );
      // Wider than the original, though within what the user's own token holds.
      expectRefusal(response, 400, 'invalid_scope', original);
    });

    it('checks a workload token bound to the request (bdy, htm, htu) against the raw body', async () => {
      const form = exchangeForm(await domain.userToken('orders.read'));
      const bound = await domain.gateway.signRequest({
        method: 'POST',
        url: TOKEN_PATH,
        body: form,
        audience: TTS_ISSUER,
      });
      const accepted = await post(form, { authorization: `Bearer ${bound}` });
      expect(accepted.status).toBe(200);
      const tampered = form.replace('orders.read', 'orders.write');
      const refused = await post(tampered, { authorization: `Bearer ${bound}` });
      expectRefusal(refused, 401, 'invalid_client', bound);
    });

    it('401 invalid_client without a workload token, challenge without an error code', async () => {
      const user = await domain.userToken('orders.read');
      const response = await sendRawRequest(server.url, {
        method: 'POST',
        path: TOKEN_PATH,
        headers: { 'content-type': FORM },
        body: exchangeForm(user),
      });
      expectRefusal(response, 401, 'invalid_client', user);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="txn-token-service"');
    });

    it('401 invalid_client for a refused workload token (a user token in its place)', async () => {
      const user = await domain.userToken('orders.read');
      const response = await post(exchangeForm(user), { authorization: `Bearer ${user}` });
      expectRefusal(response, 401, 'invalid_client', user);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="txn-token-service", error="invalid_token"',
      );
    });

    it('400 unauthorized_client for a trusted workload not allowed to ask', async () => {
      const user = await domain.userToken('orders.read');
      const response = await post(exchangeForm(user), {
        authorization: `Bearer ${await domain.batchToken()}`,
      });
      expectRefusal(response, 400, 'unauthorized_client', user);
      expect(BATCH).not.toBe(GATEWAY);
    });

    it('405 for another method, 415 for another media type, 413 past the body limit', async () => {
      const user = await domain.userToken('orders.read');
      const get = await sendRawRequest(server.url, {
        method: 'GET',
        path: TOKEN_PATH,
        headers: { authorization: `Bearer ${await domain.gatewayToken()}` },
      });
      expectRefusal(get, 405, 'invalid_request', user);
      expect(get.headers.allow).toBe('POST');
      const json = await post(JSON.stringify({ subject_token: user }), {
        'content-type': 'application/json',
      });
      expectRefusal(json, 415, 'invalid_request', user);
      const big = await post(exchangeForm(user, { padding: 'x'.repeat(70_000) }));
      expectRefusal(big, 413, 'invalid_request', user);
    });

    it.each([
      ['a repeated parameter', { scope: 'orders.read' }, 'scope=orders.read', 'invalid_request'],
      ['another grant type', { grant_type: 'client_credentials' }, '', 'unsupported_grant_type'],
      ['another audience', { audience: 'elsewhere.example' }, '', 'invalid_target'],
      ['a scope wider than the user token', { scope: 'orders.write' }, '', 'invalid_scope'],
      ['a missing subject_token_type', { subject_token_type: undefined }, '', 'invalid_request'],
    ])('400 for %s', async (_name, overrides, extra, error) => {
      const user = await domain.userToken('orders.read');
      const form = exchangeForm(user, overrides);
      const response = await post(extra === '' ? form : `${form}&${extra}`);
      expectRefusal(response, 400, error, user);
    });

    it('400 invalid_grant for a subject token that does not verify', async () => {
      const user = await domain.userToken('orders.read');
      const tampered = `${user.slice(0, -4)}AAAA`;
      const response = await post(exchangeForm(tampered));
      expectRefusal(response, 400, 'invalid_grant', tampered);
    });
  });
}
