import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { type Loopback, listenOnLoopback as listen } from '@service-jwt/conformance';
import { errorResponse, type ServiceJwtVerifier } from '@service-jwt/core';
import { toServiceJwtError } from '@service-jwt/core/adapter';

export { type Loopback, listen };

export async function readRaw(message: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What the protected service saw and answered. */
export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/**
 * A service protected by `verifier` over the real request: method, target, headers and the raw
 * body bytes. Answers 200 `{ subject, bytes }` or core's error response.
 */
export async function startProtectedService(
  verifier: ServiceJwtVerifier,
  received: Received[] = [],
): Promise<Loopback> {
  const server = createServer(async (req, res) => {
    const body = await readRaw(req);
    const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
    received.push(seen);
    try {
      const verified = await verifier.verify({ ...seen, body: new Uint8Array(body) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ subject: verified.subject, bytes: body.length }));
    } catch (err) {
      const response = errorResponse(toServiceJwtError(err));
      res.writeHead(response.status, { ...response.headers, 'content-type': 'application/json' });
      res.end(JSON.stringify(response.body));
    }
  });
  return listen(server);
}

/** Sends a raw request (exact method, target, headers and bytes) to a loopback port. */
export function sendRaw(
  port: number,
  request: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer },
): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...request.headers, 'content-length': String(request.body.length) };
    delete headers['transfer-encoding'];
    delete headers.connection;
    const req = httpRequest(
      { host: '127.0.0.1', port, method: request.method, path: request.url, headers },
      (res) => {
        readRaw(res).then(
          (body) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }),
          reject,
        );
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}
