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
  // `keygen` and `--version` with stdout captured: the exit code, the kind of key it printed,
  // and the version, which must be the packed package.json's.
  script: `
(async () => {
  let out = '';
  const io = { ...nodeIo(), stdout: (text) => { out += text; } };
  const code = await run(['keygen', '--alg', 'EdDSA', '--kid', 'k1'], io);
  const jwk = JSON.parse(out);
  out = '';
  await run(['--version'], io);
  const { readFileSync } = await import('node:fs');
  const manifest = readFileSync('node_modules/@service-jwt/cli/package.json', 'utf8');
  const { version } = JSON.parse(manifest);
  console.log(code === EXIT.ok, jwk.kty, jwk.crv, jwk.kid, out.trim() === 'service-jwt ' + version);
})();
`,
  expected: 'true OKP Ed25519 k1 true',
});
