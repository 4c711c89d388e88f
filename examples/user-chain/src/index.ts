import { GATEWAY_AUDIENCE, startGateway } from './gateway.js';
import type { Listening } from './listen.js';
import { ORDERS_AUDIENCE, startOrderService } from './order-service.js';
import { startUserService } from './user-service.js';

export { GATEWAY_AUDIENCE } from './gateway.js';
export { ORDERS_AUDIENCE } from './order-service.js';
export { USER_ISSUER } from './user-service.js';

/** The running chain: the three services' base URLs and a close for all of them. */
export interface UserChainExample {
  readonly urls: { readonly users: string; readonly gateway: string; readonly orders: string };
  close(): Promise<void>;
}

/** Options of {@link start}. */
export interface StartOptions {
  /** Ports on 127.0.0.1. @default 0 for each: any free port */
  readonly ports?: { readonly users?: number; readonly gateway?: number; readonly orders?: number };
}

/**
 * Starts design scenario 2 on 127.0.0.1: the user service (issuer), the order service
 * (Fastify) and the API gateway (Koa). Log in at the user service, call the gateway with the
 * token; the gateway and the order service each verify it.
 *
 * @example
 * ```ts
 * const { urls, close } = await start();
 * const login = await fetch(`${urls.users}/login`, { method: 'POST', body: '{"user":"ada"}' });
 * const { access_token } = await login.json();
 * await fetch(`${urls.gateway}/orders`, { headers: { authorization: `Bearer ${access_token}` } });
 * await close();
 * ```
 */
export async function start(options: StartOptions = {}): Promise<UserChainExample> {
  const started: Listening[] = [];
  const close = async () => {
    await Promise.all(started.map((s) => s.close()));
  };
  try {
    const users = await startUserService([GATEWAY_AUDIENCE, ORDERS_AUDIENCE], options.ports?.users);
    started.push(users);
    const orders = await startOrderService(users.url, options.ports?.orders);
    started.push(orders);
    const gateway = await startGateway(users.url, orders.url, options.ports?.gateway);
    started.push(gateway);
    return { urls: { users: users.url, gateway: gateway.url, orders: orders.url }, close };
  } catch (err) {
    await close();
    throw err;
  }
}
