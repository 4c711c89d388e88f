import type { Readable } from 'node:stream';
import type { Logger, RequestLike, VerifiedServiceJwt } from '@service-jwt/core';
import {
  answerBytes,
  bodyTooLarge,
  configurationError,
  declaresBody,
  type Guard,
  nodeRequestHeaders,
  type PendingVerification,
  readNodeRequestChunks,
  runInTransaction,
} from '@service-jwt/core/adapter';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { BodyTap } from './body-tap.js';
import { failure } from './error-reply.js';

type PreParsingDone = (err: Error | null, payload?: Readable) => void;

/** The hooks one protected route runs, bound to that route's guard. */
export interface RouteGuard {
  /**
   * The whole verification in one `onRequest` hook, for a route whose methods Fastify answers
   * without parsing a body (GET, HEAD, TRACE): a body the request declares anyway is read
   * here, bounded and within `bodyHash.timeout`, and left readable. It attaches
   * `request.serviceJwt` and runs the rest of the request in the Txn-Token context, so the
   * route needs none of the hooks below.
   */
  verifyWhole(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
  /** Verifies the token before the body is read (everything, when no body is announced). */
  onRequest(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
  /** Wraps the payload in a hashing pass-through when the body must be checked. */
  preParsing(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: Readable,
    done: PreParsingDone,
  ): void;
  /** Completes verification and attaches `request.serviceJwt` before the handler. */
  preHandler(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void;
  /**
   * Signs the answer to an accepted request; present only when the route signs its answers
   * (`httpSignature.signResponse`), so other routes pay for no extra hook.
   */
  readonly onSend:
    | ((request: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown>)
    | undefined;
}

/** Where a request stands between the hooks. */
type RequestState =
  | { readonly result: VerifiedServiceJwt }
  | { readonly pending: PendingVerification; tap: BodyTap | undefined };

/**
 * The one function that maps a Fastify request to core's request shape: `request.method`,
 * `request.url` (path and query as sent) and the headers. Node keeps only the first of a
 * repeated `Authorization` in `headers`; core's `nodeRequestHeaders` gives every value of a header
 * that came more than once, so a second credential is refused (`token_duplicated`). It starts
 * from `request.headers`, which includes headers that earlier hooks added. With `readsBody`
 * (a route Fastify gives no body), a body the request declares is read from the raw message
 * when core asks for it; otherwise the body reaches core through the `preParsing` tap.
 */
export function toRequestLike(request: FastifyRequest, readsBody = false): RequestLike {
  const raw = request.raw;
  return {
    method: request.method,
    url: request.url,
    headers: nodeRequestHeaders(raw, request.headers),
    body:
      readsBody && declaresBody(request.headers)
        ? (maxBytes: number) => readNodeRequestChunks(raw, maxBytes)
        : undefined,
  };
}

// Attaches the result and goes on inside the Txn-Token context (a plain `done()` without
// one): Fastify runs the rest of the request, handler included, inside `done`. A module
// function, so the accepted path of `verifyWhole` makes no closure.
function attach(
  request: FastifyRequest,
  verified: VerifiedServiceJwt,
  done: HookHandlerDoneFunction,
): void {
  request.serviceJwt = verified;
  runInTransaction(verified, done);
}

/**
 * Builds the hooks of one protected route. `onRequest` runs before Fastify reads the body, so
 * an unauthenticated request is refused before any byte of it is parsed: a request that
 * announces no body is verified there completely (often without waiting at all); one with a
 * body is authenticated there, `preParsing` tees the bytes into the hasher on their way to
 * the content-type parser, and `preHandler` hands the verified result to the route. A request
 * that reaches `preHandler` without the earlier hooks (a hook used on a route the plugin never
 * saw) is verified there, and fails with a `configuration_error` if its token asks for a body
 * hash, since the raw bytes are gone.
 */
export function createRouteGuard(guard: Guard, logger: Logger | undefined): RouteGuard {
  const states = new WeakMap<FastifyRequest, RequestState>();
  // Refusals go to the plugin's `logger` option, else to the request's own log.
  const logFor = (request: FastifyRequest): Logger => logger ?? request.log;

  function verifyWhole(
    request: FastifyRequest,
    _reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void {
    let outcome: VerifiedServiceJwt | Promise<VerifiedServiceJwt>;
    try {
      outcome = guard.verify(toRequestLike(request, true), logFor(request));
    } catch (err) {
      done(failure(guard, err));
      return;
    }
    if (!(outcome instanceof Promise)) {
      attach(request, outcome, done);
      return;
    }
    outcome.then(
      (verified) => attach(request, verified, done),
      (err: unknown) => done(failure(guard, err)),
    );
  }

  function onRequest(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
    const verified = (result: VerifiedServiceJwt) => {
      states.set(request, { result });
      done();
    };
    const refused = (err: unknown) => done(failure(guard, err));
    if (!declaresBody(request.headers)) {
      let outcome: VerifiedServiceJwt | Promise<VerifiedServiceJwt>;
      try {
        outcome = guard.verify(toRequestLike(request), logFor(request));
      } catch (err) {
        refused(err);
        return;
      }
      if (outcome instanceof Promise) outcome.then(verified, refused);
      else verified(outcome);
      return;
    }
    guard.authenticate(toRequestLike(request), logFor(request)).then((pending) => {
      states.set(request, { pending, tap: undefined });
      done();
    }, refused);
  }

  function preParsing(
    request: FastifyRequest,
    _reply: FastifyReply,
    payload: Readable,
    done: PreParsingDone,
  ): void {
    const state = states.get(request);
    const bodyCheck = state !== undefined && 'pending' in state ? state.pending.bodyCheck : null;
    if (state === undefined || !('pending' in state) || bodyCheck === null) {
      done(null, payload);
      return;
    }
    if (Number(request.headers['content-length']) > bodyCheck.maxBodyBytes) {
      done(failure(guard, bodyTooLarge(bodyCheck.maxBodyBytes)));
      return;
    }
    const tap = new BodyTap({
      pending: state.pending,
      hasher: bodyCheck.createHasher(),
      maxBodyBytes: bodyCheck.maxBodyBytes,
      timeout: bodyCheck.timeout,
      onFailure: (thrown) => failure(guard, thrown),
    });
    // Not `pipeline`: on failure it would destroy the incoming message and with it the socket
    // the error response has to go out on.
    payload.on('error', (error) => tap.destroy(error));
    payload.pipe(tap);
    state.tap = tap;
    done(null, tap);
  }

  // A callback hook, not an async one: Fastify goes on to the handler inside `done`, so the
  // handler runs with the verified Txn-Token as `currentTransaction()` (a plain `done()` when
  // the request carries none). An async hook's continuation would run outside it.
  function preHandler(
    request: FastifyRequest,
    _reply: FastifyReply,
    done: HookHandlerDoneFunction,
  ): void {
    const state = states.get(request);
    if (state !== undefined && 'result' in state) {
      attach(request, state.result, done);
      return;
    }
    const outcome =
      state === undefined
        ? verifyLate(request)
        : state.tap !== undefined
          ? state.tap.result()
          : state.pending.complete();
    outcome.then(
      (verified) => attach(request, verified, done),
      (thrown: unknown) => done(failure(guard, thrown)),
    );
  }

  async function verifyLate(request: FastifyRequest): Promise<VerifiedServiceJwt> {
    const pending = await guard.authenticate(toRequestLike(request), logFor(request));
    if (pending.bodyCheck !== null) {
      throw configurationError(
        'this request needs a body hash but its raw bytes were not captured: register the ' +
          'service-jwt plugin (await app.register) in a scope that contains the route, before the route',
      );
    }
    return pending.complete();
  }

  // Runs last among the route's onSend hooks, so it signs the bytes that go on the wire; only
  // answers to accepted requests are signed.
  async function onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    const sign = guard.signResponse;
    if (sign === null || request.serviceJwt === null || request.serviceJwt === undefined) {
      return payload;
    }
    const body = await answerBytes(payload);
    reply.headers(sign(toRequestLike(request), { status: reply.statusCode, body }));
    if (reply.hasHeader('content-length')) reply.header('content-length', body.length);
    return body;
  }

  return {
    verifyWhole,
    onRequest,
    preParsing,
    preHandler,
    onSend: guard.signResponse === null ? undefined : onSend,
  };
}
