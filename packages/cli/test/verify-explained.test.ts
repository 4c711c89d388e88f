import { createHash } from 'node:crypto';
import { EXIT } from '@service-jwt/cli';
import { createTestIssuer } from '@service-jwt/testing';
import { AUD, type CliKeys, createKeys, ISS } from './support/fixtures.js';
import { realCli, tempDir } from './support/real-cli.js';

const dir = tempDir();
let keys: CliKeys;
let keyFile: string;
let jwksFile: string;
beforeAll(async () => {
  keys = await createKeys();
  keyFile = dir.write('key.json', keys.keyJwk);
  jwksFile = dir.write('jwks.json', keys.jwksJson);
});
afterAll(() => dir.remove());

const sign = async (...extra: string[]) => {
  const r = await realCli(['sign', '--key', keyFile, '--iss', ISS, '--aud', AUD, ...extra]);
  expect(r.code).toBe(EXIT.ok);
  return r.stdout.trim();
};
const verify = (token: string, ...extra: string[]) =>
  realCli(['verify', token, '--jwks', jwksFile, ...extra]);

describe('issuer_not_trusted and audience_mismatch show both values', () => {
  it('iss: the token has a trailing slash that --iss lacks', async () => {
    const token = await sign();
    const r = await verify(token, '--iss', 'https://m1.test', '--aud', AUD);
    expect(r.code).toBe(EXIT.refused);
    expect(r.stderr).toMatch(/^service-jwt verify: refused: issuer_not_trusted \(401\)[^\n]*\n$/);
    expect(r.stderr).toContain(`"${ISS}"`);
    expect(r.stderr).toContain('--iss is "https://m1.test"');
    expect(r.stderr).toContain('trailing slash');
  });

  it('aud: one of several --aud, against an array in the token', async () => {
    const token = await sign('--aud', 'https://m3.test/');
    const r = await verify(
      token,
      '--iss',
      ISS,
      '--aud',
      'https://m2.test',
      '--aud',
      'https://x.test/',
    );
    expect(r.code).toBe(EXIT.refused);
    expect(r.stderr).toMatch(/refused: audience_mismatch \(401\)/);
    expect(r.stderr).toContain(JSON.stringify([AUD, 'https://m3.test/']));
    expect(r.stderr).toContain('--aud is "https://m2.test" or "https://x.test/"');
    expect(r.stderr).toContain('trailing slash');
    const json = await verify(token, '--json', '--iss', ISS, '--aud', 'https://m2.test');
    expect(JSON.parse(json.stdout)).toMatchObject({
      code: 'audience_mismatch',
      expected: ['https://m2.test'],
      actual: [AUD, 'https://m3.test/'],
    });
  });

  it('names letter case, and shows unrelated values without a hint', async () => {
    const token = await sign();
    const upper = await verify(token, '--iss', 'HTTPS://M1.TEST/', '--aud', AUD);
    expect(upper.stderr).toContain('letter case');
    const other = await verify(token, '--iss', ISS, '--aud', 'https://billing.test/');
    expect(other.stderr).toContain(
      `the token's aud is "${AUD}", --aud is "https://billing.test/"\n`,
    );
  });

  it('never prints the signature', async () => {
    const token = await sign();
    const r = await verify(token, '--iss', 'https://m1.test', '--aud', AUD, '--json');
    expect(r.stdout).not.toContain(token.split('.')[2]);
  });
});

describe('a request-bound token needs its request', () => {
  const body = '{"amount":10}';
  let bodyFile: string;
  beforeAll(() => {
    bodyFile = dir.write('body.json', body);
  });

  it('htm/htu/bdy without --method, --url and --body: usage error naming all three', async () => {
    const token = await sign('--method', 'POST', '--url', '/orders', '--body', bodyFile);
    const r = await verify(token, '--iss', ISS, '--aud', AUD);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stdout).toBe('');
    for (const flag of ['--method', '--url', '--body']) expect(r.stderr).toContain(flag);
    const json = await verify(token, '--iss', ISS, '--aud', AUD, '--json');
    expect(json.code).toBe(EXIT.usage);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, code: 'usage_error' });
    const noBody = await verify(
      token,
      '--iss',
      ISS,
      '--aud',
      AUD,
      '--method',
      'POST',
      '--url',
      '/orders',
    );
    expect(noBody.code).toBe(EXIT.usage);
    expect(noBody.stderr).toContain('--body');
    const full = ['--method', 'POST', '--url', '/orders', '--body', bodyFile];
    expect((await verify(token, '--iss', ISS, '--aud', AUD, ...full)).code).toBe(EXIT.ok);
  });

  it('a GET token (bdy of the empty body) needs --method and --url, not --body', async () => {
    const token = await sign('--method', 'GET', '--url', '/a?b=1');
    const bare = await verify(token, '--iss', ISS, '--aud', AUD);
    expect(bare.code).toBe(EXIT.usage);
    expect(bare.stderr).toContain('--method');
    expect(bare.stderr).toContain('--url');
    expect(bare.stderr).not.toContain('--body');
    const checked = await verify(
      token,
      '--iss',
      ISS,
      '--aud',
      AUD,
      '--method',
      'GET',
      '--url',
      '/a?b=1',
    );
    expect(checked.code).toBe(EXIT.ok);
    const moved = await verify(token, '--iss', ISS, '--aud', AUD, '--method', 'GET', '--url', '/b');
    expect(moved.code).toBe(EXIT.refused);
    expect(moved.stderr).toMatch(/refused: request_binding_mismatch/);
  });

  it('a token bound to its body alone is checked with --body alone', async () => {
    // The CLI's signer always binds method and target too: the test kit mints bdy alone.
    const issuer = await createTestIssuer({ issuer: ISS });
    const set = dir.write('kit-jwks.json', JSON.stringify(issuer.jwks));
    const bdy = createHash('sha256').update(body).digest('base64url');
    const token = await issuer.sign({ bdy }, { audience: AUD });
    const base = ['verify', token, '--jwks', set, '--iss', ISS, '--aud', AUD];
    const missing = await realCli(base);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain('--body');
    expect(missing.stderr).not.toContain('--method');
    expect((await realCli([...base, '--body', bodyFile])).code).toBe(EXIT.ok);
    const other = dir.write('other.json', '{"amount":99}');
    const tampered = await realCli([...base, '--body', other]);
    expect(tampered.code).toBe(EXIT.refused);
    expect(tampered.stderr).toMatch(/refused: body_hash_mismatch/);
  });

  it('a token bound to nothing still verifies alone', async () => {
    expect((await verify(await sign(), '--iss', ISS, '--aud', AUD)).code).toBe(EXIT.ok);
  });
});
