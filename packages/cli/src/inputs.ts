import type { JsonWebKeyInput, PrivateKeyInput, SignerKey } from '@service-jwt/core';
import { inputError, usageError } from './exit-codes.js';
import type { CliIo } from './io.js';

/** The argument that names standard input, for the token, `--key`, `--body` and `--secret`. */
export const STDIN = '-';

/** How messages name an input: its path, or standard input. */
export const inputName = (path: string) => (path === STDIN ? 'standard input' : path);

/**
 * Refuses a command line where more than one input is `-`: standard input can be read once.
 *
 * @param inputs each input's flag (`--body`, `TOKEN`) and value(s).
 */
export function checkOneStdin(
  inputs: Readonly<Record<string, string | readonly string[] | undefined>>,
) {
  const readers = Object.entries(inputs).flatMap(([flag, value]) =>
    (Array.isArray(value) ? value : [value]).filter((v) => v === STDIN).map(() => flag),
  );
  if (readers.length > 1) {
    throw usageError(`standard input can be read once: ${readers.join(' and ')} both name "-"`);
  }
}

/** The bytes of a file, or of standard input for `-`. */
export async function readInput(io: CliIo, path: string, what: string): Promise<Uint8Array> {
  if (path === STDIN) return io.readStdin();
  try {
    return await io.readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw inputError(`cannot read ${what} ${path}${code ? ` (${code})` : ''}`);
  }
}

/** Reads a JSON file (or standard input) as a parsed value. */
export async function readJson(io: CliIo, path: string, what: string): Promise<unknown> {
  const text = Buffer.from(await readInput(io, path, what)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw inputError(`${what} ${inputName(path)} is not JSON`);
  }
}

/** Reads a private key file (or standard input): a JSON JWK, or PEM text. */
export async function readKeyFile(
  io: CliIo,
  path: string,
  kid: string | undefined,
): Promise<SignerKey> {
  const text = Buffer.from(await readInput(io, path, 'key file'))
    .toString('utf8')
    .trim();
  let key: PrivateKeyInput = text;
  if (text.startsWith('{')) {
    try {
      key = JSON.parse(text) as JsonWebKeyInput;
    } catch {
      throw inputError(`${inputName(path)} is neither a JSON JWK nor PEM`);
    }
  } else if (!text.includes('-----BEGIN')) {
    throw inputError(`${inputName(path)} is neither a JSON JWK nor PEM`);
  }
  return { key, kid };
}

/** The token argument, or standard input for `-`. */
export async function readToken(io: CliIo, argument: string | undefined): Promise<string> {
  if (argument === undefined)
    throw usageError('a TOKEN argument is required (or - to read it from standard input)');
  const token = (
    argument === STDIN ? Buffer.from(await io.readStdin()).toString('utf8') : argument
  ).trim();
  if (token === '') throw usageError('the token is empty');
  return token;
}
