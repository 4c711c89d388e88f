import { parseArgs } from 'node:util';
import { type Command, printJson } from './command.js';
import { inspect } from './commands/inspect.js';
import { jwks } from './commands/jwks.js';
import { keygen } from './commands/keygen.js';
import { sign } from './commands/sign.js';
import { verify } from './commands/verify.js';
import { CliError, EXIT, usageError } from './exit-codes.js';
import { type CliIo, nodeIo } from './io.js';
import { VERSION } from './version.js';

const COMMANDS: readonly Command[] = [keygen, sign, verify, inspect, jwks];

const MAIN_HELP = `Usage: service-jwt <command> [options]
       service-jwt --version

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}

Run "service-jwt <command> --help" for a command's options. "-" as a file argument reads
standard input; inspect and verify take --json.

Exit codes: 0 ok, 1 token refused, 2 usage error, 3 input error (file, key, token),
4 keys unavailable, 70 internal error.
`;

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Writes a failure: one line on standard error, or with `--json` one JSON error on standard output. */
function report(io: CliIo, command: string, err: CliError, json: boolean): number {
  if (json) {
    const { code: _code, ...details } = err.details;
    printJson(io, { ok: false, code: err.code, message: oneLine(err.message), ...details });
  } else {
    io.stderr(`service-jwt ${command}: ${oneLine(err.message)}\n`);
  }
  return err.exitCode;
}

/**
 * Runs `service-jwt` with `argv` (without the node and script paths) and resolves the exit
 * code. Never throws and never exits the process: `bin.ts` does that.
 *
 * @example
 * ```ts
 * const code = await run(['inspect', token], io);
 * ```
 */
export async function run(argv: readonly string[], io: CliIo = nodeIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(MAIN_HELP);
    return EXIT.usage;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`service-jwt ${VERSION}\n`);
    return EXIT.ok;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = COMMANDS.find((c) => c.name === rest[0]);
    io.stdout(`${topic ? topic.help : MAIN_HELP.trimEnd()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr(`service-jwt: unknown command "${oneLine(name)}" (see service-jwt --help)\n`);
    return EXIT.usage;
  }
  // Looked up before parsing, so that a command line parseArgs refuses still answers in JSON.
  const json = command.json === true && rest.includes('--json');
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        ...command.options,
        ...(command.json ? { json: { type: 'boolean' } } : {}),
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: command.positionals > 0,
      strict: true,
    });
  } catch (err) {
    return report(io, name, usageError(`${(err as Error).message} (see --help)`), json);
  }
  if (parsed.values.help) {
    io.stdout(`${command.help}\n`);
    return EXIT.ok;
  }
  if (parsed.positionals.length > command.positionals) {
    const extra = oneLine(String(parsed.positionals[command.positionals]));
    return report(io, name, usageError(`unexpected argument "${extra}"`), json);
  }
  try {
    return await command.run(parsed.values, parsed.positionals, io);
  } catch (err) {
    if (err instanceof CliError) return report(io, name, err, json);
    const message = `internal error: ${String((err as Error)?.message ?? err)}`;
    return report(io, name, new CliError(EXIT.internal, message), json);
  }
}
