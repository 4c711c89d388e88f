import { STATUS_CODES } from 'node:http';
import { errorResponse, type ServiceJwtError, toServiceJwtError } from '@service-jwt/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ResolvedSettings } from './options.js';

// The failure each request ended with, so the route's onSend hook can recognise Fastify's
// built-in rendering of exactly that error. A WeakMap keeps the request object's shape fixed.
const failures = new WeakMap<FastifyRequest, ServiceJwtError>();

/**
 * Turns anything thrown by the pipeline into the `ServiceJwtError` handed to Fastify. In
 * `'respond'` mode the challenge headers (configured realm) go on the reply first: Fastify's
 * error handling keeps headers already set, so an app's own error handler starts from them.
 */
export function prepareFailure(
  request: FastifyRequest,
  reply: FastifyReply,
  thrown: unknown,
  settings: ResolvedSettings,
): ServiceJwtError {
  const error = toServiceJwtError(thrown);
  if (settings.onError === 'respond') {
    failures.set(request, error);
    reply.headers(errorResponse(error, { realm: settings.realm }).headers);
  }
  return error;
}

/** `true` when `payload` is Fastify's built-in serialisation of `error` (no app handler). */
function isBuiltInErrorBody(payload: unknown, error: ServiceJwtError, status: number): boolean {
  if (typeof payload !== 'string' || status !== error.status) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null) return false;
  const body = parsed as Record<string, unknown>;
  return (
    Object.keys(body).length === 4 &&
    body.statusCode === status &&
    body.code === error.code &&
    body.message === error.message &&
    body.error === STATUS_CODES[status]
  );
}

/**
 * The route's `onSend` hook in `'respond'` mode. Fastify's built-in error handler writes
 * `{ statusCode, code, error: 'Unauthorized', message }` and re-applies `error.headers` with
 * the default realm; when that is what is about to be sent, the design's body and headers
 * replace it. Anything an app's error handler produced is left alone.
 */
export function createErrorBodyHook(settings: ResolvedSettings) {
  return async function serviceJwtErrorBody(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
  ): Promise<unknown> {
    const error = failures.get(request);
    if (error === undefined || !isBuiltInErrorBody(payload, error, reply.statusCode)) {
      return payload;
    }
    const response = errorResponse(error, { realm: settings.realm });
    reply.headers(response.headers);
    reply.header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify(response.body);
  };
}
