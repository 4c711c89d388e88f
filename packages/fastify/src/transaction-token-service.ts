import type { TransactionTokenService } from '@service-jwt/core';
import { checkTokenService, configurationError } from '@service-jwt/core/adapter';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** Options of {@link transactionTokenService}. */
export interface TransactionTokenRouteOptions {
  /** The token service (`createTransactionTokenService`). */
  readonly service: TransactionTokenService;
  /** Where the token endpoint is served. @default '/token' */
  readonly path?: string;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * A plugin that serves a Transaction Token Service at `path` (under the registration's
 * `prefix`). In its own encapsulated context every body arrives as raw bytes, bounded by the
 * service's `maxBodyBytes`, so the service checks the media type and the form itself and a
 * too-large or non-form body gets the same RFC 6749 §5.2 answer as on every adapter. Other
 * methods get the service's 405. Options are validated at registration (`ready()` fails).
 *
 * @example
 * ```ts
 * await app.register(transactionTokenService, { service, path: '/token' });
 * ```
 */
export const transactionTokenService: FastifyPluginAsync<TransactionTokenRouteOptions> = async (
  fastify,
  options,
) => {
  const { service, path = '/token' } = options ?? ({} as TransactionTokenRouteOptions);
  const checked = checkTokenService(service);
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw configurationError('options.path must be a string starting with "/"');
  }
  // This plugin's context only: the app's own parsers are untouched.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: checked.maxBodyBytes },
    (_request: FastifyRequest, body: Buffer, done: (err: null, body: Buffer) => void) =>
      done(null, body),
  );
  fastify.route({
    method: METHODS,
    url: path,
    errorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
      if (error.statusCode !== 413) throw error;
      const { status, headers, body } = checked.bodyTooLarge();
      return reply.code(status).headers(headers).send(JSON.stringify(body));
    },
    async handler(request: FastifyRequest, reply: FastifyReply) {
      const answer = await checked.handle({
        method: request.method,
        url: request.url,
        headers: request.headers,
        ...(Buffer.isBuffer(request.body) ? { body: request.body } : {}),
      });
      reply.code(answer.status).headers(answer.headers);
      return JSON.stringify(answer.body);
    },
  });
};
