import { usageError } from './exit-codes.js';

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
