import { createSigner, generateKeyPair, type ServiceJwtSigner } from '@service-jwt/core';
import { createHandler, type ReportsHandler } from './handler.js';
import { startLocalRunner } from './local-runner.js';

export { createHandler, REPORTS_AUDIENCE, type ReportsHandler } from './handler.js';
export { sampleEvent } from './sample-event.js';

/** The calling service's identity. */
export const SCHEDULER_ISSUER = 'https://scheduler.example/';

/** The running example. */
export interface LambdaExample {
  /** The local API Gateway stand-in. */
  readonly urls: { readonly api: string };
  /** The wrapped handler, to invoke with an event directly. */
  readonly handler: ReportsHandler;
  /** The caller's signer (the scheduler service), to mint tokens for the function. */
  readonly caller: ServiceJwtSigner;
  close(): Promise<void>;
}

/**
 * Generates the scheduler's key pair, builds the handler trusting it, and starts the local
 * runner on 127.0.0.1.
 *
 * @example
 * ```ts
 * const { urls, caller, close } = await start();
 * const token = await caller.tokenFor(REPORTS_AUDIENCE);
 * await fetch(`${urls.api}/reports`, { headers: { authorization: `Bearer ${token}` } }); // 200
 * await close();
 * ```
 */
export async function start(options: { readonly port?: number } = {}): Promise<LambdaExample> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const caller = createSigner({ issuer: SCHEDULER_ISSUER, keys: privateKey });
  const handler = createHandler({ issuer: SCHEDULER_ISSUER, publicKey });
  const runner = await startLocalRunner(handler, options.port);
  return { urls: { api: runner.url }, handler, caller, close: runner.close };
}
