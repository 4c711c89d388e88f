import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express5, { type Express } from 'express';
import express4 from 'express4';

/** The framework factory under test. */
export type ExpressFactory = typeof express5;

/** Every supported Express major; the adapter's tests run against each. */
export const MAJORS: ReadonlyArray<readonly [string, ExpressFactory]> = [
  ['express 4', express4],
  ['express 5', express5],
];

/** A listening app on 127.0.0.1 (port 0). */
export interface RunningApp {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export function listen(app: Express): Promise<RunningApp> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1');
    server.once('error', reject);
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
