import { resolve } from 'node:path';
import { describePackaging } from '@service-jwt/conformance';

// The published shape: @service-jwt/testing and @service-jwt/core as `pnpm pack` makes them
// (exports pointing at dist) mint a token that core's verifier accepts and make a TLS test
// certificate, from an ES module and from a CommonJS consumer.
const packageDir = resolve(__dirname, '..');
const coreDir = resolve(packageDir, '../core');

describePackaging({
  name: '@service-jwt/testing',
  packages: [coreDir, packageDir],
  links: {
    jose: packageDir,
    '@peculiar/asn1-schema': packageDir,
    '@peculiar/asn1-x509': packageDir,
  },
  imports: [
    { from: '@service-jwt/core', names: ['createVerifier'] },
    { from: '@service-jwt/testing', names: ['createTestCertificate', 'createTestIssuer'] },
  ],
  script: `
(async () => {
  const issuer = await createTestIssuer({ issuer: 'https://herald.test/' });
  const verifier = createVerifier({
    issuers: { 'https://herald.test/': issuer.keys },
    audience: 'https://census.test/',
  });
  const token = await issuer.sign({}, { audience: 'https://census.test/' });
  const verified = await verifier.verify({
    method: 'GET', url: '/', headers: { authorization: 'Bearer ' + token },
  });
  const tls = createTestCertificate();
  console.log(verified.issuer, tls.cert.startsWith('-----BEGIN CERTIFICATE-----'));
})();
`,
  expected: 'https://herald.test/ true',
});
