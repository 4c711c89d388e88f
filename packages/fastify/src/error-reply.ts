import type { ServiceJwtError } from '@service-jwt/core';
import type { Guard } from '@service-jwt/core/adapter';
import type { FastifyError, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

type ErrorHandler = NonNullable<RouteOptions['errorHandler']>;

// Refusals the plugin answers itself (`onError: 'respond'`), with the guard that refused: the
// route's error handler recognises them by identity, never by looking at a reply body.
const answered = new WeakMap<Error, Guard>();

/**
 * Turns anything thrown while guarding a request into the `ServiceJwtError` handed to
 * Fastify (its `headers` carry the configured realm). In `'respond'` mode it is also marked
 * as one the route's error handler answers with the design's body.
 */
export function failure(guard: Guard, thrown: unknown): Error {
  const err = guard.forHost(thrown);
  if (guard.onError === 'respond') answered.set(err, guard);
  return err;
}

/**
 * The error handler of a protected route. Every failure of the guard's hooks (the token in
 * `onRequest`, an oversized or tampered body in `preParsing`, the hash and replay record in
 * `preHandler`) reaches Fastify's error handling as an error; in `'respond'` mode this
 * handler answers it with core's `errorResponse`. Any other error goes on to the route's own
 * handler or, when it has none, up to the app's (`setErrorHandler`) or Fastify's default.
 */
export function errorHandlerFor(own: ErrorHandler | undefined): ErrorHandler {
  return function serviceJwtErrors(
    this: unknown,
    error: FastifyError,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
    const guard = answered.get(error);
    if (guard !== undefined) {
      const { status, headers, body } = guard.response(error as unknown as ServiceJwtError);
      return reply.code(status).headers(headers).send(body);
    }
    if (own !== undefined) return own.call(this as never, error, request, reply);
    throw error;
  } as ErrorHandler;
}
