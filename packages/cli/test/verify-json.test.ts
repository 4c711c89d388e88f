import { EXIT } from '@service-jwt/cli';
import { type JwksServer, serveJwks } from '@service-jwt/testing';
import { AUD, type CliKeys, createKeys, ISS } from './support/fixtures.js';
import { realCli, tempDir } from './support/real-cli.js';

// verify --json: one JSON document on standard output, whatever the outcome; nothing on
// standard error; the exit code as without --json.

const dir = tempDir();
let keys: CliKeys;
let keyFile: string;
let jwksFile: string;
let server: JwksServer;
beforeAll(async () => {
  keys = await createKeys();
  keyFile = dir.write('key.json', keys.keyJwk);
  jwksFile = dir.write('jwks.json', keys.jwksJson);
  server = await serveJwks(JSON.parse(keys.jwksJson));
});
afterAll(async () => {
  await server.close();
  dir.remove();
});

const sign = async (...extra: string[]) => {
  const r = await realCli(['sign', '--key', keyFile, '--iss', ISS, '--aud', AUD, ...extra]);
  expect(r.code).toBe(EXIT.ok);
  return r.stdout.trim();
};
const verifyJson = async (token: string, ...extra: string[]) => {
  const r = await realCli(['verify', token, '--json', ...extra]);
  expect(r.stderr).toBe('');
  return { code: r.code, out: JSON.parse(r.stdout) as Record<string, unknown>, raw: r.stdout };
};
const withJwks = (...extra: string[]) => ['--jwks', jwksFile, '--iss', ISS, '--aud', AUD, ...extra];

describe('verify --json', () => {
  it('accepted: {ok, issuer, subject, header, claims}, never the token or its signature', async () => {
    const token = await sign('--sub', 'u1', '--claim', 'role=admin');
    const r = await verifyJson(token, ...withJwks());
    expect(r.code).toBe(EXIT.ok);
    expect(Object.keys(r.out)).toEqual(['ok', 'issuer', 'subject', 'header', 'claims']);
    expect(r.out).toMatchObject({
      ok: true,
      issuer: ISS,
      subject: 'u1',
      header: { alg: 'EdDSA', typ: 'JWT' },
      claims: { iss: ISS, aud: AUD, sub: 'u1', role: 'admin' },
    });
    expect(r.raw).not.toContain(token.split('.')[2]);
    const anonymous = await verifyJson(await sign(), ...withJwks());
    expect(anonymous.out.subject).toBeNull();
  });

  it('refused: {ok:false, code, message, status}, exit 1', async () => {
    const token = await sign('--no-source');
    const r = await verifyJson(token, ...withJwks());
    expect(r.code).toBe(EXIT.refused);
    expect(r.out).toEqual({
      ok: false,
      code: 'source_mismatch',
      message: expect.stringContaining('source_mismatch'),
      status: 403,
    });
  });

  it('audience_mismatch carries expected and actual', async () => {
    const token = await sign();
    const r = await verifyJson(token, '--jwks', jwksFile, '--iss', ISS, '--aud', 'https://m2.test');
    expect(r.code).toBe(EXIT.refused);
    expect(r.out).toMatchObject({
      ok: false,
      code: 'audience_mismatch',
      status: 401,
      expected: ['https://m2.test'],
      actual: AUD,
    });
  });

  it.each([
    ['usage_error', EXIT.usage, ['--iss', ISS, '--aud', AUD]],
    [
      'usage_error',
      EXIT.usage,
      ['--jwks', 'http://127.0.0.1:9/jwks.json', '--iss', ISS, '--aud', AUD],
    ],
    ['input_error', EXIT.input, ['--jwks', '/nonexistent/jwks.json', '--iss', ISS, '--aud', AUD]],
  ] as const)('%s (exit %d): {ok:false, code, message}', async (code, exit, extra) => {
    const r = await verifyJson(await sign(), ...extra);
    expect(r.code).toBe(exit);
    expect(r.out).toEqual({ ok: false, code, message: expect.any(String) });
  });

  it('keys_unavailable (exit 4) when the key set cannot be fetched', async () => {
    server.respondWith(500, 'down');
    const r = await verifyJson(
      await sign(),
      '--jwks',
      server.url,
      '--allow-http',
      '--iss',
      ISS,
      '--aud',
      AUD,
    );
    expect(r.code).toBe(EXIT.unavailable);
    expect(r.out).toEqual({ ok: false, code: 'keys_unavailable', message: expect.any(String) });
  });

  it('a command line parseArgs refuses still answers in JSON', async () => {
    const r = await verifyJson('x', '--frobnicate');
    expect(r.code).toBe(EXIT.usage);
    expect(r.out).toMatchObject({ ok: false, code: 'usage_error' });
  });
});
