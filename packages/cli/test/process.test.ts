import { readFileSync, statSync } from 'node:fs';
import { EXIT, VERSION } from '@service-jwt/cli';
import { AUD, ISS, payloadOf } from './support/fixtures.js';
import { tempDir } from './support/real-cli.js';
import { spawnCli } from './support/spawn-cli.js';

// The binary itself, in child processes: real pipes, real files, real exit codes. Each spawn
// costs a Node start-up, so each test covers one flag end to end and the details live in the
// in-process suites.

jest.setTimeout(60_000);
const dir = tempDir();
const keyFile = dir.path('key.json');
const jwksFile = dir.path('jwks.json');
const NO_TRACE = /EPIPE|Error|\n\s+at /;

beforeAll(async () => {
  const keygen = await spawnCli(['keygen', '--alg', 'EdDSA', '--out', keyFile]);
  expect(keygen.status).toBe(EXIT.ok);
  const jwks = await spawnCli(['jwks', '--key', '-'], { input: readFileSync(keyFile) });
  expect(jwks.status).toBe(EXIT.ok);
  dir.write('jwks.json', jwks.stdout);
});
afterAll(() => dir.remove());

const signed = async (...extra: string[]) => {
  const r = await spawnCli(['sign', '--key', keyFile, '--iss', ISS, '--aud', AUD, ...extra]);
  expect(r.status).toBe(EXIT.ok);
  return r.stdout.trim();
};

it('--version prints the version', async () => {
  const r = await spawnCli(['--version']);
  expect([r.status, r.stdout, r.stderr]).toEqual([EXIT.ok, `service-jwt ${VERSION}\n`, '']);
});

it('keygen --out writes mode 0600, refuses to overwrite without --force, overwrites with it', async () => {
  expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  const before = readFileSync(keyFile, 'utf8');
  const refused = await spawnCli(['keygen', '--alg', 'EdDSA', '--out', keyFile]);
  expect(refused.status).toBe(EXIT.usage);
  expect(refused.stderr).toMatch(/^service-jwt keygen: [^\n]*--force[^\n]*\n$/);
  expect(readFileSync(keyFile, 'utf8')).toBe(before);
  const other = dir.path('other.json');
  dir.write('other.json', 'x');
  const forced = await spawnCli(['keygen', '--alg', 'ES256', '--out', other, '--force']);
  expect(forced.status).toBe(EXIT.ok);
  expect(JSON.parse(readFileSync(other, 'utf8'))).toMatchObject({
    kty: 'EC',
    d: expect.any(String),
  });
});

it('a closed standard output (EPIPE) ends quietly with the command exit code', async () => {
  const keygen = await spawnCli(['keygen', '--alg', 'RS256'], { closeStdout: true });
  expect(keygen.signal).toBeNull();
  expect(keygen.status).toBe(EXIT.ok);
  expect(keygen.stderr).toMatch(/^kid \S+, alg RS256\n$/);
  const token = await signed();
  const refused = await spawnCli(
    ['verify', token, '--json', '--jwks', jwksFile, '--iss', ISS, '--aud', 'https://x.test/'],
    { closeStdout: true },
  );
  expect([refused.status, refused.stderr]).toEqual([EXIT.refused, '']);
  const help = await spawnCli(['--help'], { closeStdout: true });
  expect(help.status).toBe(EXIT.ok);
  expect(help.stderr).not.toMatch(NO_TRACE);
});

it('--key - and --body - read piped standard input; verify - reads the token', async () => {
  const body = Uint8Array.from([0x7b, 0xff, 0x0a, 0x7d]);
  const bound = await spawnCli(
    [
      'sign',
      '--key',
      keyFile,
      '--iss',
      ISS,
      '--aud',
      AUD,
      '--method',
      'POST',
      '--url',
      '/o',
      '--body',
      '-',
    ],
    { input: body },
  );
  expect(bound.status).toBe(EXIT.ok);
  const checked = await spawnCli(
    [
      'verify',
      bound.stdout.trim(),
      '--jwks',
      jwksFile,
      '--iss',
      ISS,
      '--aud',
      AUD,
      '--method',
      'POST',
      '--url',
      '/o',
      '--body',
      '-',
    ],
    { input: body },
  );
  expect(checked.status).toBe(EXIT.ok);
  const plain = await spawnCli(['sign', '--key', '-', '--iss', ISS, '--aud', AUD], {
    input: readFileSync(keyFile),
  });
  const piped = await spawnCli(['verify', '-', '--jwks', jwksFile, '--iss', ISS, '--aud', AUD], {
    input: plain.stdout,
  });
  expect(piped.status).toBe(EXIT.ok);
  expect(JSON.parse(piped.stdout)).toMatchObject({ iss: ISS, aud: AUD });
});

it('inspect --json and verify --json print one JSON document', async () => {
  const token = await signed('--sub', 'u1');
  const inspected = await spawnCli(['inspect', token, '--json']);
  expect(inspected.status).toBe(EXIT.ok);
  expect(JSON.parse(inspected.stdout)).toMatchObject({
    ok: true,
    verified: false,
    claims: { sub: 'u1' },
  });
  const verified = await spawnCli([
    'verify',
    token,
    '--json',
    '--jwks',
    jwksFile,
    '--iss',
    ISS,
    '--aud',
    AUD,
  ]);
  expect(verified.status).toBe(EXIT.ok);
  expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, issuer: ISS, subject: 'u1' });
});

it('verify names --allow-http, shows iss beside --iss, and wants the request of a bound token', async () => {
  const token = await signed();
  const http = await spawnCli([
    'verify',
    token,
    '--jwks',
    'http://127.0.0.1:9/k',
    '--iss',
    ISS,
    '--aud',
    AUD,
  ]);
  expect(http.status).toBe(EXIT.usage);
  expect(http.stderr).toContain('--allow-http');
  expect(http.stderr).not.toContain('allowInsecureHttp');
  const get = await signed('--method', 'GET', '--url', '/a');
  const bound = await spawnCli(['verify', get, '--jwks', jwksFile, '--iss', ISS, '--aud', AUD]);
  expect(bound.status).toBe(EXIT.usage);
  expect(bound.stderr).toMatch(/--method.*--url/);
  const iss = await spawnCli([
    'verify',
    token,
    '--jwks',
    jwksFile,
    '--iss',
    'https://m1.test',
    '--aud',
    AUD,
  ]);
  expect(iss.status).toBe(EXIT.refused);
  expect(iss.stderr).toMatch(
    /^service-jwt verify: refused: issuer_not_trusted \(401\).*"https:\/\/m1\.test\/".*"https:\/\/m1\.test".*trailing slash[^\n]*\n$/,
  );
});

it('keygen --alg HS256 makes a secret that sign --key and verify --secret take', async () => {
  const secretFile = dir.path('secret.json');
  const made = await spawnCli(['keygen', '--alg', 'HS256', '--out', secretFile]);
  expect([made.status, made.stdout]).toEqual([EXIT.ok, '']);
  expect(made.stderr).toMatch(/SECRET/);
  const token = (
    await spawnCli(['sign', '--key', secretFile, '--iss', ISS, '--aud', AUD])
  ).stdout.trim();
  expect(payloadOf(token)).toMatchObject({ iss: ISS });
  const verified = await spawnCli([
    'verify',
    token,
    '--secret',
    secretFile,
    '--iss',
    ISS,
    '--aud',
    AUD,
  ]);
  expect(verified.status).toBe(EXIT.ok);
});
