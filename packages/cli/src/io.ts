import { readFile, writeFile } from 'node:fs/promises';

/** What the commands may touch: output streams, standard input, files and the clock. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  readFile(path: string): Promise<Uint8Array>;
  /** Writes a file readable by its owner only when `mode` is 0o600. */
  writeFile(path: string, data: string, mode: number): Promise<void>;
  /** Epoch milliseconds. */
  now(): number;
}

/** The process's real streams, files and clock. */
export function nodeIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    readFile: async (path) => new Uint8Array(await readFile(path)),
    writeFile: (path, data, mode) => writeFile(path, data, { mode, flag: 'wx' }),
    now: Date.now,
  };
}
