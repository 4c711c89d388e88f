import { createSigner, generateKeyPair, type ServiceJwtSigner } from '@service-jwt/core';
import { startInstance } from './instance.js';
import type { Listening } from './listen.js';

export { PAYMENTS_AUDIENCE } from './instance.js';

/** The billing service's identity: the caller of the payments fleet. */
export const BILLING_ISSUER = 'https://billing.internal/';

/** The running fleet. */
export interface FleetExample {
  /** Base URLs of the two payments instances. */
  readonly urls: { readonly a: string; readonly b: string };
  /** The caller's signer (billing): mint request-bound tokens for the fleet with `signRequest`. */
  readonly caller: ServiceJwtSigner;
  close(): Promise<void>;
}

/** Options of {@link start}. */
export interface StartOptions {
  /** @default { host: '127.0.0.1', port: 6379 } */
  readonly redis?: { readonly host: string; readonly port: number };
  /** Ports of the two instances on 127.0.0.1. @default 0: any free port */
  readonly ports?: { readonly a?: number; readonly b?: number };
}

/**
 * Starts two instances of the payments service (Express) on 127.0.0.1 sharing one Redis
 * through `@service-jwt/redis`, and the key of their caller, billing, made at start-up.
 *
 * @example
 * ```ts
 * const { urls, caller, close } = await start();
 * const body = '{"amount":10}';
 * const token = await caller.signRequest({ method: 'POST', url: '/payments', body, audience: PAYMENTS_AUDIENCE });
 * const init = { method: 'POST', body, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } };
 * await fetch(`${urls.a}/payments`, init); // 201
 * await fetch(`${urls.b}/payments`, init); // 401 token_replayed: the other instance saw it
 * await close();
 * ```
 */
export async function start(options: StartOptions = {}): Promise<FleetExample> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const caller = createSigner({ issuer: BILLING_ISSUER, keys: privateKey });
  const shared = {
    caller: { issuer: BILLING_ISSUER, publicKey },
    redis: options.redis ?? { host: '127.0.0.1', port: 6379 },
    prefix: 'service-jwt-example:payments:',
  };
  const started: Listening[] = [];
  try {
    started.push(await startInstance({ ...shared, name: 'a', port: options.ports?.a }));
    started.push(await startInstance({ ...shared, name: 'b', port: options.ports?.b }));
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
  const [a, b] = started as [Listening, Listening];
  return {
    urls: { a: a.url, b: b.url },
    caller,
    async close() {
      await Promise.all(started.map((s) => s.close()));
    },
  };
}
