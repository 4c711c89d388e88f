import { mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { expectPublishedFiles, type PackedConsumer, packPackages } from '@service-jwt/conformance';

// Proves the published shape: @service-jwt/opentelemetry and @service-jwt/core as `pnpm pack`
// makes them (exports pointing at dist), with @opentelemetry/api as the peer and the
// application's metrics SDK, record a refused verification from an ES module and from CommonJS.
//
// The checks of `describePackaging`, by hand: its `links` find a package through
// `<name>/package.json`, which the OpenTelemetry packages do not export, so they are linked here
// from their installed folder.
const packageDir = resolve(__dirname, '..');
const coreDir = resolve(packageDir, '../core');
const OPENTELEMETRY = ['@opentelemetry/api', '@opentelemetry/sdk-metrics'];

function installedRoot(name: string): string {
  // The CommonJS entry is `build/src/index.js` in both packages.
  return resolve(dirname(require.resolve(name, { paths: [packageDir] })), '../..');
}

const imports = `
import { generateKeyPairSync } from 'node:crypto';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { createVerifier } from '@service-jwt/core';
import { instrumentServiceJwt } from '@service-jwt/opentelemetry';
`;
const requires = `
const { generateKeyPairSync } = require('node:crypto');
const { MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics');
const { createVerifier } = require('@service-jwt/core');
const { instrumentServiceJwt } = require('@service-jwt/opentelemetry');
`;
// Verifies a malformed token with the packed verifier and prints the histogram point the packed
// instrumentation recorded, read back from the SDK.
const script = `
class Reader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
const reader = new Reader();
const instrumentation = instrumentServiceJwt({ meterProvider: new MeterProvider({ readers: [reader] }) });
const verifier = createVerifier({
  issuers: { 'https://herald.test/': { publicKey: generateKeyPairSync('ed25519').publicKey } },
  audience: 'https://census.test/',
});
verifier.verifyToken('not-a-token').catch(async (err) => {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((m) => m.descriptor.name === 'service_jwt.verification.duration');
  const [point] = metric.dataPoints;
  console.log(err.code, metric.descriptor.unit, point.attributes['service_jwt.result'], point.attributes['error.type'], point.value.count);
  instrumentation.disable();
});
`;
const expected = 'token_malformed s refused token_malformed 1';

let consumer: PackedConsumer | undefined;
const packed = (): PackedConsumer => {
  if (consumer === undefined) throw new Error('packing failed in beforeAll');
  return consumer;
};

beforeAll(() => {
  consumer = packPackages({ packages: [coreDir, packageDir], links: { jose: coreDir } });
  for (const name of OPENTELEMETRY) {
    const target = join(consumer.dir, 'node_modules', ...name.split('/'));
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(installedRoot(name), target, 'dir');
  }
}, 180_000);

afterAll(() => consumer?.remove());

it('ships dist, the sources its maps point at, README, LICENSE and the manifest', () => {
  expectPublishedFiles(packed(), '@service-jwt/opentelemetry');
});

it('works imported from an ES module', () => {
  expect(packed().runScript('consumer.mjs', `${imports}\n${script}`)).toBe(expected);
});

it('works require()d from CommonJS', () => {
  expect(packed().runScript('consumer.cjs', `${requires}\n${script}`)).toBe(expected);
});
