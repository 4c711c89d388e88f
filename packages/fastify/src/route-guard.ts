import type { Readable } from 'node:stream';
import {
  nodeRequestHeaders,
  type PendingVerification,
  type RequestLike,
  ServiceJwtError,
  type ServiceJwtVerifier,
} from '@service-jwt/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BodyTap } from './body-tap.js';
import { prepareFailure } from './error-reply.js';
import type { ResolvedSettings } from './options.js';

/** The hooks one protected route runs, bound to that route's verifier. */
export interface RouteGuard {
  /** Authenticates the token before the body is read (everything but the body hash). */
  onRequest(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Wraps the payload in a hashing pass-through when the body must be checked. */
  preParsing(request: FastifyRequest, reply: FastifyReply, payload: Readable): Promise<Readable>;
  /** Completes verification and attaches `request.serviceJwt` before the handler. */
  preHandler(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

interface RequestState {
  readonly pending: PendingVerification;
  tap: BodyTap | undefined;
}

/**
 * The one function that maps a Fastify request to core's request shape: `request.method`,
 * `request.url` (path and query as sent) and the headers. Node keeps only the first of a
 * repeated `Authorization` in `headers`; core's `nodeRequestHeaders` gives every value of a header
 * that came more than once, so a second credential is refused (`token_duplicated`). It starts
 * from `request.headers`, which includes headers that earlier hooks added.
 */
export function toRequestLike(request: FastifyRequest): RequestLike {
  return {
    method: request.method,
    url: request.url,
    headers: nodeRequestHeaders(request.raw, request.headers),
  };
}

/**
 * Builds the hooks of one protected route. `onRequest` runs before Fastify reads the body, so
 * an unauthenticated request is refused before any byte of it is parsed; `preParsing` tees the
 * bytes into the hasher on their way to the content-type parser; `preHandler` hands the
 * verified result to the route. A request that reaches `preHandler` without the earlier hooks
 * (a hook used on a route the plugin never saw) is verified there, and fails with a
 * `configuration_error` if its token asks for a body hash, since the raw bytes are gone.
 */
export function createRouteGuard(
  verifier: ServiceJwtVerifier,
  settings: ResolvedSettings,
): RouteGuard {
  const states = new WeakMap<FastifyRequest, RequestState>();

  async function onRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      states.set(request, {
        pending: await verifier.authenticate(toRequestLike(request)),
        tap: undefined,
      });
    } catch (thrown) {
      throw prepareFailure(request, reply, thrown, settings);
    }
  }

  async function preParsing(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: Readable,
  ): Promise<Readable> {
    const state = states.get(request);
    const bodyCheck = state?.pending.bodyCheck;
    if (state === undefined || bodyCheck === null || bodyCheck === undefined) return payload;
    const declared = Number(request.headers['content-length']);
    if (declared > bodyCheck.maxBodyBytes) {
      const error = new ServiceJwtError(
        'body_too_large',
        `request body exceeds ${bodyCheck.maxBodyBytes} bytes`,
      );
      throw prepareFailure(request, reply, error, settings);
    }
    const tap = new BodyTap({
      pending: state.pending,
      hasher: bodyCheck.createHasher(),
      maxBodyBytes: bodyCheck.maxBodyBytes,
      onFailure: (thrown) => prepareFailure(request, reply, thrown, settings),
    });
    // Not `pipeline`: on failure it would destroy the incoming message and with it the socket
    // the error response has to go out on.
    payload.on('error', (error) => tap.destroy(error));
    payload.pipe(tap);
    state.tap = tap;
    return tap;
  }

  async function preHandler(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    try {
      const state = states.get(request);
      if (state === undefined) {
        request.serviceJwt = await verifyLate(request);
        return;
      }
      request.serviceJwt =
        state.tap === undefined ? await state.pending.complete() : await state.tap.result();
    } catch (thrown) {
      throw prepareFailure(request, reply, thrown, settings);
    }
  }

  async function verifyLate(request: FastifyRequest) {
    const pending = await verifier.authenticate(toRequestLike(request));
    if (pending.bodyCheck !== null) {
      throw new ServiceJwtError(
        'configuration_error',
        'this request needs a body hash but its raw bytes were not captured: register the ' +
          'service-jwt plugin (await app.register) in a scope that contains the route, before the route',
      );
    }
    return pending.complete();
  }

  return { onRequest, preParsing, preHandler };
}
