import { createHash } from 'node:crypto';
import { EXIT } from '@service-jwt/cli';
import { AUD, type CliKeys, createKeys, ISS, payloadOf } from './support/fixtures.js';
import { realCli, tempDir } from './support/real-cli.js';

// "-" reads standard input: for the token, --key, --body, --jwks and --secret, one at a time.

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

// Not valid UTF-8: a body is hashed as bytes, never through a string.
const BINARY_BODY = Uint8Array.from([0x7b, 0xff, 0xfe, 0x00, 0x0a, 0x7d]);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64url');
const verifyArgs = (token: string, ...extra: string[]) => [
  'verify',
  token,
  '--jwks',
  jwksFile,
  '--iss',
  ISS,
  '--aud',
  AUD,
  ...extra,
];

describe('--key -', () => {
  it('sign reads the private key from standard input', async () => {
    const r = await realCli(['sign', '--key', '-', '--iss', ISS, '--aud', AUD], {
      stdin: keys.keyJwk,
    });
    expect(r.code).toBe(EXIT.ok);
    expect((await realCli(verifyArgs(r.stdout.trim()))).code).toBe(EXIT.ok);
  });

  it('jwks reads one of its keys from standard input', async () => {
    const r = await realCli(['jwks', '--key', '-'], { stdin: keys.keyJwk });
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(keys.jwksJson));
  });

  it('names standard input when what it holds is no key', async () => {
    const r = await realCli(['sign', '--key', '-', '--iss', ISS, '--aud', AUD], {
      stdin: 'not a key',
    });
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(/^service-jwt sign: standard input is neither a JSON JWK nor PEM\n$/);
  });
});

describe('--body -', () => {
  it('sign binds the exact bytes of standard input, and verify checks them', async () => {
    const signed = await realCli(
      [
        'sign',
        '--key',
        keyFile,
        '--iss',
        ISS,
        '--aud',
        AUD,
        '--method',
        'PUT',
        '--url',
        '/x',
        '--body',
        '-',
      ],
      { stdin: BINARY_BODY },
    );
    expect(signed.code).toBe(EXIT.ok);
    const token = signed.stdout.trim();
    expect(payloadOf(token).bdy).toBe(sha256(BINARY_BODY));
    const bound = ['--method', 'PUT', '--url', '/x', '--body', '-'];
    expect((await realCli(verifyArgs(token, ...bound), { stdin: BINARY_BODY })).code).toBe(EXIT.ok);
    const tampered = await realCli(verifyArgs(token, ...bound), { stdin: BINARY_BODY.slice(1) });
    expect(tampered.code).toBe(EXIT.refused);
    expect(tampered.stderr).toMatch(/refused: body_hash_mismatch/);
  });
});

describe('--jwks - and --secret -', () => {
  it('verify reads the key set or the secret from standard input', async () => {
    const token = (
      await realCli(['sign', '--key', keyFile, '--iss', ISS, '--aud', AUD])
    ).stdout.trim();
    const set = await realCli(['verify', token, '--jwks', '-', '--iss', ISS, '--aud', AUD], {
      stdin: keys.jwksJson,
    });
    expect(set.code).toBe(EXIT.ok);
    const secret = (await realCli(['keygen', '--alg', 'HS256'])).stdout;
    const secretFile = dir.write('secret.json', secret);
    const hs = (await realCli(['sign', '--key', secretFile, '--iss', ISS, '--aud', AUD])).stdout;
    const r = await realCli(['verify', hs.trim(), '--secret', '-', '--iss', ISS, '--aud', AUD], {
      stdin: secret,
    });
    expect(r.code).toBe(EXIT.ok);
  });
});

describe('standard input is read once', () => {
  it.each([
    [
      ['verify', '-', '--jwks', '-', '--iss', ISS, '--aud', AUD],
      ['TOKEN', '--jwks'],
    ],
    [
      [
        'verify',
        '-',
        '--jwks',
        'j',
        '--iss',
        ISS,
        '--aud',
        AUD,
        '--method',
        'GET',
        '--url',
        '/',
        '--body',
        '-',
      ],
      ['TOKEN', '--body'],
    ],
    [
      [
        'sign',
        '--key',
        '-',
        '--iss',
        ISS,
        '--aud',
        AUD,
        '--method',
        'GET',
        '--url',
        '/',
        '--body',
        '-',
      ],
      ['--key', '--body'],
    ],
    [['jwks', '--key', '-', '--key', '-'], ['--key']],
  ])('%j is a usage error naming the inputs', async (argv, named) => {
    const r = await realCli(argv, { stdin: 'x' });
    expect(r.code).toBe(EXIT.usage);
    for (const flag of named) expect(r.stderr).toContain(flag);
  });
});
