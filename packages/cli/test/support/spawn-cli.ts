import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');
const BIN = ['--conditions=source', '--import', 'tsx', 'packages/cli/src/bin.ts'];

/** How a spawned `service-jwt` ended and what it printed. */
export interface SpawnResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real `service-jwt` binary (its TypeScript source through tsx) in a child process,
 * killed after 30 s. `closeStdout` closes the read end of its standard output at once, as
 * `| head -c 0` would, so every write the child makes there fails with EPIPE.
 */
export function spawnCli(
  args: readonly string[],
  options: { input?: string | Uint8Array; closeStdout?: boolean } = {},
): Promise<SpawnResult> {
  const child = spawn(process.execPath, [...BIN, ...args], { cwd: ROOT, timeout: 30_000 });
  if (options.closeStdout) child.stdout.destroy();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  // A child that exits without reading its input closes the pipe: that is no test failure.
  child.stdin.on('error', () => {});
  child.stdin.end(options.input);
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (status, signal) =>
      done({
        status,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}
