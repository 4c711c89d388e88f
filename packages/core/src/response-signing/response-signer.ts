import { CompactSign, type FlattenedJWS, FlattenedSign } from 'jose';
import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { SigningKey } from '../signer/signing-keys.js';
import { type ResponseSignerOptions, resolveResponseSignerOptions } from './options.js';
import { isAsyncIterable, parseJsonBody, readStreamBody, tooLarge } from './response-body.js';
import {
  createLocalKeySource,
  createRemoteKeySource,
  type SigningKeySource,
} from './signing-key-source.js';

/** A response as the signer sees it: status, `Content-Type` and the body. */
export interface SignableResponse {
  readonly status: number;
  /** The `Content-Type` header, if any. */
  readonly contentType: string | undefined;
  /**
   * The body: serialized (`string` or bytes, as it would be sent), a stream (anything
   * async-iterable yielding bytes or strings: read only when the content type is JSON), or an
   * already parsed JSON value (a plain object or an array). `undefined` or `null`: no body.
   */
  readonly body: unknown;
}

/**
 * What to send. Without `body`: the response untouched. With `body`: send it instead — the
 * signed JSON (`signed: true`), or the bytes of a stream body that had to be read to be
 * inspected and held nothing to sign (`signed: false`).
 */
export type ResponseSigningResult =
  | { readonly signed: false; readonly body?: undefined }
  | { readonly signed: false; readonly body: Uint8Array }
  | { readonly signed: true; readonly body: string };

/** Signs selected keys of JSON responses. Made by {@link createResponseSigner}. */
export interface ResponseSigner {
  /** The response keys this signer signs. */
  readonly keysToSign: readonly string[];
  /**
   * Signs a parsed JSON value: returns a copy in which every key of `keysToSign` present at
   * the top level is replaced by its JWS. A value that is not a JSON object, or holds none of
   * the keys, comes back unchanged.
   *
   * @throws ServiceJwtError `configuration_error` (500) when a key to sign holds anything but
   * a JSON object; `keys_unavailable` (503) when the signing key cannot be obtained. Either
   * way nothing is signed.
   */
  signBody(value: unknown): Promise<unknown>;
  /**
   * Applies the response policy, then {@link ResponseSigner.signBody}: statuses outside
   * 200–299, empty bodies and non-JSON content types pass through untouched; a JSON content
   * type whose body does not parse, or a serialized or streamed body over `maxBodyBytes`, is
   * refused (`configuration_error`).
   */
  signResponse(response: SignableResponse): Promise<ResponseSigningResult>;
  /** Obtains the signing key now (fetching a remote set), so a bad set shows at start-up. */
  ready(): Promise<void>;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** `true` for `application/json` and `application/*+json` content types. */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_TYPE.test(contentType.trim());
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

async function signOne(
  claims: Record<string, unknown>,
  key: SigningKey,
  full: boolean,
): Promise<string | FlattenedJWS> {
  const payload = new TextEncoder().encode(JSON.stringify(claims));
  const header = { alg: key.algorithm, kid: key.kid, typ: 'JWT' };
  if (full) return new FlattenedSign(payload).setProtectedHeader(header).sign(key.key);
  return new CompactSign(payload).setProtectedHeader(header).sign(key.key);
}

/**
 * Creates a gateway response signer: for a JSON response, each top-level key named in
 * `keysToSign` whose value is a JSON object is replaced by a JWS over that object (header
 * `alg`, `kid`, `typ: "JWT"`; the payload is the object exactly as the backend sent it, no
 * claim added). A compact JWS by default, the flattened JWS JSON serialization with
 * `full: true` (RFC 7515 §7). The whole response is signed or refused, never half.
 *
 * Keys come from a local JWK set (`keys`: private `RSA`/`EC`/`OKP` JWKs or `oct` secrets of at
 * least 32 bytes) or from `jwkSetUrl` over TLS (`ca`, `fingerprints`, `ciphers`, `timeout`,
 * `https` only unless `allowInsecureHttp`), refetched every `refreshInterval` seconds. A key
 * that fails a check is never used: the signer answers `keys_unavailable` (503).
 *
 * @throws ServiceJwtError `configuration_error` naming the invalid option (a local key set
 * is imported here, so a bad key fails at start-up).
 * @example
 * ```ts
 * const signer = createResponseSigner({
 *   keysToSign: ['access_token', 'refresh_token'],
 *   alg: 'HS256', kid: 'sim2', keys: { keys: [{ kty: 'oct', kid: 'sim2', k: secret }] },
 * });
 * const body = await signer.signBody({ access_token: { sub: 'u1', exp }, exp });
 * ```
 */
export function createResponseSigner(options: ResponseSignerOptions): ResponseSigner {
  const resolved = resolveResponseSignerOptions(options);
  const source: SigningKeySource =
    resolved.keys === undefined ? createRemoteKeySource(resolved) : createLocalKeySource(resolved);
  const { keysToSign, full, maxBodyBytes } = resolved;

  async function signBody(value: unknown): Promise<unknown> {
    if (!isJsonObject(value)) return value;
    const present = keysToSign.filter((name) => Object.hasOwn(value, name));
    if (present.length === 0) return value;
    // Every value is checked before any key is fetched or any signature made.
    for (const name of present) {
      if (!isJsonObject(value[name])) {
        throw new ServiceJwtError(
          'configuration_error',
          `response key "${name}" holds ${describe(value[name])}, not a JSON object; the backend must return the claims to sign as an object`,
        );
      }
    }
    const key = await source.get();
    const signatures = await Promise.all(
      present.map((name) => signOne(value[name] as Record<string, unknown>, key, full)),
    );
    const signed = new Map(present.map((name, index) => [name, signatures[index]]));
    // fromEntries defines own properties, so a "__proto__" key stays an ordinary key.
    return Object.fromEntries(
      Object.entries(value).map(([name, member]) => [
        name,
        signed.has(name) ? signed.get(name) : member,
      ]),
    );
  }

  async function signResponse(response: SignableResponse): Promise<ResponseSigningResult> {
    const { status, contentType, body } = response;
    if (status < 200 || status > 299 || body === undefined || body === null) {
      return { signed: false };
    }
    let value: unknown;
    let streamed: Buffer | undefined;
    if (Array.isArray(body) || isPlainObject(body)) {
      value = body;
    } else if (!isJsonContentType(contentType)) {
      return { signed: false };
    } else if (typeof body === 'string' || body instanceof Uint8Array) {
      const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      if (size > maxBodyBytes) throw tooLarge(maxBodyBytes);
      const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
      if (text.trim() === '') return { signed: false };
      value = parseJsonBody(text);
    } else if (isAsyncIterable(body)) {
      streamed = await readStreamBody(body, maxBodyBytes);
      const text = streamed.toString('utf8');
      value = text.trim() === '' ? undefined : parseJsonBody(text);
    } else {
      throw new ServiceJwtError(
        'configuration_error',
        'a JSON response body must be a string, bytes, a stream or a parsed value to be signed',
      );
    }
    if (!isJsonObject(value) || !keysToSign.some((name) => Object.hasOwn(value, name))) {
      return streamed === undefined ? { signed: false } : { signed: false, body: streamed };
    }
    return { signed: true, body: JSON.stringify(await signBody(value)) };
  }

  return Object.freeze({
    keysToSign,
    signBody,
    signResponse,
    ready: async () => {
      await source.get();
    },
  });
}
