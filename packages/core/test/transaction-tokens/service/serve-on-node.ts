import { createServer } from 'node:http';
import { type Loopback, listenOnLoopback } from '@service-jwt/conformance';
import type { TransactionTokenService } from '@service-jwt/core';

/** Serves `service.handle` with bare node:http on loopback, reading the body bounded. */
export function serveOnNode(service: TransactionTokenService): Promise<Loopback> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).byteLength;
      if (size > service.maxBodyBytes) {
        const { status, headers, body } = service.bodyTooLarge();
        res.writeHead(status, headers).end(JSON.stringify(body));
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const answer = await service.handle({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: Buffer.concat(chunks),
    });
    res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
  });
  return listenOnLoopback(server);
}
