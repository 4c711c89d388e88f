import { ServiceJwtError } from '@service-jwt/core';
import type { FastifyInstance, RouteOptions } from 'fastify';

// A route that declares `config.serviceJwt` where no registration of the plugin sees it (a
// sibling scope of the registering one, or its parent) would be served with no check at all.
// Every registration marks the routes it sees; one watcher on the root instance collects the
// declaring routes and fails `ready()` for any that no registration saw (fail closed).

const seen = new WeakSet<object>();
const watchedRoots = new WeakSet<object>();

/** Records that a registration of the plugin saw (and so handled) `route`. */
export function markRouteSeen(route: RouteOptions): void {
  seen.add(route);
}

// Fastify makes each plugin scope with `Object.create(parent)`: the root is the last object
// up the prototype chain that is still an instance.
function rootOf(instance: FastifyInstance): FastifyInstance {
  let current: FastifyInstance = instance;
  for (;;) {
    const parent: unknown = Object.getPrototypeOf(current);
    if (
      typeof parent !== 'object' ||
      parent === null ||
      typeof (parent as FastifyInstance).addHook !== 'function'
    ) {
      return current;
    }
    current = parent as FastifyInstance;
  }
}

/** Installs the root watcher once per application. */
export function watchDeclaredRoutes(instance: FastifyInstance): void {
  const root = rootOf(instance);
  if (watchedRoots.has(root)) return;
  watchedRoots.add(root);
  const declared: RouteOptions[] = [];
  root.addHook('onRoute', (route) => {
    const value = route.config?.serviceJwt;
    if (value !== undefined && value !== false) declared.push(route);
  });
  root.addHook('onReady', async () => {
    const missed = declared.filter((route) => !seen.has(route));
    declared.length = 0;
    if (missed.length > 0) {
      const names = [...new Set(missed.map((route) => `${String(route.method)} ${route.url}`))];
      throw new ServiceJwtError(
        'configuration_error',
        `config.serviceJwt on ${names.join(', ')}, where the service-jwt plugin is not registered: register it in a scope that contains these routes, before them`,
      );
    }
  });
}
