import { ServiceJwtError } from './service-jwt-error.js';

// Every options object is checked against the names it knows, so a typo fails at construction
// instead of silently turning a check off. The message names the option and, when a known name
// is close enough to be the one meant, that name: "jwksUrl is not an option of this issuer
// form; did you mean jwksUri?".

/** How the caller names an options object in its messages. */
export interface OptionNamesContext {
  /**
   * Put before each option name: `'issuers["https://a"].'`, `'options.'`, `'forRoute: '`,
   * or `''` for top-level options.
   */
  readonly path: string;
  /** Put after "is not an option", e.g. `' of this issuer form'`. @default '' */
  readonly of?: string;
  /**
   * Names that exist elsewhere but not here, with why: used when no close name is found, e.g.
   * `{ timeout: 'only a jwksUri or discovery issuer has it' }`.
   */
  readonly elsewhere?: Readonly<Record<string, string>>;
}

// Case, `_` and `-` never decide between two option names: `jwks_uri` means `jwksUri`.
function fold(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

// Optimal string alignment distance: edits, with a swap of two neighbours counted as one.
function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j += 1) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1);
      best = Math.min(best, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/**
 * The known name `name` was most likely meant to be, or `undefined`: the same name but for
 * case, `_` or `-`; one edit away (two beyond four characters, three beyond seven); or a
 * name it starts (`jwks` → `jwksUri`).
 *
 * @example
 * ```ts
 * closestOptionName('jwksUrl', ['publicKey', 'keys', 'jwksUri']); // 'jwksUri'
 * ```
 */
export function closestOptionName(name: string, known: Iterable<string>): string | undefined {
  const wanted = fold(name);
  const limit = wanted.length > 7 ? 3 : wanted.length > 4 ? 2 : 1;
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const folded = fold(candidate);
    let score = distance(wanted, folded);
    if (score > limit) {
      const shorter = wanted.length < folded.length ? wanted : folded;
      const longer = shorter === wanted ? folded : wanted;
      score = shorter.length >= 3 && longer.startsWith(shorter) ? limit : Number.POSITIVE_INFINITY;
    }
    if (score < bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/**
 * The `configuration_error` for option names an options object does not know, naming each
 * and what it most likely should be.
 *
 * @example
 * ```ts
 * unknownOptionsError(['jwksUrl'], known, { path: 'issuers["https://a"].', of: ' of this issuer form' });
 * // issuers["https://a"].jwksUrl is not an option of this issuer form; did you mean jwksUri?
 * ```
 */
export function unknownOptionsError(
  names: readonly string[],
  known: Iterable<string>,
  context: OptionNamesContext,
): ServiceJwtError {
  const list = [...known];
  const clauses = names.map((name) => {
    const stated = `${context.path}${name} is not an option${context.of ?? ''}`;
    const meant = closestOptionName(name, list);
    if (meant !== undefined) return `${stated}; did you mean ${meant}?`;
    const why = context.elsewhere?.[name];
    return why === undefined ? stated : `${stated} (${why})`;
  });
  return new ServiceJwtError('configuration_error', clauses.join('; '));
}

/**
 * Throws {@link unknownOptionsError} when `options` holds a member `known` does not list.
 * Members whose value is `undefined` count too: a misspelt option is a mistake whatever it holds.
 */
export function rejectUnknownOptions(
  options: object,
  known: Iterable<string>,
  context: OptionNamesContext,
): void {
  const allowed = known instanceof Set ? (known as ReadonlySet<string>) : new Set(known);
  const unknown = Object.keys(options).filter((name) => !allowed.has(name));
  if (unknown.length > 0) throw unknownOptionsError(unknown, allowed, context);
}
