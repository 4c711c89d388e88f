import type { ParseArgsConfig } from 'node:util';
import type { CliIo } from './io.js';

/** Values parsed by `node:util` `parseArgs`. */
export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One `service-jwt` sub-command. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Full `--help` text. */
  readonly help: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Most positional arguments accepted. */
  readonly positionals: number;
  /** Takes `--json`: results and errors are printed as JSON on standard output. */
  readonly json?: boolean;
  run(values: ParsedValues, positionals: readonly string[], io: CliIo): Promise<number>;
}

export function stringValue(values: ParsedValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function stringList(values: ParsedValues, name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** Prints `value` as indented JSON on standard output. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
