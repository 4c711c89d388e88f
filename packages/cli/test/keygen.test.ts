import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { EXIT } from '@service-jwt/cli';
import { AUD, ISS, payloadOf } from './support/fixtures.js';
import { realCli, tempDir } from './support/real-cli.js';

const dir = tempDir();
afterAll(() => dir.remove());

describe('keygen', () => {
  it.each(['EdDSA', 'ES256', 'ES384', 'RS256', 'PS256'])('makes a %s key as JWK', async (alg) => {
    const r = await realCli(['keygen', '--alg', alg, '--kid', 'k1']);
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout)).toMatchObject({
      kid: 'k1',
      alg,
      use: 'sig',
      d: expect.any(String),
    });
  });

  it('prints PEM, and only the public JWK when writing the private key to --out', async () => {
    const pem = await realCli(['keygen', '--alg', 'ES256', '--format', 'pem']);
    expect(pem.stdout).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const out = dir.path('pair.json');
    const r = await realCli(['keygen', '--alg', 'ES256', '--out', out]);
    expect(JSON.parse(r.stdout)).not.toHaveProperty('d');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toHaveProperty('d');
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it.each([
    [['keygen']],
    [['keygen', '--alg', 'HS128']],
    [['keygen', '--alg', 'ES256', '--format', 'der']],
    [['keygen', '--alg', 'HS256', '--format', 'pem']],
    [['keygen', '--alg', 'ES256', '--force']],
  ])('usage errors: %j', async (argv) => {
    const r = await realCli(argv);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/^service-jwt keygen: [^\n]+\n$/);
  });
});

describe('keygen --out FILE --force', () => {
  it('refuses an existing file with a hint, and leaves it untouched', async () => {
    const out = dir.write('taken.json', 'precious');
    const r = await realCli(['keygen', '--alg', 'EdDSA', '--out', out]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/^service-jwt keygen: [^\n]*--force[^\n]*\n$/);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe('precious');
  });

  it('overwrites with --force, narrowing a wider mode to 0600', async () => {
    const out = dir.write('replace.json', 'old');
    writeFileSync(out, 'old', { mode: 0o644 });
    const r = await realCli(['keygen', '--alg', 'EdDSA', '--out', out, '--force']);
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({
      kty: 'OKP',
      d: expect.any(String),
    });
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('reports an unwritable path as an input error', async () => {
    const r = await realCli(['keygen', '--alg', 'EdDSA', '--out', dir.path('missing/dir/k.json')]);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('ENOENT');
  });
});

describe('keygen --alg HS256|HS384|HS512', () => {
  it.each([
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ])(
    '%s prints a %d-byte secret as an oct JWK, with a note that it is a secret',
    async (alg, bytes) => {
      const r = await realCli(['keygen', '--alg', alg, '--kid', 's1']);
      expect(r.code).toBe(EXIT.ok);
      const jwk = JSON.parse(r.stdout) as Record<string, string>;
      expect(jwk).toMatchObject({ kty: 'oct', alg, kid: 's1', use: 'sig' });
      expect(Buffer.from(jwk.k ?? '', 'base64url')).toHaveLength(bytes);
      expect(r.stderr).toMatch(/SECRET/);
      expect(r.stderr).not.toContain(jwk.k);
    },
  );

  it('writes the secret with --out (mode 0600), prints nothing, and sign and verify take it', async () => {
    const out = dir.path('secret.json');
    const made = await realCli(['keygen', '--alg', 'HS256', '--out', out]);
    expect([made.code, made.stdout]).toEqual([EXIT.ok, '']);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const signed = await realCli(['sign', '--key', out, '--iss', ISS, '--aud', AUD]);
    expect(signed.code).toBe(EXIT.ok);
    const token = signed.stdout.trim();
    expect(payloadOf(token)).toMatchObject({ iss: ISS, aud: AUD });
    const verified = await realCli(['verify', token, '--secret', out, '--iss', ISS, '--aud', AUD]);
    expect(verified.code).toBe(EXIT.ok);
    expect(JSON.parse(verified.stdout)).toMatchObject({ iss: ISS });
  });

  it('publishes nothing for a secret, and verify --jwks points to --secret', async () => {
    const secret = (await realCli(['keygen', '--alg', 'HS256'])).stdout;
    const file = dir.write('oct.json', secret);
    const set = await realCli(['jwks', '--key', file]);
    expect(JSON.parse(set.stdout)).toEqual({ keys: [] });
    const token = (
      await realCli(['sign', '--key', file, '--iss', ISS, '--aud', AUD])
    ).stdout.trim();
    const r = await realCli(['verify', token, '--jwks', file, '--iss', ISS, '--aud', AUD]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain('--secret');
  });

  it('a token signed by one secret is refused under another', async () => {
    const one = dir.write('one.json', (await realCli(['keygen', '--alg', 'HS256'])).stdout);
    const two = dir.write('two.json', (await realCli(['keygen', '--alg', 'HS256'])).stdout);
    const token = (await realCli(['sign', '--key', one, '--iss', ISS, '--aud', AUD])).stdout.trim();
    const r = await realCli(['verify', token, '--secret', two, '--iss', ISS, '--aud', AUD]);
    expect(r.code).toBe(EXIT.refused);
    expect(r.stderr).toMatch(/refused: signature_invalid/);
  });
});
