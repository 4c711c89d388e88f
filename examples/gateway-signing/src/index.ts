import { exportPrivateJwk, generateKeyPair } from '@service-jwt/core';
import { startBackend } from './backend.js';
import { startGateway } from './gateway.js';
import type { Listening } from './listen.js';
import { startOrderService } from './order-service.js';

export { LOGIN_ISSUER, ORDERS_AUDIENCE, REFRESH_AUDIENCE } from './backend.js';

/** The running example: the three services' base URLs and a close for all of them. */
export interface GatewaySigningExample {
  readonly urls: { readonly backend: string; readonly gateway: string; readonly orders: string };
  close(): Promise<void>;
}

/** Options of {@link start}. */
export interface StartOptions {
  /** Ports on 127.0.0.1. @default 0 for each: any free port */
  readonly ports?: {
    readonly backend?: number;
    readonly gateway?: number;
    readonly orders?: number;
  };
}

/**
 * Starts design scenario 4 on 127.0.0.1: the legacy backend (returns plain claims), the
 * gateway (signs `access_token` and `refresh_token` with an ES256 key generated here) and an
 * order service that accepts the signed access token.
 *
 * @example
 * ```ts
 * const { urls, close } = await start();
 * const login = await fetch(`${urls.gateway}/token`, {
 *   method: 'POST', body: JSON.stringify({ user: 'ada', password: 'lovelace' }),
 * });
 * const { access_token } = await login.json();
 * await fetch(`${urls.orders}/orders`, { headers: { authorization: `Bearer ${access_token}` } });
 * await close();
 * ```
 */
export async function start(options: StartOptions = {}): Promise<GatewaySigningExample> {
  const started: Listening[] = [];
  const close = async () => {
    await Promise.all(started.map((s) => s.close()));
  };
  try {
    const key = await generateKeyPair('ES256', { kid: 'gateway-1' });
    const signingJwk = { ...exportPrivateJwk({ key: key.privateKey, kid: key.kid }), kid: key.kid };
    const backend = await startBackend(options.ports?.backend);
    started.push(backend);
    const gateway = await startGateway({
      backendUrl: backend.url,
      signingJwk,
      ...(options.ports?.gateway === undefined ? {} : { port: options.ports.gateway }),
    });
    started.push(gateway);
    const orders = await startOrderService(key.publicJwk, options.ports?.orders);
    started.push(orders);
    return { urls: { backend: backend.url, gateway: gateway.url, orders: orders.url }, close };
  } catch (err) {
    await close();
    throw err;
  }
}
