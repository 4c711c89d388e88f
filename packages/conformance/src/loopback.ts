import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as TlsServer } from 'node:tls';

/** A server listening on 127.0.0.1 and how to reach and stop it. */
export interface Loopback {
  /** `http://127.0.0.1:<port>` (the scheme is `https` when the server is a TLS server). */
  readonly url: string;
  readonly port: number;
  /** Closes the server and every connection still open (keep-alive sockets included). */
  close(): Promise<void>;
}

/** Starts `server` on 127.0.0.1, on a free port. */
export async function listenOnLoopback(server: Server): Promise<Loopback> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = server instanceof TlsServer ? 'https' : 'http';
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
