import type {
  RouteOptions as CoreRouteOptions,
  Logger,
  ServiceJwtVerifier,
  VerifiedServiceJwt,
} from '@service-jwt/core';
import { configurationError, type Guard } from '@service-jwt/core/adapter';
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import { errorHandlerFor } from './error-reply.js';
import { type FastifyServiceJwtOptions, resolvePluginOptions, routeOverrides } from './options.js';
import { createRouteGuard, type RouteGuard } from './route-guard.js';
import { markRouteSeen, watchDeclaredRoutes } from './scope-watch.js';

/** A `preHandler` hook made by `app.requireServiceJwt(...)` (a callback hook). */
export type ServiceJwtHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => void;

/** Per-route options under `config.serviceJwt`: core route overrides, `true`, or `false` to opt out of global mode. */
export type ServiceJwtRouteConfig = CoreRouteOptions | boolean;

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token of a protected route; `null` on routes service-jwt does not protect. */
    serviceJwt: VerifiedServiceJwt | null;
  }
  interface FastifyInstance {
    /**
     * A `preHandler` hook that protects one route with the plugin's verifier plus `options`
     * (core route overrides: audience, claims, callers, bodyHash, requestBinding, …). The
     * plugin also gives the route an `onRequest` hook, so the token is checked before the body
     * is parsed; on a GET, HEAD or TRACE route that hook does the whole verification and this
     * one is taken out of the route's list. Throws `configuration_error` for invalid options.
     *
     * @example
     * ```ts
     * app.post('/orders', { preHandler: app.requireServiceJwt({ audience: 'https://orders/' }) }, handler);
     * ```
     */
    requireServiceJwt(options?: CoreRouteOptions): ServiceJwtHook;
    /** The verifier the plugin uses (shared by every protected route of the scope). */
    readonly serviceJwtVerifier: ServiceJwtVerifier;
  }
  interface FastifyContextConfig {
    /** Protect this route (`true` or route overrides), or exclude it from global mode (`false`). */
    serviceJwt?: ServiceJwtRouteConfig;
  }
}

// Hooks made by requireServiceJwt → the guard whose onRequest/preParsing they pair with.
const hookGuards = new WeakMap<object, RouteGuard>();
// Every hook this package installs, so a route seen twice is not hooked twice.
const ownHooks = new WeakSet<object>();

function asArray<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value as T];
}

function own<T extends object>(hook: T): T {
  ownHooks.add(hook);
  return hook;
}

function routeGuard(
  guard: Guard,
  overrides: CoreRouteOptions | undefined,
  where: string,
  logger: Logger | undefined,
): RouteGuard {
  return createRouteGuard(guard.forRoute(overrides, where), logger);
}

// Methods Fastify answers without reading a body (its own list of body-less methods).
const BODYLESS = new Set(['GET', 'HEAD', 'TRACE']);

function takesNoBody(route: RouteOptions): boolean {
  return asArray(route.method).every((method) => BODYLESS.has(String(method).toUpperCase()));
}

/**
 * Adds the hooks of a protected route to its options, from `onRoute`. A route whose methods
 * carry no body gets one hook, the guard's `verifyWhole` (first among its `onRequest` hooks),
 * in place of a `requireServiceJwt` hook it lists: each hook Fastify runs is a cost on every
 * request. Other routes get the guard's `onRequest` and `preParsing` first among their own
 * hooks, and its `preHandler` either where the route lists it (from requireServiceJwt, at the
 * position the app chose) or first. The route's error handler answers the guard's refusals
 * (see `errorHandlerFor`).
 */
function protectRoute(route: RouteOptions, guard: RouteGuard, hasHook: boolean): void {
  route.errorHandler = errorHandlerFor(route.errorHandler);
  if (takesNoBody(route)) {
    route.onRequest = [
      own(guard.verifyWhole),
      ...asArray(route.onRequest),
    ] as RouteOptions['onRequest'];
    // The listed hook's work is done; any other requireServiceJwt hook still runs its own.
    if (hasHook) {
      route.preHandler = asArray(route.preHandler).filter(
        (hook) => hookGuards.get(hook) !== guard,
      ) as RouteOptions['preHandler'];
    }
  } else {
    protectBodyRoute(route, guard, hasHook);
  }
  // An async hook costs a promise per request: added only where answers are signed.
  if (guard.onSend !== undefined) {
    route.onSend = [...asArray(route.onSend), own(guard.onSend)] as RouteOptions['onSend'];
  }
}

function protectBodyRoute(route: RouteOptions, guard: RouteGuard, hasHook: boolean): void {
  route.onRequest = [
    own(guard.onRequest),
    ...asArray(route.onRequest),
  ] as RouteOptions['onRequest'];
  route.preParsing = [
    own(guard.preParsing),
    ...asArray(route.preParsing),
  ] as RouteOptions['preParsing'];
  if (!hasHook) {
    route.preHandler = [
      own(guard.preHandler),
      ...asArray(route.preHandler),
    ] as RouteOptions['preHandler'];
  }
}

const serviceJwtPlugin: FastifyPluginAsync<FastifyServiceJwtOptions> = async (
  fastify: FastifyInstance,
  options,
) => {
  // A second registration (in a child scope, or the same one) would collide with the first one's
  // decorators; routes get their own options from the one registration instead.
  if (fastify.hasRequestDecorator('serviceJwt')) {
    throw configurationError(
      'the service-jwt plugin is already registered in this scope or a parent one: register it once, ' +
        'and give routes their own options (audience, callers, claims, replay: false or another ' +
        'store, …) with app.requireServiceJwt(options) or config.serviceJwt',
    );
  }
  const { guard, global, waitForKeys, logger } = resolvePluginOptions(options, fastify.log);
  const appGuard = createRouteGuard(guard, logger);

  fastify.decorateRequest('serviceJwt', null);
  fastify.decorate('serviceJwtVerifier', guard.verifier);
  fastify.decorate('requireServiceJwt', (routeOptions?: CoreRouteOptions): ServiceJwtHook => {
    const where = 'requireServiceJwt(options)';
    const hooks = routeGuard(guard, routeOverrides(routeOptions, where), where, logger);
    hookGuards.set(hooks.preHandler, hooks);
    return hooks.preHandler;
  });

  watchDeclaredRoutes(fastify);
  fastify.addHook('onRoute', (route) => {
    markRouteSeen(fastify, route);
    if (asArray(route.onRequest).some((hook) => ownHooks.has(hook))) return;
    const configured = route.config?.serviceJwt;
    const hooked = asArray(route.preHandler)
      .map((hook) => hookGuards.get(hook))
      .find((guard) => guard !== undefined);
    if (hooked !== undefined) {
      if (typeof configured === 'object') {
        throw configurationError(
          `route ${route.method} ${route.url}: config.serviceJwt and requireServiceJwt() both give options; use one`,
        );
      }
      protectRoute(route, hooked, true);
      return;
    }
    if (configured === false || (configured === undefined && !global)) return;
    const where = `route ${route.method} ${route.url} config.serviceJwt`;
    const overrides = routeOverrides(configured, where);
    protectRoute(
      route,
      overrides === undefined ? appGuard : routeGuard(guard, overrides, where, logger),
      false,
    );
  });

  if (waitForKeys !== undefined) {
    fastify.addHook('onReady', async () => {
      await guard.verifier.ready(waitForKeys);
    });
  }
  if (guard.owned) fastify.addHook('onClose', async () => guard.verifier.close());
};

/**
 * The service-jwt Fastify plugin. Register it once (`await app.register(serviceJwt, options)`);
 * it is wrapped with `fastify-plugin`, so its decorators and route handling apply to the
 * registering scope and its children, never to sibling scopes. Options are core's
 * `VerifierOptions` (or `{ verifier, ...routeOverrides }`) plus `global`, `onError` and
 * `realm`; they are validated at registration, so `ready()` rejects with a
 * `configuration_error` naming the option.
 *
 * Routes declared after registration are protected when they list
 * `app.requireServiceJwt(...)` in `preHandler`, declare `config: { serviceJwt: true | {...} }`,
 * or (with `global: true`) always, unless `config: { serviceJwt: false }`. Every protected
 * route shares the plugin's verifier (one key cache) and gets `request.serviceJwt`.
 *
 * Failures are `ServiceJwtError`s with `statusCode` thrown into Fastify's error handling (see
 * `onError`): 401/403/400 with `WWW-Authenticate` (RFC 6750 §3), 413, 415, 503 with
 * `Retry-After`, 500 `configuration_error`. In `'respond'` mode the protected route's error
 * handler answers them; other errors reach the app's own error handler.
 *
 * @example
 * ```ts
 * await app.register(serviceJwt, { issuers: { 'https://herald/': { jwksUri } }, audience: 'https://census/' });
 * app.post('/orders', { preHandler: app.requireServiceJwt() }, async (request) => request.serviceJwt?.subject);
 * ```
 */
export const serviceJwt = fp(serviceJwtPlugin, {
  fastify: '4.x || 5.x',
  name: '@service-jwt/fastify',
});
