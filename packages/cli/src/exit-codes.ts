/**
 * Exit codes of `service-jwt`.
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success |
 * | 1 | the token was refused (`verify`) |
 * | 2 | usage error: unknown command or option, missing or invalid value |
 * | 3 | input error: unreadable or unwritable file, invalid key, undecodable token |
 * | 4 | keys unavailable: the JWKS could not be fetched |
 * | 70 | internal error (a bug) |
 */
export const EXIT = Object.freeze({
  ok: 0,
  refused: 1,
  usage: 2,
  input: 3,
  unavailable: 4,
  internal: 70,
} as const);

/**
 * The `code` of a `--json` error for each exit code but 1, whose code is the verifier's
 * (`audience_mismatch`, …).
 */
export const ERROR_CODES = Object.freeze({
  [EXIT.usage]: 'usage_error',
  [EXIT.input]: 'input_error',
  [EXIT.unavailable]: 'keys_unavailable',
  [EXIT.internal]: 'internal_error',
} as Readonly<Record<number, string>>);

/** What a `--json` error carries beside `ok`, `code` and `message`. */
export interface CliErrorDetails {
  /** The verifier's error code, for a refused token. @default by exit code (`usage_error`, …) */
  readonly code?: string;
  /** The HTTP status a protected route would answer, for a refused token. */
  readonly status?: number;
  /** `issuer_not_trusted`, `audience_mismatch`: the values the verifier accepts. */
  readonly expected?: readonly string[];
  /** `issuer_not_trusted`, `audience_mismatch`: the token's claim (`null` when it has none). */
  readonly actual?: unknown;
}

/** A failure that ends a command with one readable line (or one JSON error) and an exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: number,
    message: string,
    readonly details: CliErrorDetails = {},
  ) {
    super(message);
  }

  /** The stable code of a `--json` error. */
  get code(): string {
    return this.details.code ?? ERROR_CODES[this.exitCode] ?? 'internal_error';
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, message);
export const inputError = (message: string) => new CliError(EXIT.input, message);
