import { errorResponse, ServiceJwtError } from '@service-jwt/core';
import type { FastifyInstance, RouteOptions } from 'fastify';

// A route that declares `config.serviceJwt` where no registration of the plugin sees it (a
// sibling scope of the registering one, its parent, or a route declared before registration)
// would be served with no check at all. Every registration marks the routes it sees; one
// watcher on the root instance fails `ready()` for declaring routes added later that no
// registration saw, and refuses requests to declaring routes it could not see being added
// (fail closed).

const seen = new WeakSet<object>();
const seenTargets = new WeakMap<object, Set<string>>();

// Fastify registers the trailing-slash twin of a prefixed route without a second onRoute call
// (it shares the hooks the first one got): both spellings are one target.
function target(method: unknown, url: unknown): string {
  const path = String(url);
  return `${String(method)} ${path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path}`;
}

/** Records that a registration of the plugin saw (and so handled) `route`. */
export function markRouteSeen(instance: FastifyInstance, route: RouteOptions): void {
  seen.add(route);
  const targets = seenTargets.get(rootOf(instance));
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  for (const method of methods) targets?.add(target(method, route.url));
}

function unprotected(): ServiceJwtError {
  return new ServiceJwtError(
    'configuration_error',
    'this route declares config.serviceJwt but the service-jwt plugin is not registered in its scope before it',
  );
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

function everyMethodSeen(
  targets: ReadonlySet<string>,
  route: { readonly method: unknown; readonly url: unknown },
): boolean {
  const methods: readonly unknown[] = Array.isArray(route.method) ? route.method : [route.method];
  return methods.every((method) => targets.has(target(method, route.url)));
}

/** Installs the root watcher once per application. */
export function watchDeclaredRoutes(instance: FastifyInstance): void {
  const root = rootOf(instance);
  if (seenTargets.has(root)) return;
  const targets = new Set<string>();
  seenTargets.set(root, targets);
  const declared: RouteOptions[] = [];
  root.addHook('onRoute', (route) => {
    const value = route.config?.serviceJwt;
    if (value !== undefined && value !== false) declared.push(route);
  });
  // Routes declared before this watcher existed are only visible per request. This hook runs
  // on every request of the application, so it is a callback hook: an async one would cost a
  // promise and its reactions per request. A refusal is answered here and `done` not called,
  // which is how a callback hook ends a request in Fastify.
  root.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions;
    const value = (route?.config as { serviceJwt?: unknown } | undefined)?.serviceJwt;
    if (value === undefined || value === false || everyMethodSeen(targets, route)) {
      done();
      return;
    }
    const response = errorResponse(unprotected());
    reply.code(response.status).headers(response.headers).send(response.body);
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
