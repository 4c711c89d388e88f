import { resolve } from 'node:path';
import { describePackaging } from '@service-jwt/conformance';

// The published shape: @service-jwt/express and @service-jwt/core as `pnpm pack` makes them
// (exports pointing at dist), with Express as the peer, guard a real app from an ES module and
// from a CommonJS consumer.
const packageDir = resolve(__dirname, '..');
const coreDir = resolve(packageDir, '../core');

describePackaging({
  name: '@service-jwt/express',
  packages: [coreDir, packageDir],
  links: { jose: coreDir, express: packageDir },
  imports: [
    { from: 'node:crypto', names: ['generateKeyPairSync'] },
    { from: 'express', default: 'express' },
    { from: '@service-jwt/express', names: ['requireServiceJwt'] },
  ],
  // Boots an app guarded by the packed middleware on loopback and prints the answer to a
  // request without a token.
  script: `
const app = express();
app.use(requireServiceJwt({
  issuers: { 'https://herald.test/': { publicKey: generateKeyPairSync('ed25519').publicKey } },
  audience: 'https://census.test/',
}));
app.get('/', (req, res) => res.send('reached'));
const server = app.listen(0, '127.0.0.1', async () => {
  const response = await fetch('http://127.0.0.1:' + server.address().port + '/');
  console.log(response.status, response.headers.get('www-authenticate'));
  server.close();
});
`,
  expected: '401 Bearer realm="service-jwt"',
});
