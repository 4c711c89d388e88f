/// <reference types="jest" />
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger, ServiceJwtVerifier, VerifierOptions } from '@service-jwt/core';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { caughtBy } from './caught.js';
import { sendRawRequest } from './raw-request.js';

const ISSUER = 'https://herald.service/';
const AUDIENCE = 'https://census.service/';
const KID = 'herald-1';
const START_MS = 1_900_000_000_000;

/** One line a logger was given. */
export interface CapturedLogLine {
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** What the adapter's `start` function receives for the start-up suite. */
export interface StartupAppSpec {
  /** Verifier options with one issuer whose JWKS server is down, and a logger. */
  readonly options: VerifierOptions & { readonly logger: Logger };
  /** Mount `GET /ok`, protected by `options`, answering 200 JSON `{ issuer }`. */
  readonly path: '/ok';
}

/** A running app of the start-up suite. */
export interface StartupApp {
  readonly url: string;
  /** The verifier behind the guard, as the adapter exposes it for warm-up and health. */
  readonly verifier: ServiceJwtVerifier;
  close(): Promise<void>;
}

function captureLogger(): Logger & { readonly lines: CapturedLogLine[] } {
  const lines: CapturedLogLine[] = [];
  const at =
    (level: CapturedLogLine['level']) => (fields: Record<string, unknown>, message: string) =>
      lines.push({ level, fields, message });
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

// A JWKS endpoint that can go down and come back on the same port.
async function jwksEndpoint(keys: JWK[]) {
  let server: Server | undefined;
  let port = 0;
  const up = async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const down = () =>
    new Promise<void>((resolve) => {
      if (server === undefined) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
      server = undefined;
    });
  await up();
  await down();
  return { url: () => `http://127.0.0.1:${port}/jwks.json`, up, down };
}

/**
 * The start-up story every adapter must tell the same way: the issuer's JWKS server is down
 * when the app starts. `verifier.ready()` rejects naming the issuer and the cause; requests
 * answer 503 `keys_unavailable` with `Retry-After`; the logger gets one `warn` for the change
 * of state and one `error` per 503, with the cause; once the server is back, requests pass and
 * the recovery is logged at `info`.
 */
export function describeKeysDownAtStartup(
  adapterName: string,
  start: (spec: StartupAppSpec) => Promise<StartupApp>,
): void {
  describe(`keys down at start-up: ${adapterName}`, () => {
    it('fails ready(), answers 503 with one warn and an error each, then recovers', async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const jwks = await jwksEndpoint([
        { ...(await exportJWK(publicKey)), kid: KID, alg: 'ES256' },
      ]);
      let nowMs = START_MS;
      const logger = captureLogger();
      const app = await start({
        options: {
          issuers: { [ISSUER]: { jwksUri: jwks.url(), allowInsecureHttp: true } },
          audience: AUDIENCE,
          now: () => nowMs,
          logger,
        },
        path: '/ok',
      });
      const token = () =>
        new SignJWT({ source: 'microservice' })
          .setProtectedHeader({ alg: 'ES256', kid: KID })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt(Math.floor(nowMs / 1000) - 1)
          .setExpirationTime(Math.floor(nowMs / 1000) + 300)
          .sign(privateKey);
      const get = async () =>
        sendRawRequest(app.url, {
          method: 'GET',
          path: '/ok',
          headers: { authorization: `Bearer ${await token()}` },
        });
      try {
        const err = await caughtBy(app.verifier.ready({ timeout: 3000 }));
        expect(err.code).toBe('keys_unavailable');
        expect(err.message).toContain(JSON.stringify(ISSUER));
        expect(JSON.stringify(errnos(err))).toContain('ECONNREFUSED');

        for (let i = 0; i < 3; i++) {
          nowMs += 120_000; // past the back-off, so each request tries the endpoint again
          const response = await get();
          expect(response.status).toBe(503);
          expect((response.json as { code?: string }).code).toBe('keys_unavailable');
          expect(response.headers['retry-after']).toMatch(/^\d+$/);
        }
        const warns = logger.lines.filter((line) => line.level === 'warn');
        expect(warns).toHaveLength(1);
        expect(warns[0]?.fields).toMatchObject({ issuer: ISSUER, to: 'unavailable' });
        const errors = logger.lines.filter((line) => line.level === 'error');
        expect(errors).toHaveLength(3);
        for (const line of errors) {
          expect(line.fields).toMatchObject({ code: 'keys_unavailable', status: 503 });
          expect(JSON.stringify(line.fields.cause)).toContain('ECONNREFUSED');
        }

        await jwks.up();
        nowMs += 120_000;
        const recovered = await get();
        expect(recovered.status).toBe(200);
        expect(recovered.json).toEqual({ issuer: ISSUER });
        const infos = logger.lines.filter((line) => line.level === 'info');
        expect(infos).toHaveLength(1);
        expect(infos[0]?.fields).toMatchObject({
          issuer: ISSUER,
          from: 'unavailable',
          to: 'fresh',
        });
        expect(app.verifier.health().status).toBe('ok');
      } finally {
        await app.close();
        await jwks.down();
      }
    });
  });
}

function errnos(err: unknown): string[] {
  const out: string[] = [];
  for (
    let cause = err as { code?: unknown; cause?: unknown } | undefined, i = 0;
    cause && i < 5;
    i++
  ) {
    if (typeof cause.code === 'string') out.push(cause.code);
    cause = cause.cause as typeof cause;
  }
  return out;
}
