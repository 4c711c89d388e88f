// One benchmark server process: `server.ts <context.json> <case-id>`. Listens on 127.0.0.1
// (an ephemeral port) and prints `LISTENING <port>` once ready. Only the case's framework
// module is loaded.
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { selectBaseline } from './baseline.js';
import { type BenchContext, readContext } from './context.js';

const [contextFile, caseId] = process.argv.slice(2);
if (contextFile === undefined || caseId === undefined) {
  throw new Error('usage: server.ts <context> <case>');
}
const context = readContext(contextFile);

type Builders<T> = Record<string, (context: BenchContext) => Promise<T>>;

async function listen(id: string): Promise<number> {
  if (id.startsWith('fastify-')) {
    const { fastifyServers } = (await import('./servers/fastify.js')) as {
      fastifyServers: Builders<FastifyInstance>;
    };
    const build = fastifyServers[id];
    if (!build) throw new Error(`unknown server case ${id}`);
    const app = await build(context);
    await app.listen({ host: '127.0.0.1', port: 0 });
    return (app.server.address() as AddressInfo).port;
  }
  const { servers } = id.startsWith('koa-')
    ? { servers: (await import('./servers/koa.js')).koaServers as Builders<RequestListener> }
    : {
        servers: (await import('./servers/express.js')).expressServers as Builders<RequestListener>,
      };
  const build = servers[id];
  if (!build) throw new Error(`unknown server case ${id}`);
  const server = createServer(await build(context));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

// A clean exit on SIGTERM, so `--cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0));
// `<id>@<baseline>`: the builder `<id>` on that BENCH_BASELINE build.
const port = await listen(selectBaseline(caseId));
process.stdout.write(`LISTENING ${port}\n`);
