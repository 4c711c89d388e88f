import type { JsonWebKeyInput, PrivateKeyInput, SignerKey } from '@service-jwt/core';
import { inputError, usageError } from './exit-codes.js';
import type { CliIo } from './io.js';

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, y: 31_536_000 };

/** `90`, `90s`, `5m`, `2h`, `7d`, `100y` → seconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+)([smhdy]?)$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * (UNITS[match[2] || 's'] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw usageError(`${option} must be a positive duration such as 90s, 5m, 2h, 7d or 100y`);
  }
  return seconds;
}

/** `k=v`: the value is JSON when it parses as JSON (`n=1`, `ok=true`, `r=["a"]`), else a string. */
export function parseClaim(text: string): [string, unknown] {
  const at = text.indexOf('=');
  if (at <= 0) throw usageError(`--claim must look like name=value, got "${text}"`);
  const raw = text.slice(at + 1);
  try {
    return [text.slice(0, at), JSON.parse(raw)];
  } catch {
    return [text.slice(0, at), raw];
  }
}

/** Human form of a number of seconds: `4m 10s`, `2d 3h`, `100y`. */
export function humanDuration(seconds: number): string {
  let rest = Math.abs(Math.round(seconds));
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of [
    ['y', 31_536_000],
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.slice(0, 2).join(' ');
}

/** Reads a key file: a JSON JWK, or PEM text. */
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
      throw inputError(`${path} is neither a JSON JWK nor PEM`);
    }
  } else if (!text.includes('-----BEGIN')) {
    throw inputError(`${path} is neither a JSON JWK nor PEM`);
  }
  return { key, kid };
}

export async function readInput(io: CliIo, path: string, what: string): Promise<Uint8Array> {
  try {
    return await io.readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw inputError(`cannot read ${what} ${path}${code ? ` (${code})` : ''}`);
  }
}

/** The token argument, or standard input for `-`. */
export async function readToken(io: CliIo, argument: string | undefined): Promise<string> {
  if (argument === undefined)
    throw usageError('a TOKEN argument is required (or - to read it from standard input)');
  const token = (argument === '-' ? await io.readStdin() : argument).trim();
  if (token === '') throw usageError('the token is empty');
  return token;
}
