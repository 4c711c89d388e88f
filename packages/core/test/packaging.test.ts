import { resolve } from 'node:path';
import { describePackaging } from '@service-jwt/conformance';

// Proves the published shape: the package as `pnpm pack` makes it (publishConfig exports
// pointing at dist) can be imported from ESM and require()d from CommonJS on Node >= 20.19.
const packageDir = resolve(__dirname, '..');

describePackaging({
  name: '@service-jwt/core',
  packages: [packageDir],
  links: { jose: packageDir },
  imports: [{ from: '@service-jwt/core', names: ['ServiceJwtError'] }],
  script: `console.log(new ServiceJwtError('token_missing', 'x').status, new ServiceJwtError('token_expired', 'x').status);`,
  expected: '401 401',
});
