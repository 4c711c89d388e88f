import { resolve } from 'node:path';
import { describePackaging } from '@service-jwt/conformance';

// The published shape: @service-jwt/fastify and @service-jwt/core as `pnpm pack` makes them
// (exports pointing at dist), with Fastify as the peer and fastify-plugin as the dependency,
// guard a real app from an ES module and from a CommonJS consumer.
const packageDir = resolve(__dirname, '..');
const coreDir = resolve(packageDir, '../core');

describePackaging({
  name: '@service-jwt/fastify',
  packages: [coreDir, packageDir],
  links: { jose: coreDir, fastify: packageDir, 'fastify-plugin': packageDir },
  imports: [
    { from: 'node:crypto', names: ['generateKeyPairSync'] },
    { from: 'fastify', default: 'Fastify' },
    { from: '@service-jwt/fastify', names: ['serviceJwt'] },
  ],
  // Boots an app with the packed plugin on loopback and prints the answer to a request
  // without a token.
  script: `
(async () => {
  const app = Fastify();
  await app.register(serviceJwt, {
    issuers: { 'https://herald.test/': { publicKey: generateKeyPairSync('ed25519').publicKey } },
    audience: 'https://census.test/',
    global: true,
  });
  app.get('/', async () => 'reached');
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const response = await fetch(address + '/');
  console.log(response.status, response.headers.get('www-authenticate'));
  await app.close();
})();
`,
  expected: '401 Bearer realm="service-jwt"',
});
