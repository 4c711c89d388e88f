import { createVerifier, type ServiceJwtVerifier } from '@service-jwt/core';
import {
  createTestIssuer,
  type JwksServer,
  serveJwks,
  type TestIssuer,
} from '@service-jwt/testing';
import {
  ATTRIBUTES,
  instrumentServiceJwt,
  METRICS,
  OTHER_ISSUER,
  type ServiceJwtInstrumentation,
} from '../src/index.js';
import {
  AUDIENCE,
  bearer,
  createTelemetry,
  histogramOf,
  pointsOf,
  pointValue,
  type Telemetry,
} from './helpers.js';

const { issuer: ISSUER, outcome: OUTCOME, errorType: ERROR_TYPE, result: RESULT } = ATTRIBUTES;
const START = Date.parse('2026-03-01T12:00:00Z');
const CACHE_MAX_AGE = 60;

let clock = START;
const now = () => clock;
const advance = (seconds: number) => {
  clock += seconds * 1000;
};

let herald: TestIssuer;
let server: JwksServer;
let verifier: ServiceJwtVerifier;
let telemetry: Telemetry;
let instrumentation: ServiceJwtInstrumentation;

beforeAll(async () => {
  herald = await createTestIssuer({ issuer: 'https://herald.test/', now });
});

beforeEach(async () => {
  clock = START;
  server = await serveJwks(herald);
  verifier = createVerifier({
    issuers: {
      [herald.issuer]: {
        jwksUri: server.url,
        allowInsecureHttp: true,
        algorithms: [herald.algorithm],
        cacheMaxAge: CACHE_MAX_AGE,
      },
    },
    audience: AUDIENCE,
    now,
  });
  telemetry = createTelemetry();
});

afterEach(async () => {
  instrumentation.disable();
  await verifier.close();
  await server.close();
  await telemetry.shutdown();
});

const instrument = (issuers?: string[]) => {
  instrumentation = instrumentServiceJwt({
    meterProvider: telemetry.meterProvider,
    now,
    ...(issuers === undefined ? {} : { issuers }),
  });
};

async function outcome(token: string): Promise<string> {
  return verifier.verify(bearer(token)).then(
    () => 'accepted',
    (err: { code: string }) => err.code,
  );
}

const fresh = () => herald.sign({}, { audience: AUDIENCE });

it('counts fetches by outcome, stale keys served, and the age of the last good fetch', async () => {
  instrument();
  expect(await outcome(await fresh())).toBe('accepted');
  advance(30);
  let metrics = await telemetry.collect();
  expect(
    pointValue(metrics, METRICS.keySetFetches, { [ISSUER]: herald.issuer, [OUTCOME]: 'fetched' }),
  ).toBe(1);
  expect(pointValue(metrics, METRICS.keySetAge, { [ISSUER]: herald.issuer })).toBe(30);

  // The endpoint goes down; past cacheMaxAge the refetch fails and the stale keys are served.
  await server.stop();
  advance(CACHE_MAX_AGE + 1 - 30);
  expect(await outcome(await fresh())).toBe('accepted');
  metrics = await telemetry.collect();
  const failed = pointsOf(metrics, METRICS.keySetFetches).filter(
    (point) => point.attributes[OUTCOME] === 'failed',
  );
  expect(failed.map((point) => [point.attributes[ISSUER], point.value])).toEqual([
    [herald.issuer, 1],
  ]);
  // One stale key served per verification: the one that found the set expired (its refetch
  // failed), then one within the back-off.
  const staleServed = async () =>
    pointValue(await telemetry.collect(), METRICS.keySetStaleKeysServed, {
      [ISSUER]: herald.issuer,
    }) ?? 0;
  expect(await staleServed()).toBe(1);
  expect(await outcome(await fresh())).toBe('accepted');
  expect(await staleServed()).toBe(2);
  metrics = await telemetry.collect();
  expect(pointValue(metrics, METRICS.keySetAge, { [ISSUER]: herald.issuer })).toBe(61);

  // Back up: once the back-off has passed, the next verification refetches.
  await server.start();
  advance(10);
  expect(await outcome(await fresh())).toBe('accepted');
  metrics = await telemetry.collect();
  expect(
    pointValue(metrics, METRICS.keySetFetches, { [ISSUER]: herald.issuer, [OUTCOME]: 'fetched' }),
  ).toBe(2);
  expect(pointValue(metrics, METRICS.keySetStaleKeysServed, { [ISSUER]: herald.issuer })).toBe(2);
  expect(pointValue(metrics, METRICS.keySetAge, { [ISSUER]: herald.issuer })).toBe(0);
  const age = metrics.find((m) => m.descriptor.name === METRICS.keySetAge)?.descriptor;
  expect(age?.unit).toBe('s');
});

it('records a set never fetched: a failed fetch, keys_unavailable refusals, no age', async () => {
  instrument();
  server.respondWith(500, '{"error":"maintenance"}');
  expect(await outcome(await fresh())).toBe('keys_unavailable');

  const metrics = await telemetry.collect();
  const fetches = pointsOf(metrics, METRICS.keySetFetches);
  expect(fetches.map((p) => [p.attributes[ISSUER], p.attributes[OUTCOME], p.value])).toEqual([
    [herald.issuer, 'failed', 1],
  ]);
  expect(
    histogramOf(metrics, METRICS.verificationDuration, {
      [RESULT]: 'refused',
      [ERROR_TYPE]: 'keys_unavailable',
      [ISSUER]: herald.issuer,
    })?.count,
  ).toBe(1);
  // Never fetched since the instrumentation started: there is no age to report.
  expect(pointsOf(metrics, METRICS.keySetAge)).toEqual([]);
});

describe('error.type of a failed fetch, from the real verifier', () => {
  const failedErrorTypes = async () =>
    pointsOf(await telemetry.collect(), METRICS.keySetFetches)
      .filter((point) => point.attributes[OUTCOME] === 'failed')
      .map((point) => point.attributes[ERROR_TYPE]);

  it('is the errno when the endpoint is down', async () => {
    instrument();
    await server.stop();
    expect(await outcome(await fresh())).toBe('keys_unavailable');
    expect(await failedErrorTypes()).toEqual(['ECONNREFUSED']);
  });

  it("is the endpoint's HTTP status when it answers an error", async () => {
    instrument();
    server.respondWith(500, '{"error":"maintenance"}');
    expect(await outcome(await fresh())).toBe('keys_unavailable');
    expect(await failedErrorTypes()).toEqual(['500']);
  });
});

it('counts a refetch for an unknown kid held back by the cooldown', async () => {
  instrument();
  expect(await outcome(await fresh())).toBe('accepted');
  // Same iss, another key: its kid is not in the set, and the set was fetched a moment ago.
  const impostor = await createTestIssuer({ issuer: herald.issuer, now });
  expect(await outcome(await impostor.sign({}, { audience: AUDIENCE }))).toBe('key_not_found');

  const metrics = await telemetry.collect();
  expect(pointValue(metrics, METRICS.keySetRefetchesHeldBack, { [ISSUER]: herald.issuer })).toBe(1);
  expect(
    pointValue(metrics, METRICS.keySetFetches, { [ISSUER]: herald.issuer, [OUTCOME]: 'fetched' }),
  ).toBe(1);
});

it('records an issuer left out of the issuers option as (other), the age included', async () => {
  instrument([]);
  expect(await outcome(await fresh())).toBe('accepted');
  advance(5);

  const metrics = await telemetry.collect();
  expect(
    pointValue(metrics, METRICS.keySetFetches, { [ISSUER]: OTHER_ISSUER, [OUTCOME]: 'fetched' }),
  ).toBe(1);
  expect(pointValue(metrics, METRICS.keySetAge, { [ISSUER]: OTHER_ISSUER })).toBe(5);
  expect(JSON.stringify(metrics)).not.toContain(herald.issuer);
});
