/**
 * Exit codes of `service-jwt`.
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success |
 * | 1 | the token was refused (`verify`) |
 * | 2 | usage error: unknown command or option, missing or invalid value |
 * | 3 | input error: unreadable file, invalid key, undecodable token |
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

/** A failure that ends a command with one readable line and an exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, message);
export const inputError = (message: string) => new CliError(EXIT.input, message);
