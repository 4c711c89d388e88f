import { resolve } from 'node:path';
import { describePackaging } from '@service-jwt/conformance';

// Proves the published shape: the package as `pnpm pack` makes it (publishConfig exports
// pointing at dist) can be imported from ESM and require()d from CommonJS on Node >= 20.19,
// through its main entry and its `adapter` subpath, and nothing internal is reachable.
const packageDir = resolve(__dirname, '..');

describePackaging({
  name: '@service-jwt/core',
  packages: [packageDir],
  links: { jose: packageDir },
  imports: [
    { from: '@service-jwt/core', names: ['ServiceJwtError', 'createVerifier'] },
    { from: '@service-jwt/core/adapter', names: ['createGuard', 'challengeHeaders'] },
  ],
  script: [
    `const guard = createGuard({ issuers: { 'https://a': { secret: 'x'.repeat(32) } }, audience: 'b', onError: 'throw' });`,
    `const err = new ServiceJwtError('token_expired', 'x');`,
    `import('@service-jwt/core/dist/verify/pipeline.js').then(() => 'reachable', () => 'hidden').then((internal) =>`,
    `  console.log(typeof createVerifier, guard.onError, challengeHeaders(err)['www-authenticate'].startsWith('Bearer'), internal));`,
  ].join('\n'),
  expected: 'function throw true hidden',
});
