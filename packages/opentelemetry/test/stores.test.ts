import {
  createVerifier,
  type ReplayStore,
  type RevocationList,
  type ServiceJwtVerifier,
} from '@service-jwt/core';
import { publishRevocationSync } from '@service-jwt/core/adapter';
import { createTestIssuer, createTestVerifierOptions, type TestIssuer } from '@service-jwt/testing';
import {
  ATTRIBUTES,
  instrumentServiceJwt,
  METRICS,
  type ServiceJwtInstrumentation,
} from '../src/index.js';
import {
  AUDIENCE,
  bearer,
  createTelemetry,
  exportedText,
  histogramOf,
  pointsOf,
  type Telemetry,
} from './helpers.js';

const { store: STORE, result: RESULT, errorType: ERROR_TYPE, issuer: ISSUER } = ATTRIBUTES;

// A store whose backend refuses connections, as a Redis client reports it.
const refused = () =>
  Promise.reject(
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }),
  );
const downReplayStore: ReplayStore = { claim: refused };
const downRevocationList: RevocationList = {
  check: refused,
  revokeToken: refused,
  revokeSubject: refused,
  revokeIssuer: refused,
  revokeKey: refused,
};

let herald: TestIssuer;
let telemetry: Telemetry;
let instrumentation: ServiceJwtInstrumentation;

beforeAll(async () => {
  herald = await createTestIssuer({ issuer: 'https://herald.test/' });
});

beforeEach(() => {
  telemetry = createTelemetry();
  instrumentation = instrumentServiceJwt({ meterProvider: telemetry.meterProvider });
});

afterEach(async () => {
  instrumentation.disable();
  await telemetry.shutdown();
});

async function refusalOf(verifier: ServiceJwtVerifier): Promise<string> {
  const token = await herald.sign({}, { audience: AUDIENCE });
  return verifier.verify(bearer(token)).then(
    () => 'accepted',
    (err: { code: string }) => err.code,
  );
}

it('counts replay-store and revocation-list failures by store', async () => {
  const withReplay = createVerifier(
    createTestVerifierOptions(herald, undefined, { audience: AUDIENCE, replay: downReplayStore }),
  );
  const withRevocation = createVerifier(
    createTestVerifierOptions(herald, undefined, {
      audience: AUDIENCE,
      revocation: downRevocationList,
    }),
  );
  expect(await refusalOf(withReplay)).toBe('store_unavailable');
  expect(await refusalOf(withReplay)).toBe('store_unavailable');
  expect(await refusalOf(withRevocation)).toBe('store_unavailable');

  const metrics = await telemetry.collect();
  expect(pointsOf(metrics, METRICS.storeErrors).map((p) => [p.attributes, p.value])).toEqual([
    [{ [STORE]: 'replay' }, 2],
    [{ [STORE]: 'revocation' }, 1],
  ]);
  expect(
    histogramOf(metrics, METRICS.verificationDuration, {
      [RESULT]: 'refused',
      [ERROR_TYPE]: 'store_unavailable',
      [ISSUER]: herald.issuer,
    })?.count,
  ).toBe(3);
  // The store's own message (host, port) is not an attribute.
  expect(await exportedText(telemetry)).not.toContain('6379');
});

it('counts revocation sync events by kind, without their free-text reason', async () => {
  // What a shared revocation list (such as @service-jwt/redis) publishes through the adapter kit.
  publishRevocationSync({ event: 'lagging', lagSeconds: 12, reason: 'redis://10.0.0.7 lost' });
  publishRevocationSync({ event: 'resync', lagSeconds: 14, reason: 'store epoch changed' });
  publishRevocationSync({ event: 'synchronized', lagSeconds: 0, reason: undefined });
  publishRevocationSync({ event: 'lagging', lagSeconds: 3, reason: undefined });

  const metrics = await telemetry.collect();
  const points = pointsOf(metrics, METRICS.revocationSyncEvents);
  expect(points.map((p) => [p.attributes[ATTRIBUTES.syncEvent], p.value])).toEqual([
    ['lagging', 2],
    ['resync', 1],
    ['synchronized', 1],
  ]);
  const exported = await exportedText(telemetry);
  expect(exported).not.toContain('10.0.0.7');
  expect(exported).not.toContain('epoch');
});
