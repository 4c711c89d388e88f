import { createServer, type IncomingMessage } from 'node:http';
import { type ConformanceApp, listenOnLoopback } from '@service-jwt/conformance';
import { type ClientRequest, httpApiEvent, lambdaContext, restApiEvent } from './events.js';

/** Which payload format the loopback gateway builds. */
export type PayloadFormat = '1.0' | '2.0';

/** What a wrapped handler may return. */
export interface GatewayResult {
  readonly statusCode?: number;
  readonly headers?: Readonly<Record<string, string | number | boolean>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

type LambdaHandler = (event: any, context: any) => Promise<unknown>;

const HOP_BY_HOP = new Set(['connection', 'transfer-encoding', 'keep-alive']);

async function readClientRequest(req: IncomingMessage): Promise<ClientRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  // rawHeaders keeps the client's spelling and every repeated header.
  const headers: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    headers[name] = [...(headers[name] ?? []), req.rawHeaders[i + 1] as string];
  }
  return {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers,
    ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
  };
}

/**
 * A stand-in for API Gateway on 127.0.0.1: turns each HTTP request into an event of the given
 * payload format (with the builders of `events.ts`), invokes the route's handler with a Lambda
 * context and writes the handler's result back as the HTTP response.
 */
export async function startGateway(
  format: PayloadFormat,
  routes: Readonly<Record<string, LambdaHandler>>,
): Promise<ConformanceApp> {
  const server = createServer((req, res) => {
    void (async () => {
      const request = await readClientRequest(req);
      const pathname = request.path.split('?')[0];
      const handler = routes[`${request.method} ${pathname}`];
      if (handler === undefined) {
        res.writeHead(404).end();
        return;
      }
      // REST through a custom domain: the target the client sent is the one the event carries.
      const event =
        format === '2.0' ? httpApiEvent(request) : restApiEvent(request, { customDomain: true });
      const result = await handler(event, lambdaContext());
      const shaped = (
        typeof result === 'object' && result !== null && 'statusCode' in result ? result : {}
      ) as GatewayResult;
      const body = shaped.body ?? '';
      res.writeHead(shaped.statusCode ?? 200, { ...(shaped.headers ?? {}) } as Record<
        string,
        string
      >);
      res.end(shaped.isBase64Encoded === true ? Buffer.from(body, 'base64') : body);
    })().catch((err: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, close };
}
