// Core's configuration errors name library options (`allowInsecureHttp`,
// `issuers["https://a"].jwksUri`): a CLI user never wrote those, they typed flags. Each command
// builds its core options from its flags and rewrites the option names of a configuration
// error back into the flags they came from. Names without a flag are left as they are.

/** One rewrite: a pattern of a core option name and the flag text (or a replacer) for it. */
export type FlagRule = readonly [
  pattern: RegExp,
  flag: string | ((match: string, ...groups: string[]) => string),
];

// A JSON-quoted issuer inside `issuers[...]`.
const ISSUER = String.raw`issuers\["(?:[^"\\]|\\.)*"\]`;
const at = (path: string) => new RegExp(`${ISSUER}${path}`, 'g');

/** `verify`: `createVerifier` option names → `verify` flags. */
export const VERIFY_FLAGS: readonly FlagRule[] = [
  [at(String.raw`\.jwksUri\b`), '--jwks'],
  [
    at(String.raw`\.keys\[(\d+)\](?:\.(\w+))?`),
    (_m, i, member) => `--jwks key ${Number(i) + 1}${member ? `: ${member}` : ''}`,
  ],
  [at(String.raw`\.keys\b`), '--jwks'],
  [at(String.raw`\.secret\b`), '--secret'],
  [at(String.raw`\.algorithms\b`), '--alg'],
  [/\ballowInsecureHttp(?:: true)?/g, '--allow-http'],
  [at(''), (m) => `--iss ${m.slice('issuers['.length, -1)}`],
  [/^issuers\b/, '--iss'],
  [/^audience\b/, '--aud'],
  [/(^|: )algorithms\b/, '$1--alg'],
  [/^source(?:\.value)?\b/, '--source'],
];

/**
 * `sign`: `createSigner`, `sign` and `signRequest` option names → `sign` flags.
 *
 * @param keyFile the `--key` argument, named in messages about the key.
 */
export function signFlags(keyFile: string): readonly FlagRule[] {
  return [
    [/^keys?\.algorithm\b/, '--alg'],
    [/^keys?\.kid\b/, '--kid'],
    [/^keys?(?=[ .:]|$)/, `--key ${keyFile}`],
    // The key named inside a message: `algorithm ES256 does not fit keys (…)`.
    [/(?<= )keys(?=[ .:)]|$)/g, `--key ${keyFile}`],
    [/^issuer\b/, '--iss'],
    [/^audience\b/, '--aud'],
    [/^subject\b/, '--sub'],
    [/^jti\b/, '--jti'],
    [/^source\b/, '--source'],
    [/^lifetime\b/, '--lifetime'],
    [/^algorithm\b/, '--alg'],
    [/^method\b/, '--method'],
    [/^request url\b/, '--url'],
  ];
}

/**
 * `jwks`: `createSigner` option names → `jwks` flags.
 *
 * @param keyFiles the `--key` arguments in order: `keys[1]` is the second.
 */
export function jwksFlags(keyFiles: readonly string[]): readonly FlagRule[] {
  const file = (i: string | undefined) => keyFiles[Number(i ?? 0)] ?? '';
  return [
    [/^keys(?:\[\d+\])?\.kid\b/, '--kid'],
    [/^keys(?:\[\d+\])?\.algorithm\b/, '--alg'],
    [/^keys(?:\[(\d+)\])?(?=[ .:]|$)/, (_m, i) => `--key ${file(i)}`],
    // The keys named inside a message: `keys[1] is a key pair but keys[0] is …`.
    [/(?<= )keys(?:\[(\d+)\])?(?=[ .:)]|$)/g, (_m, i) => `--key ${file(i)}`],
    [/^algorithm\b/, '--alg'],
  ];
}

/**
 * Rewrites the library option names in a core `configuration_error` message into the CLI
 * flags they came from.
 *
 * @example
 * ```ts
 * toFlags('issuers["https://a"].jwksUri must be an https: URL (http: needs allowInsecureHttp: true)', VERIFY_FLAGS);
 * // '--jwks must be an https: URL (http: needs --allow-http)'
 * ```
 */
export function toFlags(message: string, rules: readonly FlagRule[]): string {
  let text = message;
  for (const [pattern, flag] of rules) {
    text = typeof flag === 'string' ? text.replace(pattern, flag) : text.replace(pattern, flag);
  }
  return text;
}
