import { createHash } from 'node:crypto';
import { Agent, type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import { configurationError } from '../errors/refusals.js';
import { ServiceJwtError } from '../errors/service-jwt-error.js';

/** Options of {@link fetchJson}. */
export interface FetchJsonOptions {
  /** Time-out of the whole exchange (connect, TLS, headers, body), in milliseconds. @default 5000 */
  readonly timeout?: number;
  /** Largest accepted response body, in bytes. @default 524288 */
  readonly maxResponseBytes?: number;
  /** Allow `http:` URLs. @default false */
  readonly allowInsecureHttp?: boolean;
  /** Trusted CA certificate(s), PEM. Replaces Node's default root store for this request. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /**
   * SHA-256 fingerprints (hex, with or without colons, or base64/base64url) of the server's
   * DER certificate; the certificate must match one of them, in addition to normal
   * validation against `ca` and the host name.
   */
  readonly fingerprints?: readonly string[];
  /** OpenSSL cipher list for the TLS connection. */
  readonly ciphers?: string;
  /**
   * The agent that makes the connection: a proxy agent, or an `https.Agent` with its own
   * socket options. Certificate, host name and pin are checked again on the live socket, so an
   * agent cannot turn them off. @default a fresh connection per request
   */
  readonly agent?: Agent;
  /** Aborts the request. */
  readonly signal?: AbortSignal;
}

/** Default of {@link FetchJsonOptions.timeout}. */
export const DEFAULT_FETCH_TIMEOUT = 5000;
/** Default of {@link FetchJsonOptions.maxResponseBytes}. */
export const DEFAULT_MAX_RESPONSE_BYTES = 512 * 1024;

/**
 * Validates an `agent` option (`path` names it): an `http.Agent`, and not one that turns
 * certificate validation off. Throws `configuration_error`.
 */
export function checkAgent(agent: unknown, path: string): Agent | undefined {
  if (agent === undefined) return undefined;
  if (!(agent instanceof Agent)) {
    throw configurationError(
      `${path} must be an http.Agent: an https.Agent, or a proxy agent such as new HttpsProxyAgent(url)`,
    );
  }
  // Refused here rather than only caught on the socket: a reviewer should see it fail at start.
  const own = (agent as Agent & { options?: { rejectUnauthorized?: unknown } }).options;
  if (own?.rejectUnauthorized === false) {
    throw configurationError(
      `${path} turns certificate validation off (rejectUnauthorized: false); trust a private CA with ${path.slice(0, -'agent'.length)}ca instead`,
    );
  }
  return agent;
}

/**
 * Decodes a certificate fingerprint given as hex (colons allowed) or base64/base64url.
 * Returns `undefined` unless it is exactly 32 bytes (SHA-256).
 */
export function parseFingerprint(value: string): Buffer | undefined {
  const compact = value.trim().replace(/:/g, '');
  if (/^[0-9a-fA-F]{64}$/.test(compact)) return Buffer.from(compact, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(compact)) return undefined;
  const bytes = Buffer.from(compact.replace(/=+$/, ''), 'base64url');
  return bytes.length === 32 ? bytes : undefined;
}

function unavailable(message: string, cause?: unknown): ServiceJwtError {
  return new ServiceJwtError('keys_unavailable', message, { cause });
}

// An agent's own options take precedence over the request's (Node merges them that way), so
// with an agent the trust decisions are read back from the socket the response came on.
function untrustedSocket(
  socket: TLSSocket,
  host: string,
  pins: readonly Buffer[],
): Error | undefined {
  if (typeof socket.getPeerCertificate !== 'function') {
    return new Error('the agent did not connect over TLS');
  }
  if (socket.authorized !== true) {
    return socket.authorizationError instanceof Error
      ? socket.authorizationError
      : new Error('the server certificate is not trusted');
  }
  const cert = socket.getPeerCertificate();
  const identity = checkServerIdentity(host, cert);
  if (identity !== undefined) return identity;
  if (pins.length > 0 && !matchesFingerprint(cert, pins)) {
    return Object.assign(new Error('server certificate does not match any pinned fingerprint'), {
      code: 'ERR_CERT_FINGERPRINT_MISMATCH',
    });
  }
  return undefined;
}

function matchesFingerprint(cert: PeerCertificate | undefined, pins: readonly Buffer[]): boolean {
  if (cert?.raw === undefined) return false;
  const digest = createHash('sha256').update(cert.raw).digest();
  return pins.some((pin) => pin.equals(digest));
}

/**
 * GETs a JSON document over HTTPS with the controls key sets need: `https:` only unless
 * `allowInsecureHttp`, custom CA, cipher list, certificate fingerprint pinning (checked during
 * the TLS handshake, before the request is sent), an optional agent (a proxy) that cannot turn
 * any of these off, no redirects (any status but 200 fails), no
 * content encoding, a response size cap and one time-out over the whole exchange. Generic: it
 * returns the parsed JSON value, whatever its shape.
 *
 * Rejects with `keys_unavailable` when the exchange fails, and with `configuration_error` for
 * an unusable URL or option.
 *
 * @example
 * ```ts
 * const jwks = await fetchJson('https://issuer.example/jwks.json', { timeout: 2000 });
 * ```
 */
export function fetchJson(url: string | URL, options: FetchJsonOptions = {}): Promise<unknown> {
  let target: URL;
  try {
    target = new URL(url);
  } catch (err) {
    return Promise.reject(configurationError('fetchJson: invalid URL', err));
  }
  const secure = target.protocol === 'https:';
  if (!secure && !(target.protocol === 'http:' && options.allowInsecureHttp === true)) {
    return Promise.reject(
      configurationError('fetchJson: the URL must use https: (or http: with allowInsecureHttp)'),
    );
  }
  const pins: Buffer[] = [];
  for (const value of options.fingerprints ?? []) {
    const pin = parseFingerprint(value);
    if (pin === undefined) {
      return Promise.reject(
        configurationError('fetchJson: fingerprints must be SHA-256 hex or base64'),
      );
    }
    pins.push(pin);
  }
  const timeout = options.timeout ?? DEFAULT_FETCH_TIMEOUT;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const where = target.origin;
  const host = target.hostname.replace(/^\[|\]$/g, '');

  return new Promise((resolve, reject) => {
    let settled = false;
    let req: ClientRequest | undefined;
    const onAbort = (): void => fail(`fetching from ${where} was aborted`);
    const timer = setTimeout(
      () =>
        fail(
          `fetching from ${where} timed out`,
          Object.assign(new Error(`no answer within ${timeout} ms`), { code: 'ETIMEDOUT' }),
        ),
      timeout,
    );
    timer.unref();
    function finish(): void {
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
    function fail(message: string, cause?: unknown): void {
      if (settled) return;
      finish();
      req?.destroy();
      reject(unavailable(message, cause));
    }
    if (options.signal?.aborted === true) {
      fail(`fetching from ${where} was aborted`);
      return;
    }
    options.signal?.addEventListener('abort', onAbort);

    const requestOptions: RequestOptions = {
      method: 'GET',
      agent: options.agent ?? false,
      headers: {
        accept: 'application/json, application/jwk-set+json',
        'accept-encoding': 'identity',
      },
    };
    if (secure) {
      Object.assign(requestOptions, {
        rejectUnauthorized: true,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        ...(options.ciphers === undefined ? {} : { ciphers: options.ciphers }),
        // The host we asked for, not the one the connection reports: a proxy agent connects
        // through another host, and some name no server name for an IP address.
        checkServerIdentity(_reported: string, cert: PeerCertificate): Error | undefined {
          const err = checkServerIdentity(host, cert);
          if (err !== undefined) return err;
          if (pins.length > 0 && !matchesFingerprint(cert, pins)) {
            return Object.assign(
              new Error('server certificate does not match any pinned fingerprint'),
              { code: 'ERR_CERT_FINGERPRINT_MISMATCH' },
            );
          }
          return undefined;
        },
      });
    }

    const onResponse = (res: IncomingMessage): void => {
      if (secure && options.agent !== undefined) {
        const distrust = untrustedSocket(res.socket as TLSSocket, host, pins);
        if (distrust !== undefined) {
          fail(`the TLS connection to ${where} through the agent is not trusted`, distrust);
          return;
        }
      }
      // Defence in depth: the pin is checked again on the live socket before any body byte.
      if (secure && pins.length > 0) {
        const socket = res.socket as TLSSocket;
        if (!matchesFingerprint(socket.getPeerCertificate?.(), pins)) {
          fail(`the certificate of ${where} does not match any pinned fingerprint`);
          return;
        }
      }
      if (res.statusCode !== 200) {
        // The status travels as the cause's `status`, for events and logs.
        const status = Object.assign(new Error(`HTTP status ${res.statusCode ?? 'unknown'}`), {
          status: res.statusCode,
        });
        fail(
          `${where} answered with status ${res.statusCode ?? 'unknown'} (redirects are not followed)`,
          status,
        );
        return;
      }
      const encoding = res.headers['content-encoding'];
      if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
        fail(`${where} sent an encoded body`);
        return;
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > maxBytes) {
        fail(`the response of ${where} exceeds ${maxBytes} bytes`);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) fail(`the response of ${where} exceeds ${maxBytes} bytes`);
        else chunks.push(chunk);
      });
      res.on('error', (err) => fail(`reading the response of ${where} failed`, err));
      res.on('end', () => {
        if (settled) return;
        let value: unknown;
        try {
          value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch (err) {
          fail(`${where} did not answer with JSON`, err);
          return;
        }
        finish();
        resolve(value);
      });
    };
    try {
      req = (secure ? httpsRequest : httpRequest)(target, requestOptions, onResponse);
    } catch (err) {
      fail(`fetching from ${where} failed`, err);
      return;
    }
    req.on('error', (err) => fail(`fetching from ${where} failed`, err));
    req.end();
  });
}
