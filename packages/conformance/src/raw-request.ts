import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';

/** A request described byte for byte, so duplicate headers and exact bodies stay under control. */
export interface RawRequest {
  readonly method: string;
  /** Request target as sent: path and query. */
  readonly path: string;
  /** An array value sends the header once per element (e.g. two `Authorization` lines). */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** The body, sent in one piece with a `Content-Length`, or chunk by chunk (chunked encoding). */
  readonly body?: Uint8Array | string | readonly (Uint8Array | string)[];
}

/** What came back. `json` is the parsed body when it was JSON. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly json: unknown;
}

/**
 * Sends `raw` to `baseUrl` with `node:http` (no keep-alive: each request has its own
 * connection) and resolves the whole response. Bounded by a 10 s time-out.
 */
export function sendRawRequest(baseUrl: string, raw: RawRequest): Promise<RawResponse> {
  const target = new URL(baseUrl);
  const headers: OutgoingHttpHeaders = { connection: 'close' };
  for (const [name, value] of Object.entries(raw.headers ?? {})) {
    headers[name.toLowerCase()] = typeof value === 'string' ? value : [...value];
  }
  const chunks =
    raw.body === undefined
      ? []
      : Array.isArray(raw.body)
        ? (raw.body as readonly (Uint8Array | string)[])
        : [raw.body as Uint8Array | string];
  const chunked = Array.isArray(raw.body);
  if (!chunked && chunks.length === 1 && headers['content-length'] === undefined) {
    headers['content-length'] = String(Buffer.byteLength(chunks[0] as Uint8Array | string));
  }
  if (chunked) headers['transfer-encoding'] = 'chunked';

  return new Promise<RawResponse>((resolve, reject) => {
    let responded = false;
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: raw.method,
        path: raw.path,
        headers,
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        responded = true;
        const received: Buffer[] = [];
        res.on('data', (chunk: Buffer) => received.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(received).toString('utf8');
          let json: unknown;
          try {
            json = body === '' ? undefined : JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${raw.path} timed out`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A server that answers early (401/413) and closes may reset our upload while its
      // response is still being parsed: give the response a moment before failing.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        setTimeout(() => {
          if (!responded) reject(err);
        }, 500).unref();
        return;
      }
      reject(err);
    });
    void writeChunks(req, chunks).catch(() => undefined);
  });
}

async function writeChunks(
  req: import('node:http').ClientRequest,
  chunks: readonly (Uint8Array | string)[],
): Promise<void> {
  for (const [index, chunk] of chunks.entries()) {
    if (req.destroyed) return;
    req.write(chunk);
    // Separate chunks in time so the server really sees several reads.
    if (index < chunks.length - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  req.end();
}
