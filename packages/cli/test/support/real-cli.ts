import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { nodeIo, run } from '@service-jwt/cli';

/** What one command printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function collect(stream: PassThrough): Promise<string> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(stream, 'end');
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Runs the CLI's exported entry with `nodeIo` over real streams (a readable standard input,
 * writable outputs) and real files: the code path of the binary, minus the process.
 */
export async function realCli(
  argv: readonly string[],
  options: { stdin?: string | Uint8Array } = {},
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const outText = collect(stdout);
  const errText = collect(stderr);
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  const code = await run(argv, nodeIo({ stdin, stdout, stderr }));
  stdout.end();
  stderr.end();
  return { code, stdout: await outText, stderr: await errText };
}

/** A temporary directory for one test file's files, removed by `remove()`. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'service-jwt-cli-'));
  return {
    path: (name: string) => join(dir, name),
    write(name: string, data: string | Uint8Array) {
      writeFileSync(join(dir, name), data);
      return join(dir, name);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
