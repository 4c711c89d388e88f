import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// The published shape: @service-jwt/lambda and @service-jwt/core as `pnpm pack` makes them
// (exports pointing at dist) wrap a handler that accepts one event and refuses another, from an
// ES module and from a CommonJS consumer.
const packageDir = resolve(__dirname, '..');
const coreDir = resolve(packageDir, '../core');
let consumer: string;

function packInto(dir: string, name: string): void {
  const before = new Set(readdirSync(consumer));
  execFileSync('pnpm', ['pack', '--pack-destination', consumer], { cwd: dir, stdio: 'pipe' });
  const tarball = readdirSync(consumer).find((file) => file.endsWith('.tgz') && !before.has(file));
  if (tarball === undefined) throw new Error(`pnpm pack produced no tarball for ${name}`);
  const target = join(consumer, 'node_modules', ...name.split('/'));
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', join(consumer, tarball), '-C', target, '--strip-components=1']);
}

beforeAll(() => {
  execFileSync('pnpm', ['run', 'build'], { cwd: coreDir, stdio: 'pipe' });
  execFileSync('pnpm', ['run', 'build'], { cwd: packageDir, stdio: 'pipe' });
  consumer = mkdtempSync(join(tmpdir(), 'service-jwt-lambda-consumer-'));
  packInto(coreDir, '@service-jwt/core');
  packInto(packageDir, '@service-jwt/lambda');
  const jose = realpathSync(require.resolve('jose/package.json', { paths: [coreDir] }));
  symlinkSync(dirname(jose), join(consumer, 'node_modules', 'jose'), 'dir');
}, 120_000);

afterAll(() => rmSync(consumer, { recursive: true, force: true }));

// An HTTP API event with and without a token signed by a local Ed25519 key.
const SCRIPT = `
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
`;

function run(file: string, source: string): string {
  writeFileSync(join(consumer, file), source);
  return execFileSync(process.execPath, ['--no-warnings', file], {
    cwd: consumer,
    encoding: 'utf8',
    stdio: 'pipe',
    timeout: 20_000,
  }).trim();
}

const EXPECTED = '200 https://herald.test/ 401 Bearer realm="service-jwt"';

it('ships only dist and the manifest', () => {
  const files = readdirSync(join(consumer, 'node_modules', '@service-jwt', 'lambda'));
  expect(files).toEqual(expect.arrayContaining(['dist', 'package.json']));
  expect(files).not.toContain('src');
  expect(files).not.toContain('test');
});

it('wraps a handler from an ES module', () => {
  const out = run(
    'handler.mjs',
    `import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { withServiceJwt } from '@service-jwt/lambda';
${SCRIPT}`,
  );
  expect(out).toBe(EXPECTED);
});

it('wraps a handler from CommonJS', () => {
  const out = run(
    'handler.cjs',
    `const { generateKeyPairSync } = require('node:crypto');
const { SignJWT } = require('jose');
const { withServiceJwt } = require('@service-jwt/lambda');
${SCRIPT}`,
  );
  expect(out).toBe(EXPECTED);
});
