import { EXIT } from '@service-jwt/cli';
import { AUD, type CliKeys, createKeys, ISS } from './support/fixtures.js';
import { realCli, tempDir } from './support/real-cli.js';

// Core's configuration errors name library options; the CLI's user typed flags. Each case is a
// mistake made on the command line: the one-line error names the flag, and none of the option
// paths the user never wrote.

const dir = tempDir();
let keys: CliKeys;
const files: Record<string, string> = {};
beforeAll(async () => {
  keys = await createKeys();
  files.key = dir.write('key.json', keys.keyJwk);
  files.jwks = dir.write('jwks.json', keys.jwksJson);
  files.public = dir.write('public.json', JSON.stringify(JSON.parse(keys.jwksJson).keys[0]));
  files.secret = dir.write(
    'secret.json',
    JSON.stringify({ kty: 'oct', k: Buffer.alloc(32, 9).toString('base64url'), alg: 'HS256' }),
  );
  files.shortSecret = dir.write(
    'short.json',
    JSON.stringify({ kty: 'oct', k: Buffer.alloc(16, 7).toString('base64url'), alg: 'HS256' }),
  );
});
afterAll(() => dir.remove());

const LIBRARY_NAMES =
  /allowInsecureHttp|issuers\[|issuers:|jwksUri|keys\[\d|\.alg\b|\.algorithm\b|: (issuer|audience|subject|algorithms?|source|jti|method|request url|keys?|lifetime) /;

const verify = (...extra: string[]) => [
  'verify',
  'e30.e30.e30',
  '--jwks',
  files.jwks as string,
  '--iss',
  ISS,
  '--aud',
  AUD,
  ...extra,
];
const sign = (...extra: string[]) => [
  'sign',
  '--key',
  files.key as string,
  '--iss',
  ISS,
  '--aud',
  AUD,
  ...extra,
];

it.each([
  [
    'verify http: JWKS',
    () => verify('--jwks', 'http://127.0.0.1:9/jwks.json'),
    ['--allow-http', '--jwks'],
  ],
  ['verify unknown --alg', () => verify('--alg', 'XS256'), ['--alg']],
  ['verify --alg the keys cannot use', () => verify('--alg', 'HS256'), ['--alg', '--iss']],
  ['verify key of another algorithm', () => verify('--alg', 'RS256'), ['--jwks']],
  ['verify empty --iss', () => verify('--iss', ''), ['--iss']],
  ['verify empty --aud', () => verify('--aud', '', '--aud', ''), ['--aud']],
  ['verify empty --source', () => verify('--source', ''), ['--source']],
  [
    'verify short secret',
    () => [
      'verify',
      'e30.e30.e30',
      '--secret',
      files.shortSecret as string,
      '--iss',
      ISS,
      '--aud',
      AUD,
    ],
    ['--secret'],
  ],
  ['sign empty --iss', () => sign('--iss', ''), ['--iss']],
  ['sign empty --aud', () => sign('--aud', ''), ['--aud']],
  ['sign unknown --alg', () => sign('--alg', 'XS256'), ['--alg']],
  ['sign --alg the key cannot sign with', () => sign('--alg', 'RS256'), ['--alg', '--key']],
  ['sign empty --sub', () => sign('--sub', ''), ['--sub']],
  ['sign empty --jti', () => sign('--jti', ''), ['--jti']],
  ['sign empty --source', () => sign('--source', ''), ['--source']],
  ['sign empty --method', () => sign('--method', '', '--url', '/x'), ['--method']],
  ['sign bad --url', () => sign('--method', 'GET', '--url', 'x y'), ['--url']],
] as const)('%s: a usage error naming the flag', async (_name, argv, flags) => {
  const r = await realCli(argv());
  expect(r.code).toBe(EXIT.usage);
  expect(r.stderr).toMatch(/^service-jwt (verify|sign): [^\n]+\n$/);
  for (const flag of flags) expect(r.stderr).toContain(flag);
  expect(r.stderr).not.toMatch(LIBRARY_NAMES);
});

it.each([
  [
    'sign with a public key',
    () => ['sign', '--key', files.public as string, '--iss', ISS, '--aud', AUD],
    'public.json',
  ],
  [
    'jwks with a public second key',
    () => ['jwks', '--key', files.key as string, '--key', files.public as string],
    'public.json',
  ],
  [
    'jwks mixing a secret and a key pair',
    () => ['jwks', '--key', files.secret as string, '--key', files.key as string],
    'secret.json',
  ],
  [
    'jwks with one key twice',
    () => ['jwks', '--key', files.key as string, '--key', files.key as string],
    'key.json',
  ],
] as const)('%s: input error naming --key and the file', async (_name, argv, file) => {
  const r = await realCli(argv());
  expect(r.code).toBe(EXIT.input);
  expect(r.stderr).toContain(`--key ${dir.path(file)}`);
  expect(r.stderr).not.toMatch(LIBRARY_NAMES);
});

it('verify names the private key file given as --jwks, and how to get the public set', async () => {
  const r = await realCli(verify('--jwks', files.key as string));
  expect(r.code).toBe(EXIT.input);
  expect(r.stderr).toContain(files.key);
  expect(r.stderr).toContain('service-jwt jwks --key');
});
