import { resolve } from 'node:path';
import { describePackaging } from '@service-jwt/conformance';

// The published shape: @service-jwt/lambda and @service-jwt/core as `pnpm pack` makes them
// (exports pointing at dist) wrap a handler that accepts one event and refuses another, from an
// ES module and from a CommonJS consumer.
const packageDir = resolve(__dirname, '..');
const coreDir = resolve(packageDir, '../core');

describePackaging({
  name: '@service-jwt/lambda',
  packages: [coreDir, packageDir],
  links: { jose: coreDir },
  imports: [
    { from: 'node:crypto', names: ['generateKeyPairSync'] },
    { from: 'jose', names: ['SignJWT'] },
    { from: '@service-jwt/lambda', names: ['withServiceJwt'] },
  ],
  // An HTTP API event with and without a token signed by a local Ed25519 key.
  script: `
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const handler = withServiceJwt(
  { issuers: { 'https://herald.test/': { publicKey } }, audience: 'https://census.test/' },
  async (event) => ({ statusCode: 200, body: event.serviceJwt.issuer }),
);
const event = (headers) => ({
  version: '2.0', routeKey: '$default', rawPath: '/people', rawQueryString: '', headers,
  isBase64Encoded: false, requestContext: { http: { method: 'GET', path: '/people' } },
});
(async () => {
  const token = await new SignJWT({ source: 'microservice' })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setIssuer('https://herald.test/').setAudience('https://census.test/')
    .setIssuedAt().setExpirationTime('5m').sign(privateKey);
  const ok = await handler(event({ authorization: 'Bearer ' + token }), {});
  const refused = await handler(event({}), {});
  console.log(ok.statusCode, ok.body, refused.statusCode, refused.headers['www-authenticate']);
})();
`,
  expected: '200 https://herald.test/ 401 Bearer realm="service-jwt"',
});
