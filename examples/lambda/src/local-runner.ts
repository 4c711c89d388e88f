import { createServer, type IncomingMessage } from 'node:http';
import type { Context } from 'aws-lambda';
import type { ReportsHandler } from './handler.js';
import { type Listening, listen } from './listen.js';
import { sampleEvent } from './sample-event.js';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The little of the Lambda context a local run can honestly fill in. */
function localContext(): Context {
  return {
    functionName: 'reports-local',
    awsRequestId: `local-${Date.now()}`,
  } as Context;
}

/**
 * A stand-in for API Gateway on 127.0.0.1: each HTTP request becomes an HTTP API event
 * ({@link sampleEvent}), the handler is invoked with it, and its result becomes the HTTP
 * response. Single-valued headers only, like payload format 2.0.
 */
export function startLocalRunner(handler: ReportsHandler, port?: number): Promise<Listening> {
  const server = createServer((req, res) => {
    readBody(req)
      .then(async (body) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
        }
        const event = sampleEvent({
          method: req.method ?? 'GET',
          target: req.url ?? '/',
          headers,
          body,
        });
        const result = await handler(event, localContext());
        const { statusCode = 200, headers: out = {}, body: answer = '' } = result;
        res.writeHead(
          statusCode,
          Object.fromEntries(Object.entries(out).map(([k, v]) => [k, String(v)])),
        );
        res.end(answer);
      })
      .catch(() => {
        res
          .writeHead(502, { 'content-type': 'application/json' })
          .end('{"message":"Internal Server Error"}');
      });
  });
  return listen(server, port);
}
