import { fail, isObject, positive, rejectUnknown } from '../verify/option-checks.js';
import type { BoundKey, HttpSignatureAlgorithm } from './algorithms.js';
import { bindSigningKey, type HttpSigningKeyInput } from './sign-request.js';
import { isSfString } from './structured-fields.js';

/** `httpSignature.signResponse`: the route's answers are signed (RFC 9421 §2.4). */
export interface HttpResponseSigningOptions {
  /** The service's private key (`KeyObject`, PEM or JWK): callers check with its public half. */
  readonly key: HttpSigningKeyInput;
  /** For a plain RSA key: `'rsa-pss-sha512'` or `'rsa-v1_5-sha256'`. @default the key's own */
  readonly algorithm?: HttpSignatureAlgorithm;
  /** Seconds from `created` to `expires`. @default 60 */
  readonly lifetime?: number;
}

/**
 * HTTP Message Signature binding (RFC 9421) of a route, profiled after
 * draft-ietf-wimse-http-signature: the request carries the service JWT as usual and a
 * `Signature`/`Signature-Input` pair that covers `@method`, `@target-uri` (or `@path` and
 * `@query`), the token's header and, when there is a body, a `Content-Digest` (RFC 9530) of
 * the exact body bytes; with `created`, `expires`, `nonce` and `tag` parameters. The nonce is
 * claimed in the route's replay store; the token itself may be reused across requests.
 */
export interface HttpSignatureOptions {
  /**
   * The key that signs the message. `'cnf'`: the key the token confirms in `cnf.jwk`
   * (proof of possession, RFC 7800; the caller holds a key per token). `'issuer'`: the
   * token issuer's own key, the one that verified the token (a simpler profile: no `cnf`,
   * but the issuer's private key signs every request).
   * @default 'cnf'
   */
  readonly key?: 'cnf' | 'issuer';
  /**
   * The `tag` that marks this profile's signature (RFC 9421 §2.3): exactly one signature of
   * a request may carry it. `'wimse-workload-to-workload'` is the WIMSE draft's.
   * @default 'service-jwt'
   */
  readonly tag?: string;
  /** Longest accepted signature lifetime, `expires − created`, in seconds. @default 300 */
  readonly maxAge?: number;
  /**
   * The scheme `@target-uri` and `@scheme` are rebuilt with; the authority comes from the
   * `Host` header. Behind a proxy that ends TLS the service cannot see it. @default 'https'
   */
  readonly scheme?: 'http' | 'https';
  /** Components every signature must also cover, e.g. `['content-type']`. @default [] */
  readonly components?: readonly string[];
  /**
   * Sign every answer of the route to an accepted request with the service's key, tied to
   * the request's signature (see docs/body-and-binding.md, "Signed responses"); adapters add
   * `Signature-Input`, `Signature` and `Content-Digest`. Refusals are not signed.
   * @default undefined (responses are not signed)
   */
  readonly signResponse?: HttpResponseSigningOptions;
}

/** Response signing resolved: the bound key, the lifetime and the route's tag. */
export interface ResolvedResponseSigning {
  readonly bound: BoundKey;
  readonly lifetime: number;
  readonly tag: string;
}

/** A route's HTTP signature policy with every default filled in. */
export interface ResolvedHttpSignature {
  readonly key: 'cnf' | 'issuer';
  readonly tag: string;
  readonly maxAge: number;
  readonly scheme: 'http' | 'https';
  readonly components: readonly string[];
  readonly signResponse: ResolvedResponseSigning | null;
}

const KEYS = new Set(['key', 'tag', 'maxAge', 'scheme', 'components', 'signResponse']);

function resolveSignResponse(
  value: unknown,
  tag: string,
  name: string,
): ResolvedResponseSigning | null {
  if (value === undefined) return null;
  if (!isObject(value)) fail(`${name} must be { key, algorithm?, lifetime? }`);
  rejectUnknown(value, new Set(['key', 'algorithm', 'lifetime']), `${name}: `);
  if (value.key === undefined) fail(`${name}.key is required: the service's private key`);
  const bound = bindSigningKey(
    value.key as HttpSigningKeyInput,
    value.algorithm as HttpSignatureAlgorithm | undefined,
  );
  const lifetime = positive(value.lifetime, `${name}.lifetime`, true) ?? 60;
  return Object.freeze({ bound, lifetime, tag });
}

/**
 * `httpSignature`: `true` (the defaults), an options object, or `false`/absent (the claims
 * binding alone, exactly as before).
 *
 * @throws ServiceJwtError `configuration_error` naming the option
 */
export function resolveHttpSignature(value: unknown, name: string): ResolvedHttpSignature | null {
  if (value === undefined || value === false) return null;
  if (value !== true && !isObject(value)) {
    fail(`${name} must be true, false or an options object`);
  }
  const options = (value === true ? {} : value) as Record<string, unknown>;
  rejectUnknown(options, KEYS, `${name}.`);
  const key = options.key ?? 'cnf';
  if (key !== 'cnf' && key !== 'issuer') fail(`${name}.key must be 'cnf' or 'issuer'`);
  const tag = options.tag ?? 'service-jwt';
  if (typeof tag !== 'string' || tag === '' || !isSfString(tag)) {
    fail(`${name}.tag must be a non-empty string of printable ASCII`);
  }
  const scheme = options.scheme ?? 'https';
  if (scheme !== 'http' && scheme !== 'https') fail(`${name}.scheme must be 'http' or 'https'`);
  const components = options.components ?? [];
  if (
    !Array.isArray(components) ||
    !components.every(
      (c) => typeof c === 'string' && /^(@[a-z-]+|[a-z0-9!#$%&'*+\-.^_`|~]+)$/.test(c),
    )
  ) {
    fail(`${name}.components must be a list of lower-case field names or derived components`);
  }
  return Object.freeze({
    key,
    tag,
    maxAge: positive(options.maxAge, `${name}.maxAge`, true) ?? 300,
    scheme,
    components: Object.freeze([...components]),
    signResponse: resolveSignResponse(options.signResponse, tag, `${name}.signResponse`),
  });
}
