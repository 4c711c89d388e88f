import { createTestIssuer, type TestIssuer } from '@service-jwt/testing';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import {
  type AuthorizedServiceJwt,
  decodeAuthorizerClaims,
  type ServiceJwtEvent,
  withServiceJwt,
} from '../src/index.js';
import {
  gatewayClaims,
  httpApiEvent,
  httpApiJwtEvent,
  lambdaContext,
  restApiEvent,
} from './events.js';

function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

import { expectConfigurationError, expectError, okResult } from './helpers.js';

const AUDIENCE = 'https://census.service/';
const NOW = Date.UTC(2026, 0, 1);

let users: TestIssuer;
/** The same user service minting user tokens: no `source` claim. */
let userIssuer: TestIssuer;

beforeAll(async () => {
  users = await createTestIssuer({ issuer: 'https://users.service/', now: () => NOW });
  userIssuer = await createTestIssuer({
    issuer: 'https://users.service/',
    source: false,
    now: () => NOW,
  });
});

/** The claims API Gateway's JWT authorizer would pass on after verifying a real token. */
async function authorizerClaims(claims: Record<string, unknown>, subject = 'user-42') {
  const token = await users.sign(claims, { audience: AUDIENCE, subject });
  return gatewayClaims(decodeJwt(token));
}

const echo = async (event: ServiceJwtEvent<unknown, AuthorizedServiceJwt>) =>
  okResult(event.serviceJwt);

const EMAIL_VERIFIED = (value: unknown) => (value as { v?: unknown } | undefined)?.v === true;

describe('authorizer mode', () => {
  const rules = {
    mode: 'authorizer',
    claims: {
      'st-ev': EMAIL_VERIFIED,
      roles: { includes: 'admin' },
      scope: { includes: 'orders:write' },
    },
    callers: { issuers: ['https://users.service/'] },
  } as const;

  it('decodes HTTP API JWT authorizer claims and applies the claim rules', async () => {
    const seen: AuthorizedServiceJwt[] = [];
    const handler = withServiceJwt(
      rules,
      async (
        event: ServiceJwtEvent<APIGatewayProxyEventV2WithJWTAuthorizer, AuthorizedServiceJwt>,
      ) => {
        seen.push(event.serviceJwt);
        return okResult(event.serviceJwt);
      },
    );
    const claims = await authorizerClaims({
      roles: ['admin', 'ops'],
      'st-ev': { v: true, t: NOW },
      scope: 'orders:read orders:write',
      email_verified: true,
      account: '00042',
    });
    expect(claims.roles).toBe('[admin ops]');
    const result = await handler(
      httpApiJwtEvent({ method: 'GET', path: '/orders' }, claims),
      lambdaContext(),
    );
    expect(result).toEqual(okResult({ issuer: 'https://users.service/', subject: 'user-42' }));
    const decoded = seen[0]!;
    expect(decoded.claims.roles).toEqual(['admin', 'ops']);
    expect(decoded.claims['st-ev']).toEqual({ v: true, t: NOW });
    expect(decoded.claims.exp).toBe(NOW / 1000 + 300);
    expect(decoded.claims.email_verified).toBe(true);
    expect(decoded.claims.account).toBe('00042');
    expect(Object.isFrozen(decoded.claims)).toBe(true);
    expect(Object.getPrototypeOf(decoded.claims)).toBeNull();
    expect('token' in decoded).toBe(false);
  });

  it('reads REST API Cognito authorizer claims (requestContext.authorizer.claims)', async () => {
    const handler = withServiceJwt(rules, echo);
    const claims = await authorizerClaims({
      roles: ['admin'],
      'st-ev': { v: true },
      scope: 'orders:write',
    });
    const event = restApiEvent(
      { method: 'POST', path: '/orders', body: '{}' },
      { authorizerClaims: claims },
    );
    expect(await handler(event, lambdaContext())).toEqual(
      okResult({ issuer: 'https://users.service/', subject: 'user-42' }),
    );
  });

  it.each([
    {
      name: 'email not verified',
      claims: { roles: ['admin'], 'st-ev': { v: false }, scope: 'orders:write' },
      code: 'claim_check_failed',
    },
    {
      name: 'missing role',
      claims: { roles: ['ops'], 'st-ev': { v: true }, scope: 'orders:write' },
      code: 'claim_check_failed',
    },
    {
      name: 'missing scope',
      claims: { roles: ['admin'], 'st-ev': { v: true }, scope: 'orders:read' },
      code: 'claim_check_failed',
    },
    {
      name: 'a user token (no source claim)',
      claims: { roles: ['admin'], 'st-ev': { v: true }, scope: 'orders:write' },
      code: 'source_mismatch',
      userToken: true,
    },
  ])('$name → 403 $code', async ({ claims, code, userToken }) => {
    const signer = userToken === true ? userIssuer : users;
    const token = await signer.sign(claims, { audience: AUDIENCE, subject: 'user-42' });
    const event = httpApiJwtEvent({ method: 'GET', path: '/' }, gatewayClaims(decodeJwt(token)));
    const result = await withServiceJwt(rules, echo)(event, lambdaContext());
    expectError(result, 403, code, 'insufficient_scope');
  });

  it('a caller that is not allowed → 403 caller_not_allowed; a required claim missing → 401', async () => {
    const strangers = await createTestIssuer({
      issuer: 'https://stranger.service/',
      now: () => NOW,
    });
    const token = await strangers.sign(
      { roles: ['admin'], 'st-ev': { v: true }, scope: 'orders:write' },
      { audience: AUDIENCE },
    );
    const event = httpApiJwtEvent({ method: 'GET', path: '/' }, gatewayClaims(decodeJwt(token)));
    expectError(
      await withServiceJwt(rules, echo)(event, lambdaContext()),
      403,
      'caller_not_allowed',
      'insufficient_scope',
    );
    const needsTenant = withServiceJwt({ mode: 'authorizer', requiredClaims: ['tenant'] }, echo);
    const claims = await authorizerClaims({});
    expectError(
      await needsTenant(httpApiJwtEvent({ method: 'GET', path: '/' }, claims), lambdaContext()),
      401,
      'claim_missing',
      'invalid_token',
    );
  });

  it('no authorizer context → 401 token_missing, even with a valid token in the headers', async () => {
    const handler = withServiceJwt({ mode: 'authorizer' }, echo);
    const token = await users.sign({}, { audience: AUDIENCE });
    const headers = { authorization: `Bearer ${token}` };
    expectError(
      await handler(httpApiEvent({ method: 'GET', path: '/', headers }), lambdaContext()),
      401,
      'token_missing',
      'bare',
    );
    expectError(
      await handler(restApiEvent({ method: 'GET', path: '/', headers }), lambdaContext()),
      401,
      'token_missing',
      'bare',
    );
    // A Lambda (REQUEST) authorizer's flat context is not a JWT authorizer's claims.
    const flat = restApiEvent({ method: 'GET', path: '/' });
    const withContext = {
      ...flat,
      requestContext: {
        ...flat.requestContext,
        authorizer: { principalId: 'x', iss: 'https://users.service/' },
      },
    };
    expectError(await handler(withContext, lambdaContext()), 401, 'token_missing', 'bare');
  });

  it('claims without iss → 401 claim_missing', async () => {
    const claims = await authorizerClaims({});
    delete claims.iss;
    const result = await withServiceJwt({ mode: 'authorizer' }, echo)(
      httpApiJwtEvent({ method: 'GET', path: '/' }, claims),
      lambdaContext(),
    );
    expectError(result, 401, 'claim_missing', 'invalid_token');
  });

  it("onError: 'throw' and realm work as in verify mode", async () => {
    const event = httpApiEvent({ method: 'GET', path: '/' });
    await expect(
      withServiceJwt({ mode: 'authorizer', onError: 'throw' }, echo)(event, lambdaContext()),
    ).rejects.toMatchObject({ code: 'token_missing' });
    const result = await withServiceJwt({ mode: 'authorizer', realm: 'census' }, echo)(
      event,
      lambdaContext(),
    );
    expect((result as { headers: Record<string, string> }).headers['www-authenticate']).toBe(
      'Bearer realm="census"',
    );
  });

  it('validates rules at construction and refuses verify-mode options', () => {
    expectConfigurationError(
      () => withServiceJwt({ mode: 'authorizer', issuers: {} } as never, echo),
      'options.issuers',
    );
    expectConfigurationError(
      () => withServiceJwt({ mode: 'authorizer', audience: AUDIENCE } as never, echo),
      'options.audience',
    );
    expectConfigurationError(
      () => withServiceJwt({ mode: 'authorizer', claims: { role: { includes: [] } } }, echo),
      'options.claims.role',
    );
    expectConfigurationError(
      () => withServiceJwt({ mode: 'authorizer', source: { value: [] } }, echo),
      'options.source.value',
    );
    expectConfigurationError(
      () => withServiceJwt({ mode: 'authorizer', callers: { issuers: 'x' } } as never, echo),
      'options.callers.issuers',
    );
    expect(() =>
      withServiceJwt({ mode: 'authorizer', source: false, claims: { a: () => false } }, echo),
    ).not.toThrow();
  });
});

describe('decodeAuthorizerClaims', () => {
  it('decodes arrays, JSON objects, booleans and NumericDate claims; other strings stay strings', () => {
    const decoded = decodeAuthorizerClaims({
      groups: '[a b  c]',
      empty: '[]',
      obj: '{"v":true,"n":{"x":[1]}}',
      braces: '{not json}',
      array: '{"v":1}x',
      yes: 'true',
      no: 'false',
      exp: '1767225900',
      iat: '1767225600',
      nbf: 'soon',
      sub: '12345',
      level: '3',
      kept: 7,
    });
    expect({ ...decoded }).toEqual({
      groups: ['a', 'b', 'c'],
      empty: [],
      obj: { v: true, n: { x: [1] } },
      braces: '{not json}',
      array: '{"v":1}x',
      yes: true,
      no: false,
      exp: 1767225900,
      iat: 1767225600,
      nbf: 'soon',
      sub: '12345',
      level: '3',
      kept: 7,
    });
  });

  it('keeps __proto__ as a plain member of a prototype-less copy', () => {
    const decoded = decodeAuthorizerClaims(
      JSON.parse('{"__proto__":"{\\"polluted\\":true}","a":"1"}'),
    );
    expect(Object.getPrototypeOf(decoded)).toBeNull();
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(() => {
      (decoded as Record<string, unknown>).a = '2';
    }).toThrow(TypeError);
  });
});
