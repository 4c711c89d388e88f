import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT, VERSION } from '@service-jwt/cli';
import { type CliKeys, createKeys, memoryCli, NOW, signArgs } from './support/fixtures.js';
import { realCli } from './support/real-cli.js';

let keys: CliKeys;
beforeAll(async () => {
  keys = await createKeys();
});
const cli = memoryCli(() => keys);

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

describe('inspect --json', () => {
  it('prints the decoded header and claims and each check, with the refusal it predicts', async () => {
    // Signed in 2001, inspected on the real clock: long expired.
    const signed = await cli(signArgs('--sub', 'u1', '--method', 'GET', '--url', '/a'), {
      now: 1_000_000_000_000,
    });
    const token = signed.stdout().trim();
    const r = await realCli(['inspect', token, '--json']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['ok', 'verified', 'header', 'claims', 'checks']);
    expect(out).toMatchObject({
      ok: true,
      verified: false,
      header: { alg: 'EdDSA', typ: 'JWT' },
      claims: { sub: 'u1', htm: 'GET', htu: '/a' },
    });
    const checks = out.checks as { check: string; note: string; refusal?: string }[];
    expect(checks.map((c) => c.check)).toEqual([
      'algorithm',
      'key',
      'issuer',
      'audience',
      'expiry',
      'issued',
      'source',
      'subject',
      'body',
      'request',
      'replay',
    ]);
    expect(checks.find((c) => c.check === 'expiry')?.refusal).toBe('token_expired');
    expect(r.stdout).not.toContain(token.split('.')[2]);
  });

  it('reports what is not a JWT as {ok:false, code, message} on standard output', async () => {
    const r = await realCli(['inspect', 'abc', '--json']);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      code: 'input_error',
      message: expect.any(String),
    });
    const usage = await realCli(['inspect', '--json', '--nope']);
    expect(usage.code).toBe(EXIT.usage);
    expect(JSON.parse(usage.stdout)).toMatchObject({ ok: false, code: 'usage_error' });
  });
});

describe('--version', () => {
  it('prints the package version', async () => {
    const r = await realCli(['--version']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toBe(`service-jwt ${VERSION}\n`);
    const manifest = JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8'));
    expect(VERSION).toBe(manifest.version);
  });
});
