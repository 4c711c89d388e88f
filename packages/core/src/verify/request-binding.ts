import { claimMissing, configurationError, requestBindingMismatch } from '../errors/refusals.js';
import type { ServiceJwtError } from '../errors/service-jwt-error.js';
import { requestTarget } from './request-target.js';
import type { ServiceJwtClaims } from './result.js';

/** Options of {@link checkRequestBinding}; the verifier's resolved `requestBinding` policy. */
export interface RequestBindingCheckOptions {
  /** Both `htm` and `htu` must be present. */
  readonly required: boolean;
  /**
   * A path prefix (`/api`) under which this service is mounted; see {@link checkRequestBinding}
   * for when it is stripped.
   */
  readonly mountPrefix?: string;
}

function mismatch(message: string): ServiceJwtError {
  return requestBindingMismatch(message);
}

function normalizeMountPrefix(prefix: string): string {
  if (
    typeof prefix !== 'string' ||
    prefix.charCodeAt(0) !== 0x2f ||
    /[?#\s]/.test(prefix) ||
    prefix.startsWith('//')
  ) {
    throw configurationError(
      'requestBinding.mountPrefix must be a path starting with "/" (no query, fragment or spaces)',
    );
  }
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

/** `true` when `target` starts with `prefix` at a path-segment boundary. */
function underPrefix(target: string, prefix: string): boolean {
  if (prefix.length === 0 || !target.startsWith(prefix)) return false;
  const next = target.charCodeAt(prefix.length);
  return Number.isNaN(next) || next === 0x2f || next === 0x3f;
}

function stripPrefix(target: string, prefix: string): string {
  const rest = target.slice(prefix.length);
  return rest.charCodeAt(0) === 0x2f ? rest : `/${rest}`;
}

/**
 * Checks the `htm` and `htu` claims against the request (step 5 of the pipeline).
 *
 * Rules:
 * - `htm` equals `request.method` exactly, case-sensitively: methods are case-sensitive
 *   (RFC 9110 §9.1) and neither side is upper-cased, so `post` never matches `POST`. Signers
 *   put the method exactly as it goes on the wire.
 * - `htu` is the request target, path and query byte for byte as sent (no decoding, no
 *   dot-segment or query reordering). An absolute `http:`/`https:` URL is accepted too: its
 *   path and query (taken from the string, not re-serialised by a URL parser) are compared and
 *   its scheme and authority ignored — the audience claim already binds the receiving service,
 *   and the service cannot know the name its callers used. An absolute-form request target is
 *   reduced the same way.
 * - `mountPrefix`: when the `htu` path starts with the prefix (at a segment boundary), the
 *   signer signed the full target and it is compared as is; otherwise the signer signed the
 *   target without the prefix, and the prefix is stripped from the request target before
 *   comparing (`/api/orders?id=1` → `/orders?id=1`; `/api` → `/`).
 *
 * @throws ServiceJwtError `claim_missing` when `required` and `htm` or `htu` is absent;
 *   `request_binding_mismatch` when a present claim differs (or is not a string);
 *   `configuration_error` for a `mountPrefix` that is not a path.
 * @example
 * ```ts
 * checkRequestBinding(claims, { method: 'POST', url: '/orders?id=1' }, { required: true });
 * ```
 */
export function checkRequestBinding(
  claims: ServiceJwtClaims,
  request: { readonly method: string; readonly url: string },
  options: RequestBindingCheckOptions,
): void {
  const { htm, htu } = claims;
  if (options.required) {
    if (htm === undefined) throw claimMissing('htm');
    if (htu === undefined) throw claimMissing('htu');
  }
  const prefix = options.mountPrefix === undefined ? '' : normalizeMountPrefix(options.mountPrefix);

  if (htm !== undefined && (typeof htm !== 'string' || htm !== request.method)) {
    throw mismatch('htm does not match the request method');
  }
  if (htu === undefined) return;
  if (typeof htu !== 'string') throw mismatch('htu does not match the request target');

  const signed = requestTarget(htu);
  if (signed === undefined) throw mismatch('htu does not match the request target');
  let target = requestTarget(request.url) ?? request.url;
  if (prefix.length > 0 && !underPrefix(signed, prefix) && underPrefix(target, prefix)) {
    target = stripPrefix(target, prefix);
  }
  if (signed !== target) throw mismatch('htu does not match the request target');
}
