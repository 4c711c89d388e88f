/// <reference types="jest" />
import type { RouteOptions, VerifiedTransactionToken, VerifierOptions } from '@service-jwt/core';
import {
  type ConformanceFixture,
  createConformanceFixture,
  ROUTE_OPTIONS,
} from './conformance-fixture.js';
import { CONFORMANCE_ROWS, type ConformanceExpectation } from './conformance-rows.js';
import { type RawRequest, type RawResponse, sendRawRequest } from './raw-request.js';
import { txnHash } from './transaction-fixture.js';

/** A running app under test. */
export interface ConformanceApp {
  /** Base URL, `http://127.0.0.1:PORT`. */
  readonly url: string;
  close(): Promise<void>;
}

/** One protected route the adapter must mount. */
export interface ConformanceRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Route overrides on top of the app-wide options (audience, callers, claims, body hash…). */
  readonly route?: RouteOptions;
  /** The handler calls the next hop through `createServiceFetch` (see {@link ConformanceAppSpec.answer}). */
  readonly forward?: boolean;
}

/** What a handler reads from the attached result (`VerifiedServiceJwt`, or Lambda's). */
export interface AttachedResult {
  readonly issuer?: string;
  readonly subject?: string | undefined;
  readonly transaction?: VerifiedTransactionToken;
}

/** What the adapter's `start` function receives. */
export interface ConformanceAppSpec {
  /** App-wide verifier options (a JWKS issuer on a loopback JWKS server, a local-key issuer, audience, memory replay store, …). */
  readonly options: VerifierOptions;
  /** Mount each route protected by `options` + `route` overrides; the handler answers 200 JSON `await answer(route, attached result)`. No body parser on these routes unless the adapter needs one. */
  readonly routes: readonly ConformanceRoute[];
  /**
   * The body of a handler's 200 answer: `{ issuer, subject }`, the SHA-256 of the attached
   * Txn-Token as `transaction`, and on a `forward` route the SHA-256 of the Txn-Token the next
   * hop received as `forwarded` (`null` for none). Call it from the handler, inside the request.
   */
  answer(route: ConformanceRoute, result: AttachedResult | null | undefined): Promise<unknown>;
}

/** The routes every conformance app mounts. */
export const CONFORMANCE_ROUTES: readonly ConformanceRoute[] = [
  { method: 'GET', path: '/ok' },
  { method: 'POST', path: '/ok' },
  { method: 'GET', path: '/orders', route: ROUTE_OPTIONS.orders },
  { method: 'GET', path: '/admin', route: ROUTE_OPTIONS.admin },
  { method: 'GET', path: '/herald-only', route: ROUTE_OPTIONS.heraldOnly },
  { method: 'GET', path: '/strict', route: ROUTE_OPTIONS.strict },
  { method: 'POST', path: '/strict', route: ROUTE_OPTIONS.strict },
  { method: 'POST', path: '/small', route: ROUTE_OPTIONS.small },
  { method: 'GET', path: '/static', route: ROUTE_OPTIONS.static },
  { method: 'GET', path: '/once', route: ROUTE_OPTIONS.once },
  { method: 'GET', path: '/signed', route: ROUTE_OPTIONS.signed },
  { method: 'POST', path: '/signed', route: ROUTE_OPTIONS.signed },
  { method: 'POST', path: '/proof', route: ROUTE_OPTIONS.proof },
  { method: 'POST', path: '/signed-small', route: ROUTE_OPTIONS.signedSmall },
  { method: 'GET', path: '/txn', route: ROUTE_OPTIONS.txnRequire },
  { method: 'POST', path: '/txn', route: ROUTE_OPTIONS.txnRequire },
  { method: 'GET', path: '/txn-ignore', route: ROUTE_OPTIONS.txnIgnore },
  { method: 'GET', path: '/txn-scope', route: ROUTE_OPTIONS.txnScope },
  { method: 'GET', path: '/txn-context', route: ROUTE_OPTIONS.txnContext },
  { method: 'GET', path: '/txn-forward', route: ROUTE_OPTIONS.txnRequire, forward: true },
  { method: 'GET', path: '/ok-forward', forward: true },
  { method: 'GET', path: '/txn-ignore-forward', route: ROUTE_OPTIONS.txnIgnore, forward: true },
];

/** The `answer` of a conformance app, over the fixture's next hop. */
export function answerWith(
  fixture: ConformanceFixture,
): (route: ConformanceRoute, result: AttachedResult | null | undefined) => Promise<unknown> {
  return async (route, result) => ({
    issuer: result?.issuer,
    subject: result?.subject,
    ...(result?.transaction === undefined ? {} : { transaction: result.transaction.hash }),
    ...(route.forward === true ? { forwarded: await fixture.transaction.forward() } : {}),
  });
}

/** The hash a row's `'sent'` stands for: of the `Txn-Token` header the row sent. */
function sentHash(
  request: RawRequest,
  expected: 'sent' | null | undefined,
): string | null | undefined {
  if (expected !== 'sent') return expected;
  const token = request.headers?.['txn-token'];
  if (typeof token !== 'string') throw new Error('the row expects a Txn-Token but sent none');
  return txnHash(token);
}

function header(response: RawResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function assertExpectation(
  response: RawResponse,
  expected: ConformanceExpectation,
  request: RawRequest,
): void {
  expect(response.status).toBe(expected.status);
  const json = response.json as Record<string, unknown> | undefined;
  if (expected.status === 200) {
    const transaction = sentHash(request, expected.transaction);
    const forwarded = sentHash(request, expected.forwarded);
    expect(json).toEqual({
      issuer: expected.issuer,
      ...(expected.subject === undefined ? {} : { subject: expected.subject }),
      ...(transaction === undefined || transaction === null ? {} : { transaction }),
      ...(forwarded === undefined ? {} : { forwarded }),
    });
    return;
  }
  expect(json?.code).toBe(expected.code);
  expect(typeof json?.error).toBe('string');
  expect(typeof json?.message).toBe('string');
  const challenge = header(response, 'www-authenticate');
  if (expected.challenge === 'bare') {
    expect(challenge).toMatch(/^Bearer realm="[^"]*"$/);
  } else if (expected.challenge === null || expected.challenge === undefined) {
    expect(challenge).toBeUndefined();
  } else {
    expect(challenge).toMatch(/^Bearer realm="[^"]*", /);
    expect(challenge).toContain(`error="${expected.challenge}"`);
  }
  if (expected.status === 503) expect(header(response, 'retry-after')).toMatch(/^\d+$/);
}

/**
 * Defines jest `describe`/`it` blocks that run the adapter conformance table against an app
 * the adapter starts: for every row a raw `node:http` request (exact bytes, duplicate headers
 * possible) and assertions on status, `code` and `WWW-Authenticate`. Call it once per
 * supported framework major.
 *
 * The fixture (keys, a loopback JWKS server, stores) is built once per call in `beforeAll`.
 * `start` receives the app-wide options and the routes to mount ({@link CONFORMANCE_ROUTES});
 * each route's handler must answer 200 JSON `{ issuer, subject }` from the attached result.
 *
 * @example
 * ```ts
 * describeConformance('express 5', async ({ options, routes }) => startExpressApp(options, routes));
 * ```
 */
export function describeConformance(
  adapterName: string,
  start: (spec: ConformanceAppSpec) => Promise<ConformanceApp>,
): void {
  describe(`conformance: ${adapterName}`, () => {
    let fixture: ConformanceFixture | undefined;
    let app: ConformanceApp | undefined;

    beforeAll(async () => {
      fixture = await createConformanceFixture();
      app = await start({
        options: fixture.options,
        routes: CONFORMANCE_ROUTES,
        answer: answerWith(fixture),
      });
    });

    afterAll(async () => {
      await app?.close();
      await fixture?.close();
    });

    for (const row of CONFORMANCE_ROWS) {
      it(row.name, async () => {
        if (fixture === undefined || app === undefined) throw new Error('fixture not started');
        const request = await row.request(fixture);
        if (row.sendTwice) {
          const first = await sendRawRequest(app.url, request);
          expect(first.status).toBe(200);
        }
        assertExpectation(await sendRawRequest(app.url, request), row.expect, request);
      });
    }
  });
}
