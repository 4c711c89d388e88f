// One benchmark server process: `server.ts <context.json> <case-id>`. Listens on 127.0.0.1
// (an ephemeral port) and prints `LISTENING <port>` once ready.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readContext } from './context.js';
import { expressServers } from './servers/express.js';
import { fastifyServers } from './servers/fastify.js';
import { koaServers } from './servers/koa.js';

const [contextFile, caseId] = process.argv.slice(2);
if (contextFile === undefined || caseId === undefined)
  throw new Error('usage: server.ts <context> <case>');
const context = readContext(contextFile);

async function listen(): Promise<number> {
  const fastify = fastifyServers[caseId!];
  if (fastify) {
    const app = await fastify(context);
    await app.listen({ host: '127.0.0.1', port: 0 });
    return (app.server.address() as AddressInfo).port;
  }
  const build = expressServers[caseId!] ?? koaServers[caseId!];
  if (!build) throw new Error(`unknown server case ${caseId}`);
  const server = createServer(await build(context));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

// A clean exit on SIGTERM, so `--cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0));
const port = await listen();
process.stdout.write(`LISTENING ${port}\n`);
