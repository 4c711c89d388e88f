import { randomUUID } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { CHANNELS, createVerifier, type ServiceJwtVerifier } from '@service-jwt/core';
import { createTestIssuer, createTestVerifierOptions, type TestIssuer } from '@service-jwt/testing';
import {
  ATTRIBUTES,
  instrumentServiceJwt,
  METRICS,
  OTHER_ISSUER,
  type ServiceJwtInstrumentation,
  UNTRUSTED_ISSUER,
  VERIFICATION_DURATION_BUCKETS,
} from '../src/index.js';
import {
  AUDIENCE,
  bearer,
  createTelemetry,
  exportedText,
  histogramOf,
  pointsOf,
  type Telemetry,
  useAsyncContext,
} from './helpers.js';

const DURATION = METRICS.verificationDuration;
const { result: RESULT, errorType: ERROR_TYPE, issuer: ISSUER } = ATTRIBUTES;

let herald: TestIssuer;
let crier: TestIssuer;
let verifier: ServiceJwtVerifier;
let telemetry: Telemetry;
let instrumentation: ServiceJwtInstrumentation | undefined;

useAsyncContext();

beforeAll(async () => {
  herald = await createTestIssuer({ issuer: 'https://herald.test/' });
  crier = await createTestIssuer({ issuer: 'https://crier.test/' });
  verifier = createVerifier(
    createTestVerifierOptions(herald, undefined, {
      audience: AUDIENCE,
      issuers: { [crier.issuer]: { ...crier.keys, algorithms: [crier.algorithm] } },
    }),
  );
});

beforeEach(() => {
  telemetry = createTelemetry();
});

afterEach(async () => {
  instrumentation?.disable();
  instrumentation = undefined;
  await telemetry.shutdown();
});

const instrument = (options: { issuers?: string[]; spanAttributes?: boolean } = {}) => {
  instrumentation = instrumentServiceJwt({ meterProvider: telemetry.meterProvider, ...options });
};

/** Verifies and returns the refusal code, or 'accepted'. */
async function outcome(token: string | undefined): Promise<string> {
  const request = token === undefined ? { method: 'GET', url: '/', headers: {} } : bearer(token);
  return verifier.verify(request).then(
    () => 'accepted',
    (err: { code: string }) => err.code,
  );
}

/** Publishes an accepted verification of herald's with a known duration, as core would. */
function publishAccepted(durationMs: number): void {
  channel(CHANNELS.verification).publish({
    outcome: 'accepted',
    code: undefined,
    status: 200,
    issuer: herald.issuer,
    issuerTrusted: true,
    subject: undefined,
    jti: undefined,
    kid: undefined,
    alg: undefined,
    audience: [AUDIENCE],
    cached: false,
    durationMs,
  });
}

describe('service_jwt.verification.duration', () => {
  it('records accepted and refused verifications by result, error.type and issuer', async () => {
    instrument();
    expect(await outcome(await herald.sign({}, { audience: AUDIENCE }))).toBe('accepted');
    expect(await outcome(await herald.sign({}, { audience: AUDIENCE }))).toBe('accepted');
    expect(await outcome(await herald.expired(AUDIENCE))).toBe('token_expired');
    expect(await outcome(undefined)).toBe('token_missing');

    const metrics = await telemetry.collect();
    const accepted = histogramOf(metrics, DURATION, {
      [RESULT]: 'accepted',
      [ISSUER]: herald.issuer,
    });
    expect(accepted?.count).toBe(2);
    expect(accepted?.buckets.boundaries).toEqual(VERIFICATION_DURATION_BUCKETS);
    expect(accepted?.buckets.counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(accepted?.sum).toBeGreaterThan(0);
    const expired = histogramOf(metrics, DURATION, {
      [RESULT]: 'refused',
      [ERROR_TYPE]: 'token_expired',
      [ISSUER]: herald.issuer,
    });
    expect(expired?.count).toBe(1);
    // No token, no issuer: the attribute is left out rather than invented.
    const missing = histogramOf(metrics, DURATION, {
      [RESULT]: 'refused',
      [ERROR_TYPE]: 'token_missing',
    });
    expect(missing?.count).toBe(1);
    expect(pointsOf(metrics, DURATION)).toHaveLength(3);
    const descriptor = metrics.find((m) => m.descriptor.name === DURATION)?.descriptor;
    expect(descriptor?.unit).toBe('s');
  });

  it('records the event duration in seconds, in the bucket it falls in', async () => {
    instrument();
    // A published event with a known duration: 2 ms is 0.002 s, in the (0.001, 0.0025] bucket.
    publishAccepted(2);
    const histogram = histogramOf(await telemetry.collect(), DURATION, {
      [RESULT]: 'accepted',
      [ISSUER]: herald.issuer,
    });
    expect(histogram?.sum).toBeCloseTo(0.002, 12);
    const bucket = VERIFICATION_DURATION_BUCKETS.indexOf(0.0025);
    expect(histogram?.buckets.counts[bucket]).toBe(1);
    expect(histogram?.buckets.counts.reduce((a, b) => a + b, 0)).toBe(1);
  });

  // Points are held and recorded in bursts (duration-points.ts): a collection, or disable(),
  // must still see every one of them, exactly.
  it('hands every duration to the reader: past a full buffer, at a collection and at disable()', async () => {
    instrument();
    const publishMany = (count: number, from: number): number => {
      let sum = 0;
      for (let i = from; i < from + count; i++) {
        const durationMs = (i % 7) + 1;
        sum += durationMs / 1000;
        publishAccepted(durationMs);
      }
      return sum;
    };
    const accepted = { [RESULT]: 'accepted', [ISSUER]: herald.issuer };

    // 601: two full buffers of 256 and 89 points still held when the reader collects.
    let sum = publishMany(601, 0);
    let histogram = histogramOf(await telemetry.collect(), DURATION, accepted);
    expect(histogram?.count).toBe(601);
    expect(histogram?.sum).toBeCloseTo(sum, 9);
    expect(histogram?.min).toBe(0.001);
    expect(histogram?.max).toBe(0.007);

    sum += publishMany(3, 601);
    histogram = histogramOf(await telemetry.collect(), DURATION, accepted);
    expect(histogram?.count).toBe(604);
    expect(histogram?.sum).toBeCloseTo(sum, 9);

    sum += publishMany(5, 604);
    instrumentation?.disable();
    histogram = histogramOf(await telemetry.collect(), DURATION, accepted);
    expect(histogram?.count).toBe(609);
    expect(histogram?.sum).toBeCloseTo(sum, 9);
  });

  it('records an iss that is not a trusted issuer as one bucket, never by its value', async () => {
    instrument();
    const randomIssuer = `https://${randomUUID()}.attacker.test/`;
    const stranger = await createTestIssuer({ issuer: randomIssuer });
    const token = await stranger.sign({}, { audience: AUDIENCE });
    await telemetry.inSpan('GET /orders', async () => {
      expect(await outcome(token)).toBe('issuer_not_trusted');
    });

    const metrics = await telemetry.collect();
    expect(
      histogramOf(metrics, DURATION, {
        [RESULT]: 'refused',
        [ERROR_TYPE]: 'issuer_not_trusted',
        [ISSUER]: UNTRUSTED_ISSUER,
      })?.count,
    ).toBe(1);
    expect(telemetry.finishedSpans()[0]?.attributes[ISSUER]).toBe(UNTRUSTED_ISSUER);
    const exported = await exportedText(telemetry);
    expect(exported).not.toContain(randomIssuer);
    expect(exported).not.toContain(randomIssuer.slice(8, 44));
  });

  it('records the listed issuers by value and other trusted issuers as (other)', async () => {
    instrument({ issuers: [herald.issuer] });
    await outcome(await herald.sign({}, { audience: AUDIENCE }));
    await outcome(await crier.sign({}, { audience: AUDIENCE }));
    await outcome(await crier.expired(AUDIENCE));

    const metrics = await telemetry.collect();
    expect(
      histogramOf(metrics, DURATION, { [RESULT]: 'accepted', [ISSUER]: herald.issuer })?.count,
    ).toBe(1);
    expect(
      histogramOf(metrics, DURATION, { [RESULT]: 'accepted', [ISSUER]: OTHER_ISSUER })?.count,
    ).toBe(1);
    expect(
      histogramOf(metrics, DURATION, {
        [RESULT]: 'refused',
        [ERROR_TYPE]: 'token_expired',
        [ISSUER]: OTHER_ISSUER,
      })?.count,
    ).toBe(1);
    expect(await exportedText(telemetry)).not.toContain(crier.issuer);
  });
});

describe('the active span', () => {
  it('gets the result, issuer and cache hit of an accepted verification', async () => {
    instrument();
    const token = await herald.sign({}, { audience: AUDIENCE });
    // Core caches a token's signature check from the second time it sees the token on.
    await telemetry.inSpan('first', () => outcome(token));
    await telemetry.inSpan('second', () => outcome(token));
    await telemetry.inSpan('third', () => outcome(token));

    const [first, , third] = telemetry.finishedSpans();
    expect(first?.attributes).toEqual({
      'service_jwt.result': 'accepted',
      'service_jwt.issuer': herald.issuer,
      'service_jwt.cached': false,
    });
    expect(third?.attributes).toEqual({
      'service_jwt.result': 'accepted',
      'service_jwt.issuer': herald.issuer,
      'service_jwt.cached': true,
    });
  });

  it('gets the refusal code as service_jwt.code, leaving error.type to the HTTP instrumentation', async () => {
    instrument();
    const token = await herald.tamperedSignature(AUDIENCE);
    await telemetry.inSpan('GET /orders', async () => {
      expect(await outcome(token)).toBe('signature_invalid');
    });
    expect(telemetry.finishedSpans()[0]?.attributes).toEqual({
      'service_jwt.result': 'refused',
      'service_jwt.code': 'signature_invalid',
      'service_jwt.issuer': herald.issuer,
      'service_jwt.cached': false,
    });
  });

  it('is left alone with spanAttributes: false, while the metrics are recorded', async () => {
    instrument({ spanAttributes: false });
    await telemetry.inSpan('GET /orders', () =>
      herald.sign({}, { audience: AUDIENCE }).then(outcome),
    );
    expect(telemetry.finishedSpans()[0]?.attributes).toEqual({});
    expect(pointsOf(await telemetry.collect(), DURATION)).toHaveLength(1);
  });

  it('is not needed: without one the metrics are still recorded', async () => {
    instrument();
    expect(await outcome(await herald.sign({}, { audience: AUDIENCE }))).toBe('accepted');
    expect(telemetry.finishedSpans()).toHaveLength(0);
    expect(pointsOf(await telemetry.collect(), DURATION)).toHaveLength(1);
  });
});

describe('what is never recorded', () => {
  it('holds no token, signature, Authorization value, subject or jti', async () => {
    instrument();
    const subject = 'jane.doe@example.com';
    const jti = randomUUID();
    const good = await herald.sign({}, { audience: AUDIENCE, subject, jti });
    const bad = await herald.tamperedSignature(AUDIENCE, { subject, jti: randomUUID() });
    await telemetry.inSpan('accepted', () => outcome(good));
    await telemetry.inSpan('refused', () => outcome(bad));

    const exported = await exportedText(telemetry);
    for (const token of [good, bad]) {
      const [header, payload, signature] = token.split('.') as [string, string, string];
      for (const secret of [token, header, payload, signature, `Bearer ${token}`]) {
        expect(exported).not.toContain(secret);
      }
    }
    expect(exported).not.toContain(subject);
    expect(exported).not.toContain(jti);
    expect(exported).not.toContain(herald.kid);
    expect(exported).not.toContain(herald.publicJwk?.x ?? '(no x)');
  });
});
