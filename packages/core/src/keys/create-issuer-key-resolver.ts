import { rejectUnknownOptions } from '../errors/option-names.js';
import { configurationError } from '../errors/refusals.js';
import type { Algorithm } from '../jws/algorithms.js';
import { isAlgorithm, isHmac } from '../jws/algorithms.js';
import type { IssuerKeys } from '../verify/options.js';
import { createDiscoveryLoader, discoveryUrl } from './discovery.js';
import {
  checkAgent,
  DEFAULT_FETCH_TIMEOUT,
  DEFAULT_MAX_RESPONSE_BYTES,
  type FetchJsonOptions,
  fetchJson,
  parseFingerprint,
} from './fetch-key-set.js';
import { importPublicKey } from './key-import.js';
import type { KeyInput } from './key-input.js';
import type { IssuerKeyResolver, KeyImportContext } from './key-resolver.js';
import type { KeySetStateChange } from './key-set-status.js';
import {
  createStaticKeyResolver,
  holdsSecrets,
  indexKeys,
  type KeyIndex,
  loadLocalKeySet,
} from './local-key-set.js';
import { createRemoteKeyResolver, type RemoteKeySetPolicy } from './remote-key-set.js';
import { importSecret } from './secret-key.js';

/** Options of {@link createIssuerKeyResolver}. */
export interface IssuerKeyResolverOptions {
  /** The effective allow-list for this issuer (intersected with the issuer's own `algorithms`). */
  readonly algorithms: readonly Algorithm[];
  /** How error messages name the issuer's options, e.g. `issuers["https://a"]`. */
  readonly optionPath: string;
  /** Clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Told once per change of a remote set's state (for logs), never per request. */
  readonly onStateChange?: (change: KeySetStateChange) => void;
}

const SOURCES = ['publicKey', 'keys', 'jwksUri', 'discovery', 'secret'] as const;
type Source = (typeof SOURCES)[number];
const REMOTE_OPTIONS = [
  'agent',
  'timeout',
  'cacheMaxAge',
  'cooldown',
  'staleMaxAge',
  'allowInsecureHttp',
  'ca',
  'fingerprints',
  'ciphers',
  'maxResponseBytes',
  'maxKeys',
];

// Said of a remote option on a local issuer, where no name is close to the one given.
const ONLY_REMOTE = Object.fromEntries(
  REMOTE_OPTIONS.map((name) => [name, 'it applies to jwksUri and discovery issuers only']),
);

/**
 * Which of the five forms an issuer's configuration takes, after refusing two forms at once,
 * none, and any member the form does not have (with the name most likely meant:
 * `jwksUrl` → `jwksUri`).
 */
function issuerForm(raw: Options, path: string): Source {
  const present = SOURCES.filter((name) => raw[name] !== undefined);
  const every = ['algorithms', ...SOURCES, ...REMOTE_OPTIONS];
  const of = ' of this issuer form';
  if (present.length > 1) {
    throw configurationError(
      `${path} sets ${present.join(' and ')}: an issuer takes exactly one of ${SOURCES.join(', ')}`,
    );
  }
  if (present.length === 0) {
    rejectUnknownOptions(raw, every, { path: `${path}.`, of });
    throw configurationError(`${path} needs one of ${SOURCES.join(', ')}`);
  }
  const source = present[0] as Source;
  const remote = source === 'jwksUri' || source === 'discovery';
  rejectUnknownOptions(raw, ['algorithms', source, ...(remote ? REMOTE_OPTIONS : [])], {
    path: `${path}.`,
    of,
    ...(remote ? {} : { elsewhere: ONLY_REMOTE }),
  });
  return source;
}

/** Defaults of the remote key set options (seconds, except `timeout` in milliseconds). */
export const REMOTE_KEY_SET_DEFAULTS = Object.freeze({
  timeout: DEFAULT_FETCH_TIMEOUT,
  cacheMaxAge: 600,
  cooldown: 30,
  staleMaxAge: 3600,
  maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
  maxKeys: 100,
});

type Options = Record<string, unknown>;

function number(
  config: Options,
  name: string,
  path: string,
  fallback: number,
  integer = false,
): number {
  const value = config[name];
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw configurationError(
      `${path}.${name} must be a non-negative finite ${integer ? 'integer' : 'number'}`,
    );
  }
  return value;
}

function positive(
  config: Options,
  name: string,
  path: string,
  fallback: number,
  integer = false,
): number {
  const value = number(config, name, path, fallback, integer);
  if (value === 0) throw configurationError(`${path}.${name} must be greater than 0`);
  return value;
}

function checkUrl(value: unknown, path: string, allowHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch (err) {
    throw configurationError(`${path} must be an absolute URL`, err);
  }
  if (
    typeof value !== 'string' ||
    !(url.protocol === 'https:' || (allowHttp && url.protocol === 'http:'))
  ) {
    throw configurationError(`${path} must be an https: URL (http: needs allowInsecureHttp: true)`);
  }
  return value;
}

function fetchOptions(
  config: Options,
  path: string,
): FetchJsonOptions & { allowInsecureHttp: boolean } {
  const allowInsecureHttp = config.allowInsecureHttp ?? false;
  if (typeof allowInsecureHttp !== 'boolean')
    throw configurationError(`${path}.allowInsecureHttp must be a boolean`);
  const { ca, fingerprints, ciphers } = config;
  const isPem = (v: unknown): boolean => typeof v === 'string' || Buffer.isBuffer(v);
  if (ca !== undefined && !(isPem(ca) || (Array.isArray(ca) && ca.length > 0 && ca.every(isPem)))) {
    throw configurationError(`${path}.ca must be PEM text, a Buffer, or an array of them`);
  }
  if (fingerprints !== undefined) {
    if (!Array.isArray(fingerprints) || fingerprints.length === 0) {
      throw configurationError(`${path}.fingerprints must be a non-empty array`);
    }
    fingerprints.forEach((fp, i) => {
      if (typeof fp !== 'string' || parseFingerprint(fp) === undefined) {
        throw configurationError(
          `${path}.fingerprints[${i}] must be a SHA-256 fingerprint in hex or base64`,
        );
      }
    });
  }
  if (ciphers !== undefined && (typeof ciphers !== 'string' || ciphers === '')) {
    throw configurationError(`${path}.ciphers must be a non-empty OpenSSL cipher list`);
  }
  const agent = checkAgent(config.agent, `${path}.agent`);
  return {
    allowInsecureHttp,
    timeout: positive(config, 'timeout', path, REMOTE_KEY_SET_DEFAULTS.timeout),
    maxResponseBytes: positive(
      config,
      'maxResponseBytes',
      path,
      REMOTE_KEY_SET_DEFAULTS.maxResponseBytes,
      true,
    ),
    ...(ca === undefined ? {} : { ca: ca as FetchJsonOptions['ca'] }),
    ...(fingerprints === undefined ? {} : { fingerprints: fingerprints as string[] }),
    ...(ciphers === undefined ? {} : { ciphers: ciphers as string }),
    ...(agent === undefined ? {} : { agent }),
  };
}

function policy(config: Options, path: string): RemoteKeySetPolicy {
  return {
    cacheMaxAge: number(config, 'cacheMaxAge', path, REMOTE_KEY_SET_DEFAULTS.cacheMaxAge),
    cooldown: number(config, 'cooldown', path, REMOTE_KEY_SET_DEFAULTS.cooldown),
    staleMaxAge: number(config, 'staleMaxAge', path, REMOTE_KEY_SET_DEFAULTS.staleMaxAge),
    maxKeys: positive(config, 'maxKeys', path, REMOTE_KEY_SET_DEFAULTS.maxKeys, true),
  };
}

function effectiveAlgorithms(
  config: Options,
  secret: boolean,
  options: IssuerKeyResolverOptions,
): Algorithm[] {
  const path = options.optionPath;
  const own = config.algorithms;
  if (own !== undefined) {
    if (!Array.isArray(own) || own.length === 0 || !own.every(isAlgorithm)) {
      throw configurationError(
        `${path}.algorithms must be a non-empty array of supported JWS algorithms`,
      );
    }
    if (own.some((alg) => isHmac(alg) !== secret)) {
      throw configurationError(
        secret
          ? `${path}.algorithms: a secret issuer accepts HS256, HS384 and HS512 only`
          : `${path}.algorithms: HS256/384/512 need a "secret" issuer or "keys" of kty "oct"`,
      );
    }
  }
  const allowed = options.algorithms.filter(
    (alg) => isHmac(alg) === secret && (own === undefined || (own as string[]).includes(alg)),
  );
  if (allowed.length === 0) {
    throw configurationError(
      `${path}.algorithms: no allowed algorithm fits a ${secret ? 'shared-secret' : 'public key'} issuer`,
    );
  }
  return allowed;
}

/**
 * Builds the key source of one trusted issuer from its configuration: a local public key, a
 * local JWK set, a JWKS URL, OIDC discovery, or a shared secret. Validates the whole
 * configuration and every local key now; each key is bound to exactly one algorithm.
 *
 * Throws `configuration_error` naming the option (e.g. `issuers["https://a"].jwksUri`).
 * The resolver throws or rejects with `algorithm_not_allowed`, `key_not_found` or
 * `keys_unavailable` (503). See `docs/keys.md`.
 *
 * @example
 * ```ts
 * const resolver = createIssuerKeyResolver('https://a', { jwksUri: 'https://a/jwks.json' }, {
 *   algorithms: ['RS256', 'ES256'], optionPath: 'issuers["https://a"]',
 * });
 * const key = await resolver.resolve({ alg: 'RS256', kid: 'k1' });
 * ```
 */
export function createIssuerKeyResolver(
  issuer: string,
  config: IssuerKeys,
  options: IssuerKeyResolverOptions,
): IssuerKeyResolver {
  const path = options.optionPath;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw configurationError(`${path} must be an object`);
  }
  const raw = config as unknown as Options;
  const source = issuerForm(raw, path);
  const symmetric =
    source === 'secret' || (source === 'keys' && holdsSecrets(raw.keys, `${path}.keys`));
  const ctx: KeyImportContext = {
    algorithms: effectiveAlgorithms(raw, symmetric, options),
    optionPath: `${path}.${source}`,
    allowSymmetric: symmetric,
  };
  const now = options.now ?? Date.now;

  switch (source) {
    case 'secret':
      return createStaticKeyResolver(
        indexKeys([importSecret(raw.secret, ctx)]) as KeyIndex,
        'secret',
      );
    case 'publicKey':
      return createStaticKeyResolver(
        indexKeys([importPublicKey(raw.publicKey as KeyInput, ctx)]) as KeyIndex,
      );
    case 'keys':
      return createStaticKeyResolver(loadLocalKeySet(raw.keys, ctx));
    default: {
      const fetch = fetchOptions(raw, path);
      let load: (signal: AbortSignal) => Promise<unknown>;
      let url: string;
      if (source === 'jwksUri') {
        url = checkUrl(raw.jwksUri, ctx.optionPath, fetch.allowInsecureHttp);
        load = (signal) => fetchJson(url, { ...fetch, signal });
      } else {
        if (raw.discovery !== true) throw configurationError(`${path}.discovery must be true`);
        checkUrl(issuer, `${path} (the issuer URL used for discovery)`, fetch.allowInsecureHttp);
        url = discoveryUrl(issuer);
        load = createDiscoveryLoader(issuer, fetch);
      }
      return createRemoteKeyResolver({
        ...policy(raw, path),
        load,
        context: ctx,
        now,
        issuer,
        url,
        source: source === 'jwksUri' ? 'jwks' : 'discovery',
        ...(options.onStateChange === undefined ? {} : { onStateChange: options.onStateChange }),
      });
    }
  }
}
