import { EXIT } from '@service-jwt/cli';
import { type JwksServer, serveJwks } from '@service-jwt/testing';
import {
  AUD,
  type CliKeys,
  createKeys,
  ISS,
  memoryCli,
  NOW,
  payloadOf,
  signArgs,
} from './support/fixtures.js';

let keys: CliKeys;
beforeAll(async () => {
  keys = await createKeys();
});
const cli = memoryCli(() => keys);

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
    server = await serveJwks(JSON.parse(keys.jwksJson));
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
