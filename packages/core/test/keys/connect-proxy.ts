import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A forward proxy on loopback that only tunnels (`CONNECT`). */
export interface ConnectProxy {
  readonly url: string;
  /** The `host:port` of every CONNECT it received. */
  readonly connects: string[];
  close(): Promise<void>;
}

// A CONNECT-only forward proxy: answers 200 and relays bytes both ways, like Squid or Envoy
// in tunnel mode. Plain `GET http://…` proxying is refused, so nothing reaches the key server
// except through a tunnel.
export async function startConnectProxy(): Promise<ConnectProxy> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    res.writeHead(405).end();
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const [host = '', port = ''] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    connects,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
