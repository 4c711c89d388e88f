import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a Redis, whose upstream can be switched: what a managed
 * Redis endpoint (a DNS name, a virtual IP) does in a failover. Clients keep their address; their
 * connections drop and reconnect to the new primary.
 */
export interface SwitchingProxy {
  readonly port: number;
  /** Sends new connections to `port` and drops the open ones. */
  switchTo(port: number): void;
  close(): Promise<void>;
}

export async function startProxy(upstream: number): Promise<SwitchingProxy> {
  let target = upstream;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const server = createConnection({ host: '127.0.0.1', port: target });
    for (const socket of [client, server]) {
      open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        open.delete(socket);
        client.destroy();
        server.destroy();
      });
    }
    client.pipe(server);
    server.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('no proxy port');
  const dropAll = () => {
    for (const socket of open) socket.destroy();
  };
  return {
    port: address.port,
    switchTo(port) {
      target = port;
      dropAll();
    },
    close() {
      dropAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
