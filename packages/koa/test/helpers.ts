import type { AddressInfo } from 'node:net';
import { type RawRequest, type RawResponse, sendRawRequest } from '@service-jwt/conformance';
import Koa from 'koa';
import Koa2 from 'koa2';

/** Both supported majors; every adapter test runs against each. */
export const KOA_VERSIONS: ReadonlyArray<readonly [string, typeof Koa]> = [
  ['koa 3', Koa],
  ['koa 2', Koa2],
];

/** A Koa app listening on 127.0.0.1 (a free port). */
export interface RunningApp {
  readonly url: string;
  send(request: RawRequest): Promise<RawResponse>;
  close(): Promise<void>;
}

/** Listens with `app` on loopback; Koa's own error logging is silenced (tests assert on it). */
export function listen(app: Koa): Promise<RunningApp> {
  app.silent = true;
  const server = app.listen(0, '127.0.0.1');
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve({
        url,
        send: (request) => sendRawRequest(url, request),
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
