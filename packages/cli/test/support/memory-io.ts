import type { CliIo } from '@service-jwt/cli';

/** An in-memory CliIo: files in a Map, captured output, a fixed clock. */
export function memoryIo(
  options: {
    stdin?: string | Uint8Array;
    now?: number;
    files?: Record<string, string | Uint8Array>;
  } = {},
) {
  const files = new Map<string, Uint8Array>();
  for (const [path, data] of Object.entries(options.files ?? {})) {
    files.set(path, typeof data === 'string' ? new TextEncoder().encode(data) : data);
  }
  const out: string[] = [];
  const err: string[] = [];
  const modes = new Map<string, number>();
  const io: CliIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readStdin: async () => {
      const input = options.stdin ?? '';
      return typeof input === 'string' ? new TextEncoder().encode(input) : input;
    },
    readFile: async (path) => {
      const data = files.get(path);
      if (data === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return data;
    },
    writeFile: async (path, data, { mode, overwrite }) => {
      if (files.has(path) && !overwrite) {
        throw Object.assign(new Error('exists'), { code: 'EEXIST' });
      }
      files.set(path, new TextEncoder().encode(data));
      modes.set(path, mode);
    },
    now: () => options.now ?? Date.now(),
  };
  return {
    io,
    files,
    modes,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    text: (path: string) => Buffer.from(files.get(path) ?? new Uint8Array()).toString('utf8'),
  };
}
