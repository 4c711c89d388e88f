// Verify mode: how each payload format becomes core's request (target, headers, body).
import type { VerifierOptions } from '@service-jwt/core';
import type { JwksServer, TestIssuer } from '@service-jwt/testing';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type ServiceJwtEvent, withServiceJwt } from '../src/index.js';
import { httpApiEvent, lambdaContext, restApiEvent } from './events.js';
import { AUDIENCE, bearer, echo, expectError, okResult, startVerifyMode } from './helpers.js';

const PAYLOAD = Buffer.from([0x7b, 0x22, 0x78, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x00, 0x22, 0x7d]);

let issuer: TestIssuer;
let jwks: JwksServer;
let options: VerifierOptions;

beforeAll(async () => {
  ({ issuer, jwks, options } = await startVerifyMode());
});
afterAll(() => jwks.close());

describe('payload format 2.0 (HTTP API)', () => {
  it('verifies bdy over a base64-encoded body and hands the result on event.serviceJwt', async () => {
    const seen: unknown[] = [];
    const handler = withServiceJwt(
      options,
      async (event: ServiceJwtEvent<APIGatewayProxyEventV2>, context) => {
        seen.push(event.serviceJwt.claims.bdy, event.serviceJwt.token.length > 0, context);
        return okResult(event.serviceJwt);
      },
    );
    const token = await issuer.signRequest({
      method: 'POST',
      url: '/upload?x=1',
      body: PAYLOAD,
      audience: AUDIENCE,
      subject: 'u-1',
    });
    const event = httpApiEvent({
      method: 'POST',
      path: '/upload?x=1',
      headers: { ...bearer(token), 'content-type': 'application/octet-stream' },
      body: PAYLOAD,
    });
    expect(event.isBase64Encoded).toBe(true);
    const context = lambdaContext();
    const result = await handler(event, context);
    expect(result).toEqual(okResult({ issuer: issuer.issuer, subject: 'u-1' }));
    expect(seen).toEqual([expect.any(String), true, context]);
    // The runtime's event object is left as it came.
    expect('serviceJwt' in event).toBe(false);
  });

  it('refuses a base64 body changed by one byte → 401 body_hash_mismatch', async () => {
    const handler = withServiceJwt(options, echo);
    const { token, body } = await issuer.tamperedBody({
      method: 'POST',
      url: '/upload',
      body: PAYLOAD,
      audience: AUDIENCE,
    });
    const event = httpApiEvent({
      method: 'POST',
      path: '/upload',
      headers: { ...bearer(token), 'content-type': 'application/octet-stream' },
      body,
    });
    expectError(await handler(event, lambdaContext()), 401, 'body_hash_mismatch', 'invalid_token');
  });

  it('compares htu with rawPath and rawQueryString as sent', async () => {
    const handler = withServiceJwt(options, echo);
    const target = '/search?q=a%20b&q=c&sort=-date';
    const token = await issuer.signRequest({ method: 'GET', url: target, audience: AUDIENCE });
    expect(
      await handler(
        httpApiEvent({ method: 'GET', path: target, headers: bearer(token) }),
        lambdaContext(),
      ),
    ).toMatchObject({ statusCode: 200 });
    const other = await issuer.signRequest({ method: 'GET', url: target, audience: AUDIENCE });
    const event = httpApiEvent({
      method: 'GET',
      path: '/search?q=a%20b&q=c&sort=date',
      headers: bearer(other),
    });
    expectError(
      await handler(event, lambdaContext()),
      401,
      'request_binding_mismatch',
      'invalid_token',
    );
  });

  it('a named stage is part of rawPath; requestBinding.mountPrefix strips it', async () => {
    const token = () => issuer.signRequest({ method: 'GET', url: '/orders', audience: AUDIENCE });
    const event = async () =>
      httpApiEvent(
        { method: 'GET', path: '/orders', headers: bearer(await token()) },
        { stage: 'prod' },
      );
    expectError(
      await withServiceJwt(options, echo)(await event(), lambdaContext()),
      401,
      'request_binding_mismatch',
    );
    const prefixed = withServiceJwt({ ...options, requestBinding: { mountPrefix: '/prod' } }, echo);
    expect(await prefixed(await event(), lambdaContext())).toMatchObject({ statusCode: 200 });
  });

  it('comma-joined Authorization values (a repeated header) → 400 token_duplicated', async () => {
    const token = await issuer.sign({}, { audience: AUDIENCE });
    const event = httpApiEvent({
      method: 'GET',
      path: '/',
      headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] },
    });
    expect(event.headers.authorization).toContain(',');
    expectError(
      await withServiceJwt(options, echo)(event, lambdaContext()),
      400,
      'token_duplicated',
      'invalid_request',
    );
  });
});

describe('payload format 1.0 (REST API)', () => {
  it('verifies a base64-encoded body and the target the client sent (stage included)', async () => {
    const handler = withServiceJwt(options, echo);
    const token = await issuer.signRequest({
      method: 'PUT',
      url: '/prod/files/7',
      body: PAYLOAD,
      audience: AUDIENCE,
    });
    const event = restApiEvent({
      method: 'PUT',
      path: '/files/7',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
      body: PAYLOAD,
    });
    expect(event.isBase64Encoded).toBe(true);
    expect(event.requestContext.path).toBe('/prod/files/7');
    expect(await handler(event, lambdaContext())).toMatchObject({ statusCode: 200 });
  });

  it('a token signed for the path without the stage needs requestBinding.mountPrefix', async () => {
    const event = async () =>
      restApiEvent({
        method: 'GET',
        path: '/files/7',
        headers: bearer(
          await issuer.signRequest({ method: 'GET', url: '/files/7', audience: AUDIENCE }),
        ),
      });
    expectError(
      await withServiceJwt(options, echo)(await event(), lambdaContext()),
      401,
      'request_binding_mismatch',
    );
    const prefixed = withServiceJwt({ ...options, requestBinding: { mountPrefix: '/prod' } }, echo);
    expect(await prefixed(await event(), lambdaContext())).toMatchObject({ statusCode: 200 });
  });

  it('rebuilds the query from multiValueQueryStringParameters: grouped keys, encodeURIComponent', async () => {
    const handler = withServiceJwt(options, echo);
    const send = async (sent: string, signed: string) => {
      const token = await issuer.signRequest({
        method: 'GET',
        url: `/prod${signed}`,
        audience: AUDIENCE,
      });
      return handler(
        restApiEvent({ method: 'GET', path: sent, headers: bearer(token) }),
        lambdaContext(),
      );
    };
    // Canonical spelling: accepted.
    expect(await send('/s?q=a%20b&q=c&page=2', '/s?q=a%20b&q=c&page=2')).toMatchObject({
      statusCode: 200,
    });
    // Documented limitation: interleaved repeats and other encodings can't be rebuilt → refused.
    expectError(
      await send('/s?q=a&page=2&q=c', '/s?q=a&page=2&q=c'),
      401,
      'request_binding_mismatch',
    );
    expectError(await send('/s?q=%7e', '/s?q=%7e'), 401, 'request_binding_mismatch');
    // A tampered query value is refused, of course.
    expectError(await send('/s?page=3', '/s?page=2'), 401, 'request_binding_mismatch');
  });

  it('falls back to queryStringParameters when the multi-value map is absent', async () => {
    const token = await issuer.signRequest({
      method: 'GET',
      url: '/prod/s?page=2',
      audience: AUDIENCE,
    });
    const event = {
      ...restApiEvent({ method: 'GET', path: '/s?page=2', headers: bearer(token) }),
      multiValueQueryStringParameters: null,
    };
    expect(await withServiceJwt(options, echo)(event, lambdaContext())).toMatchObject({
      statusCode: 200,
    });
  });

  it('two Authorization values, in any spelling of the name → 400 token_duplicated', async () => {
    const token = await issuer.sign({}, { audience: AUDIENCE });
    const handler = withServiceJwt(options, echo);
    const twice = restApiEvent({
      method: 'GET',
      path: '/',
      headers: { Authorization: [`Bearer ${token}`, `Bearer ${token}`] },
    });
    expectError(await handler(twice, lambdaContext()), 400, 'token_duplicated', 'invalid_request');
    const spellings = restApiEvent({
      method: 'GET',
      path: '/',
      headers: { Authorization: `Bearer ${token}`, authorization: `Bearer ${token}` },
    });
    expectError(
      await handler(spellings, lambdaContext()),
      400,
      'token_duplicated',
      'invalid_request',
    );
    // Without multiValueHeaders, `headers` under two spellings is still two credentials.
    expectError(
      await handler({ ...spellings, multiValueHeaders: {} as never }, lambdaContext()),
      400,
      'token_duplicated',
    );
    const single = {
      ...restApiEvent({ method: 'GET', path: '/', headers: { AUTHORIZATION: `Bearer ${token}` } }),
      multiValueHeaders: null as never,
    };
    expect(await handler(single, lambdaContext())).toMatchObject({ statusCode: 200 });
  });
});
