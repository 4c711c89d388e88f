import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXIT, run } from '@service-jwt/cli';
import { type JwksServer, serveJwks } from '@service-jwt/testing';
import { memoryIo } from './memory-io.js';

const ISS = 'https://m1.test/';
const AUD = 'https://m2.test/';
const NOW = 1_800_000_000_000;

/** `sign` with the test key, issuer and audience, then `extra`. */
const signArgs = (...extra: string[]) => [
  'sign',
  '--key',
  'key.json',
  '--iss',
  ISS,
  '--aud',
  AUD,
  ...extra,
];

let keyJwk: string;
let keyPem: string;
let jwksJson: string;

const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;

async function cli(argv: string[], options: Parameters<typeof memoryIo>[0] = {}) {
  const m = memoryIo({
    now: NOW,
    ...options,
    files: { 'key.json': keyJwk, 'key.pem': keyPem, 'jwks.json': jwksJson, ...options.files },
  });
  const code = await run(argv, m.io);
  return { code, ...m };
}

beforeAll(async () => {
  const gen = memoryIo();
  expect(await run(['keygen', '--alg', 'EdDSA', '--out', 'k.json'], gen.io)).toBe(EXIT.ok);
  keyJwk = gen.text('k.json');
  expect(gen.modes.get('k.json')).toBe(0o600);
  const pem = memoryIo();
  expect(await run(['keygen', '--alg', 'ES256', '--format', 'pem'], pem.io)).toBe(EXIT.ok);
  keyPem = pem.stdout();
  const set = memoryIo({ files: { 'key.json': keyJwk } });
  expect(await run(['jwks', '--key', 'key.json'], set.io)).toBe(EXIT.ok);
  jwksJson = set.stdout();
});

describe('keygen', () => {
  it.each(['EdDSA', 'ES256', 'ES384', 'RS256', 'PS256'])('makes a %s key as JWK', async (alg) => {
    const r = await cli(['keygen', '--alg', alg, '--kid', 'k1']);
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout())).toMatchObject({
      kid: 'k1',
      alg,
      use: 'sig',
      d: expect.any(String),
    });
  });

  it('prints PEM, and only the public JWK when writing the private key to --out', async () => {
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const r = await cli(['keygen', '--alg', 'ES256', '--out', 'new.json']);
    expect(JSON.parse(r.stdout())).not.toHaveProperty('d');
    expect(JSON.parse(r.text('new.json'))).toHaveProperty('d');
    expect((await cli(['keygen', '--alg', 'ES256', '--out', 'key.json'])).code).toBe(EXIT.usage);
  });

  it.each([
    [['keygen']],
    [['keygen', '--alg', 'HS256']],
    [['keygen', '--alg', 'ES256', '--format', 'der']],
  ])('usage errors: %j', async (argv) => {
    const r = await cli(argv);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr()).toMatch(/^service-jwt keygen: [^\n]+\n$/);
  });
});

describe('sign and verify', () => {
  it('signs with claims and verifies against a JWKS file, the token read from stdin', async () => {
    const s = await cli(
      signArgs(
        '--sub',
        'u1',
        '--lifetime',
        '2h',
        '--claim',
        'n=1',
        '--claim',
        'role=admin',
        '--claim',
        'tags=["a"]',
      ),
    );
    expect(s.code).toBe(EXIT.ok);
    const token = s.stdout().trim();
    expect(payloadOf(token)).toMatchObject({
      iss: ISS,
      aud: AUD,
      sub: 'u1',
      n: 1,
      role: 'admin',
      tags: ['a'],
      source: 'microservice',
      iat: NOW / 1000,
      exp: NOW / 1000 + 7200,
    });
    const v = await cli(['verify', '-', '--jwks', 'jwks.json', '--iss', ISS, '--aud', AUD], {
      stdin: `${token}\n`,
    });
    expect(v.code).toBe(EXIT.ok);
    expect(JSON.parse(v.stdout())).toMatchObject({ sub: 'u1', role: 'admin' });
  });

  it('prints the error code and exits 1 for a refused token', async () => {
    const token = (await cli(signArgs())).stdout().trim();
    const wrongAud = await cli([
      'verify',
      token,
      '--jwks',
      'jwks.json',
      '--iss',
      ISS,
      '--aud',
      'https://x/',
    ]);
    expect(wrongAud.code).toBe(EXIT.refused);
    expect(wrongAud.stderr()).toMatch(
      /^service-jwt verify: refused: audience_mismatch \(401\)[^\n]*\n$/,
    );
    expect(wrongAud.stdout()).toBe('');
    const later = await cli(['verify', token, '--jwks', 'jwks.json', '--iss', ISS, '--aud', AUD], {
      now: NOW + 3_600_000,
    });
    expect(later.stderr()).toContain('token_expired');
    const user = (await cli(signArgs('--no-source'))).stdout().trim();
    expect(
      (await cli(['verify', user, '--jwks', 'jwks.json', '--iss', ISS, '--aud', AUD])).stderr(),
    ).toContain('source_mismatch');
    expect(
      (
        await cli([
          'verify',
          user,
          '--jwks',
          'jwks.json',
          '--iss',
          ISS,
          '--aud',
          AUD,
          '--no-source',
        ])
      ).code,
    ).toBe(EXIT.ok);
  });

  it('mints and checks request-bound tokens over a body file', async () => {
    const files = { 'body.json': '{"amount":10}', 'other.json': '{"amount":99}' };
    const s = await cli(
      signArgs('--method', 'post', '--url', '/orders?x=1', '--body', 'body.json'),
      { files },
    );
    const token = s.stdout().trim();
    expect(payloadOf(token)).toMatchObject({
      htm: 'POST',
      htu: '/orders?x=1',
      bdy: expect.any(String),
    });
    expect((payloadOf(token).exp as number) - (payloadOf(token).iat as number)).toBe(60);
    const base = [
      'verify',
      token,
      '--jwks',
      'jwks.json',
      '--iss',
      ISS,
      '--aud',
      AUD,
      '--method',
      'POST',
      '--url',
      '/orders?x=1',
    ];
    expect((await cli([...base, '--body', 'body.json'], { files })).code).toBe(EXIT.ok);
    const tampered = await cli([...base, '--body', 'other.json'], { files });
    expect(tampered.stderr()).toContain('body_hash_mismatch');
    expect((await cli(signArgs('--url', '/x'))).code).toBe(EXIT.usage);
  });

  it('signs with a PEM key and --alg/--kid, and publishes it', async () => {
    const s = await cli(['sign', '--key', 'key.pem', '--iss', ISS, '--aud', AUD, '--kid', 'pem-1']);
    expect(
      JSON.parse(Buffer.from(s.stdout().split('.')[0] ?? '', 'base64url').toString()),
    ).toMatchObject({ alg: 'ES256', kid: 'pem-1' });
    const set = await cli(['jwks', '--key', 'key.json', '--key', 'key.pem']);
    const keys = JSON.parse(set.stdout()).keys as Record<string, unknown>[];
    expect(keys.map((k) => k.alg)).toEqual(['EdDSA', 'ES256']);
    for (const k of keys)
      for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(k).not.toHaveProperty(m);
  });

  it('refuses reserved claims, bad durations and unreadable keys with one line', async () => {
    const cases: [string[], number][] = [
      [signArgs('--claim', 'iss=evil'), EXIT.usage],
      [signArgs('--lifetime', '5 minutes'), EXIT.usage],
      [['sign', '--key', 'missing.json', '--iss', ISS, '--aud', AUD], EXIT.input],
      [['sign', '--key', 'jwks.json', '--iss', ISS, '--aud', AUD], EXIT.input],
      [['sign', '--iss', ISS, '--aud', AUD], EXIT.usage],
      [['verify', '--jwks', 'jwks.json', '--iss', ISS, '--aud', AUD], EXIT.usage],
      [['frobnicate'], EXIT.usage],
    ];
    for (const [argv, code] of cases) {
      const r = await cli(argv);
      expect([argv, r.code]).toEqual([argv, code]);
      expect(r.stderr()).toMatch(/^service-jwt[^\n]*\n$/);
    }
  });
});

describe('verify --jwks URL', () => {
  let server: JwksServer;
  beforeAll(async () => {
    server = await serveJwks(JSON.parse(jwksJson));
  });
  afterAll(() => server.close());

  it('needs --allow-http for an http URL, exits 4 when the keys are unreachable', async () => {
    const token = (await cli(signArgs())).stdout().trim();
    const base = ['verify', token, '--iss', ISS, '--aud', AUD, '--jwks', server.url];
    expect((await cli(base)).code).toBe(EXIT.usage);
    expect((await cli([...base, '--allow-http'])).code).toBe(EXIT.ok);
    server.respondWith(500, 'down');
    const down = await cli([...base, '--allow-http']);
    expect(down.code).toBe(EXIT.unavailable);
    expect(down.stderr()).toMatch(/^service-jwt verify: keys unavailable/);
  });
});

describe('inspect', () => {
  it('explains each check, marked UNVERIFIED, in human time', async () => {
    const token = (await cli(signArgs('--method', 'GET', '--url', '/a'))).stdout().trim();
    const r = await cli(['inspect', '-'], { stdin: token, now: NOW + 30_000 });
    expect(r.code).toBe(EXIT.ok);
    const out = r.stdout();
    expect(out.startsWith('UNVERIFIED')).toBe(true);
    expect(out).toMatch(/expiry +2027-01-15T08:01:00Z \(in 30s\)/);
    expect(out).toMatch(/audience +https:\/\/m2\.test\/: must contain/);
    expect(out).toMatch(/source +source=microservice/);
    expect(out).toMatch(/body +bdy \S+: SHA-256/);
    expect(out).toMatch(/request +GET \/a/);
    const expired = await cli(['inspect', token], { now: NOW + 7_200_000 });
    expect(expired.stdout()).toMatch(/expiry .*\(1h 59m ago\) — EXPIRED/);
  });

  it('refuses what is not a JWT', async () => {
    for (const token of ['abc', 'a.b.c', '!!.e30.x']) {
      const r = await cli(['inspect', token]);
      expect(r.code).toBe(EXIT.input);
    }
    expect((await cli(['inspect'])).code).toBe(EXIT.usage);
  });
});

describe('help', () => {
  it.each(['keygen', 'sign', 'verify', 'inspect', 'jwks'])('%s --help', async (name) => {
    const r = await cli([name, '--help']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout()).toMatch(new RegExp(`^Usage: service-jwt ${name}`));
  });

  it('lists commands and exit codes', async () => {
    const r = await cli(['--help']);
    expect(r.stdout()).toMatch(/Exit codes: 0 ok, 1 token refused, 2 usage error/);
    expect((await cli([])).code).toBe(EXIT.usage);
  });
});

describe('the real binary', () => {
  it('runs through node --import tsx with files and stdin', () => {
    const root = resolve(__dirname, '../../..');
    const dir = mkdtempSync(join(tmpdir(), 'service-jwt-cli-'));
    try {
      writeFileSync(join(dir, 'jwks.json'), jwksJson);
      const bin = ['--conditions=source', '--import', 'tsx', 'packages/cli/src/bin.ts'];
      const exec = (args: string[], input?: string) =>
        spawnSync(process.execPath, [...bin, ...args], {
          cwd: root,
          input,
          encoding: 'utf8',
          timeout: 30_000,
        });
      const keygen = exec(['keygen', '--alg', 'EdDSA', '--out', join(dir, 'key.json')]);
      expect(keygen.status).toBe(0);
      expect(statSync(join(dir, 'key.json')).mode & 0o777).toBe(0o600);
      const jwks = exec(['jwks', '--key', join(dir, 'key.json')]);
      writeFileSync(join(dir, 'jwks.json'), jwks.stdout);
      const signed = exec(['sign', '--key', join(dir, 'key.json'), '--iss', ISS, '--aud', AUD]);
      expect(signed.status).toBe(0);
      const verified = exec(
        ['verify', '-', '--jwks', join(dir, 'jwks.json'), '--iss', ISS, '--aud', AUD],
        signed.stdout,
      );
      expect(verified.status).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({ iss: ISS });
      const refused = exec([
        'verify',
        signed.stdout.trim(),
        '--jwks',
        join(dir, 'jwks.json'),
        '--iss',
        ISS,
        '--aud',
        'https://x/',
      ]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/^service-jwt verify: refused: audience_mismatch/);
      expect(readFileSync(join(dir, 'key.json'), 'utf8')).toContain('"d"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
