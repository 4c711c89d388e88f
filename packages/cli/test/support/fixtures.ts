import { EXIT, run } from '@service-jwt/cli';
import { memoryIo } from './memory-io.js';

// What the CLI tests share: names, a fixed clock, and a key made by the CLI itself.

export const ISS = 'https://m1.test/';
export const AUD = 'https://m2.test/';
export const NOW = 1_800_000_000_000;

/** The decoded (unverified) payload of a compact token. */
export const payloadOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;

/** The decoded protected header of a compact token. */
export const headerOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;

/** Keys made with `keygen` and `jwks` for one test file: an EdDSA JWK, its set, an ES256 PEM. */
export interface CliKeys {
  readonly keyJwk: string;
  readonly jwksJson: string;
  readonly keyPem: string;
}

export async function createKeys(): Promise<CliKeys> {
  const gen = memoryIo();
  if ((await run(['keygen', '--alg', 'EdDSA', '--out', 'k.json'], gen.io)) !== EXIT.ok)
    throw new Error(gen.stderr());
  const keyJwk = gen.text('k.json');
  const pem = memoryIo();
  await run(['keygen', '--alg', 'ES256', '--format', 'pem'], pem.io);
  const set = memoryIo({ files: { 'key.json': keyJwk } });
  await run(['jwks', '--key', 'key.json'], set.io);
  return { keyJwk, jwksJson: set.stdout(), keyPem: pem.stdout() };
}

/** `run` over an in-memory io holding `key.json`, `key.pem` and `jwks.json`. */
export function memoryCli(keys: () => CliKeys) {
  return async (argv: string[], options: Parameters<typeof memoryIo>[0] = {}) => {
    const { keyJwk, keyPem, jwksJson } = keys();
    const m = memoryIo({
      now: NOW,
      ...options,
      files: { 'key.json': keyJwk, 'key.pem': keyPem, 'jwks.json': jwksJson, ...options.files },
    });
    const code = await run(argv, m.io);
    return { code, ...m };
  };
}

/** `sign` with `key.json`, the test issuer and audience, then `extra`. */
export const signArgs = (...extra: string[]) => [
  'sign',
  '--key',
  'key.json',
  '--iss',
  ISS,
  '--aud',
  AUD,
  ...extra,
];
