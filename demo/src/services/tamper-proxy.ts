import { createServer, request as httpRequest } from 'node:http';
import { type Listening, listen } from '../listen.js';

/**
 * A man in the middle: forwards every request to `target` unchanged except for its body, in
 * which `from` is replaced by `to` (the signed token rides along untouched).
 */
export function startTamperProxy(target: string, from: string, to: string): Promise<Listening> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.from(Buffer.concat(chunks).toString('utf8').replace(from, to), 'utf8');
      const upstream = httpRequest(
        `${target}${req.url ?? '/'}`,
        {
          method: req.method,
          headers: { ...req.headers, host: new URL(target).host, 'content-length': body.length },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  return listen(server);
}
