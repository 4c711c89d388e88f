import { resolve } from 'node:path';
import { describePackaging } from '@service-jwt/conformance';

// The published shape: @service-jwt/cli and @service-jwt/core as `pnpm pack` makes them
// (exports pointing at dist) run a command through the library entry point, from an ES module
// and from a CommonJS consumer.
const packageDir = resolve(__dirname, '..');
const coreDir = resolve(packageDir, '../core');

describePackaging({
  name: '@service-jwt/cli',
  packages: [coreDir, packageDir],
  links: { jose: coreDir },
  imports: [{ from: '@service-jwt/cli', names: ['EXIT', 'nodeIo', 'run'] }],
  // `keygen` with stdout captured: the exit code and the kind of key it printed.
  script: `
(async () => {
  let out = '';
  const io = { ...nodeIo(), stdout: (text) => { out += text; } };
  const code = await run(['keygen', '--alg', 'EdDSA', '--kid', 'k1'], io);
  const jwk = JSON.parse(out);
  console.log(code === EXIT.ok, jwk.kty, jwk.crv, jwk.kid);
})();
`,
  expected: 'true OKP Ed25519 k1',
});
