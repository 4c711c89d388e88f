import { open, readFile } from 'node:fs/promises';

/** How {@link CliIo.writeFile} writes. */
export interface WriteFileOptions {
  /** File mode, e.g. `0o600`: also applied to a file that is overwritten. */
  readonly mode: number;
  /** Replace an existing file (`--force`); without it an existing file fails with `EEXIST`. */
  readonly overwrite: boolean;
}

/** What the commands may touch: output streams, standard input, files and the clock. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** All of standard input, as bytes (a body is hashed exactly as given). */
  readStdin(): Promise<Uint8Array>;
  readFile(path: string): Promise<Uint8Array>;
  /** Writes a file; rejects with `code: 'EEXIST'` when it exists and `overwrite` is off. */
  writeFile(path: string, data: string, options: WriteFileOptions): Promise<void>;
  /** Epoch milliseconds. */
  now(): number;
}

/** The streams {@link nodeIo} reads and writes. */
export interface StdioStreams {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

// One writer, so one error listener, per stream however many times nodeIo() is called.
const writers = new WeakMap<NodeJS.WritableStream, (text: string) => void>();

/**
 * A writer that goes quiet once its stream is closed by the reader (`service-jwt keygen | head
 * -c 10`): EPIPE is no failure of the command, which keeps its exit code, and Node would
 * otherwise crash on the stream's unhandled `error` event with a stack trace.
 */
function pipeWriter(stream: NodeJS.WritableStream, report: (text: string) => void) {
  const known = writers.get(stream);
  if (known !== undefined) return known;
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    closed = true;
    if (err.code !== 'EPIPE') report(`service-jwt: cannot write output (${err.code ?? 'error'})\n`);
  });
  const write = (text: string) => {
    if (!closed && !(stream as { destroyed?: boolean }).destroyed) stream.write(text);
  };
  writers.set(stream, write);
  return write;
}

async function writeFile(path: string, data: string, options: WriteFileOptions): Promise<void> {
  const file = await open(path, options.overwrite ? 'w' : 'wx', options.mode);
  try {
    // The mode given to open() only applies to a new file: an overwritten key file must not keep
    // a wider mode than the one asked for.
    await file.chmod(options.mode);
    await file.writeFile(data);
  } finally {
    await file.close();
  }
}

/**
 * Real streams, files and clock: the process's standard streams unless `streams` names others
 * (an embedding program's, or a test's).
 */
export function nodeIo(streams: Partial<StdioStreams> = {}): CliIo {
  const { stdin = process.stdin, stdout = process.stdout, stderr = process.stderr } = streams;
  const errors = pipeWriter(stderr, () => {});
  return {
    stdout: pipeWriter(stdout, errors),
    stderr: errors,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer | string));
      return new Uint8Array(Buffer.concat(chunks));
    },
    readFile: async (path) => new Uint8Array(await readFile(path)),
    writeFile,
    now: Date.now,
  };
}
