import { resolve } from 'node:path';
import { describePackaging } from '@service-jwt/conformance';

// Proves the published shape: @service-jwt/koa and @service-jwt/core as `pnpm pack` makes them
// (exports pointing at dist), with Koa as the peer, serve a real request from an ES module and
// from a CommonJS consumer.
const packageDir = resolve(__dirname, '..');
const coreDir = resolve(packageDir, '../core');

describePackaging({
  name: '@service-jwt/koa',
  packages: [coreDir, packageDir],
  links: { jose: coreDir, koa: packageDir },
  imports: [
    { from: 'node:crypto', names: ['generateKeyPairSync'] },
    { from: 'koa', default: 'Koa' },
    { from: '@service-jwt/koa', names: ['requireServiceJwt'] },
  ],
  // Boots a Koa app guarded by the packed middleware on loopback and prints the answer to a
  // request without a token.
  script: `
const server = new Koa()
  .use(requireServiceJwt({
    issuers: { 'https://herald.test/': { publicKey: generateKeyPairSync('ed25519').publicKey } },
    audience: 'https://census.test/',
  }))
  .listen(0, '127.0.0.1', async () => {
    const response = await fetch('http://127.0.0.1:' + server.address().port + '/');
    console.log(response.status, response.headers.get('www-authenticate'));
    server.close();
  });
`,
  expected: '401 Bearer realm="service-jwt"',
});
