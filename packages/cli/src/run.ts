import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { inspect } from './commands/inspect.js';
import { jwks } from './commands/jwks.js';
import { keygen } from './commands/keygen.js';
import { sign } from './commands/sign.js';
import { verify } from './commands/verify.js';
import { CliError, EXIT } from './exit-codes.js';
import { type CliIo, nodeIo } from './io.js';

const COMMANDS: readonly Command[] = [keygen, sign, verify, inspect, jwks];

const MAIN_HELP = `Usage: service-jwt <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}

Run "service-jwt <command> --help" for a command's options.

Exit codes: 0 ok, 1 token refused, 2 usage error, 3 input error (file, key, token),
4 keys unavailable, 70 internal error.
`;

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
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
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals > 0,
      strict: true,
    });
  } catch (err) {
    io.stderr(`service-jwt ${command.name}: ${oneLine((err as Error).message)} (see --help)\n`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    io.stdout(`${command.help}\n`);
    return EXIT.ok;
  }
  if (parsed.positionals.length > command.positionals) {
    io.stderr(
      `service-jwt ${command.name}: unexpected argument "${oneLine(String(parsed.positionals[command.positionals]))}"\n`,
    );
    return EXIT.usage;
  }
  try {
    return await command.run(parsed.values, parsed.positionals, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`service-jwt ${command.name}: ${oneLine(err.message)}\n`);
      return err.exitCode;
    }
    io.stderr(
      `service-jwt ${command.name}: internal error: ${oneLine(String((err as Error)?.message ?? err))}\n`,
    );
    return EXIT.internal;
  }
}
