import {
  createResponseSigner,
  errorResponse,
  type ResponseSigner,
  type ResponseSignerOptions,
} from '@service-jwt/core';
import {
  configurationError,
  resolveErrorHandling,
  toServiceJwtError,
} from '@service-jwt/core/adapter';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdapterOptions } from './options.js';

/** Options of {@link signResponseKeys}: core's `createResponseSigner` options plus `onError`/`realm`. */
export type FastifySignResponseKeysOptions = ResponseSignerOptions & AdapterOptions;

/** The `onSend` hook returned by {@link signResponseKeys}. */
export interface SignResponseKeysHook {
  (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown>;
  /** The core signer behind it (`await hook.signer.ready()` checks the keys at start-up). */
  readonly signer: ResponseSigner;
}

function destroyStream(payload: unknown): void {
  const stream = payload as { pipe?: unknown; destroy?: (() => void) | undefined } | null;
  if (typeof stream?.pipe === 'function' && typeof stream.destroy === 'function') stream.destroy();
}

/**
 * An `onSend` hook for a gateway route: when the reply is JSON (2xx, `application/json` or
 * `application/*+json`), each top-level key of `keysToSign` holding a JSON object is replaced
 * by its JWS in the serialized payload (see core's `createResponseSigner`). Use it as a route
 * option (`{ onSend: signResponseKeys(options) }`) or with `addHook('onSend', …)` in a scope.
 *
 * Passes through untouched: statuses outside 200–299, non-JSON content types, empty payloads,
 * payloads without any key to sign. A JSON-typed stream payload is read (up to
 * `maxBodyBytes`) and handled like a buffered one. Refused (never signed half-way): a key to
 * sign holding anything but an object, a JSON type whose payload does not parse, or a payload
 * over `maxBodyBytes` — 500 `configuration_error`; a signing key that cannot be obtained or failed its TLS checks —
 * 503 `keys_unavailable` with `Retry-After`. With `onError: 'respond'` a refused reply loses
 * every header the handler set and carries core's `errorResponse`; with `'throw'` the
 * `ServiceJwtError` goes to Fastify's error handling (`setErrorHandler`).
 *
 * @throws ServiceJwtError `configuration_error` when created, naming the invalid option.
 * @example
 * ```ts
 * app.post('/token', {
 *   onSend: signResponseKeys({ keysToSign: ['access_token', 'refresh_token'],
 *     alg: 'RS256', kid: 'gw-1', jwkSetUrl: 'https://vault.internal/jwks.json', ca }),
 * }, async (request) => backendLogin(request.body));
 * ```
 */
export function signResponseKeys(options: FastifySignResponseKeysOptions): SignResponseKeysHook {
  if (typeof options !== 'object' || options === null) {
    throw configurationError('options must be an object');
  }
  const { onError, realm } = resolveErrorHandling(options);
  const { onError: _onError, realm: _realm, ...signerOptions } = options;
  const signer = createResponseSigner(signerOptions);

  const hook = async function serviceJwtSignResponseKeys(
    _request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
  ): Promise<unknown> {
    const type = reply.getHeader('content-type');
    try {
      const result = await signer.signResponse({
        status: reply.statusCode,
        contentType: typeof type === 'string' ? type : undefined,
        body: payload,
      });
      // A JSON stream was read to be inspected: its bytes are sent even when nothing was signed.
      return result.body === undefined ? payload : result.body;
    } catch (thrown) {
      const err = toServiceJwtError(thrown);
      destroyStream(payload);
      for (const name of Object.keys(reply.getHeaders())) reply.removeHeader(name);
      if (onError === 'throw') throw err;
      const response = errorResponse(err, realm === undefined ? {} : { realm });
      reply.code(response.status);
      reply.headers(response.headers);
      return JSON.stringify(response.body);
    }
  };
  return Object.assign(hook, { signer });
}
