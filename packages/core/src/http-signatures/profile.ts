import {
  contentDigestMissing,
  httpSignatureExpired,
  httpSignatureInsufficient,
  httpSignatureMalformed,
  httpSignatureMissing,
} from '../errors/refusals.js';
import type { HeadersLike } from '../verify/request.js';
import type { ResolvedHttpSignature } from './options.js';
import { checkComponent } from './signature-base.js';
import {
  isInnerList,
  type Parameters,
  parseDictionary,
  type SfItem,
  type SfLimits,
  serializeItem,
} from './structured-fields.js';

// The profile's rules over the parsed fields: which signature is ours (by tag, never by
// label), what it must cover, and which parameters it must carry.

/** Longest Signature-Input or Signature field read, in characters, before any parsing. */
export const MAX_FIELD_LENGTH = 8192;
/** Most signatures, covered components and parameters one request may carry. */
export const FIELD_LIMITS: SfLimits = { members: 8, items: 24, params: 12 };
/** Longest accepted nonce, like a `jti`. */
export const MAX_NONCE_LENGTH = 128;

/** The signature of the profile, taken from a request's fields. */
export interface SelectedSignature {
  readonly components: readonly SfItem[];
  readonly params: Parameters;
  readonly signature: Uint8Array;
}

function field(headers: HeadersLike, name: string): string | readonly string[] | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  const length = typeof value === 'string' ? value.length : value.join(', ').length;
  if (length > MAX_FIELD_LENGTH) {
    throw httpSignatureMalformed(`${name} exceeds ${MAX_FIELD_LENGTH} characters`);
  }
  return value;
}

/**
 * Finds the one signature whose `tag` is the profile's (RFC 9421 §7.2.5: by tag, not by
 * label) and its value in `Signature`.
 *
 * @throws ServiceJwtError `http_signature_missing` (no fields, or no signature with the tag),
 *   `http_signature_malformed` (syntax, bounds, two signatures with the tag, a label without
 *   its signature)
 */
export function selectSignature(
  headers: HeadersLike,
  policy: Pick<ResolvedHttpSignature, 'tag'>,
): SelectedSignature {
  const input = field(headers, 'signature-input');
  const signatures = field(headers, 'signature');
  if (input === undefined || signatures === undefined) throw httpSignatureMissing();
  const inputs = parseDictionary(input, 'Signature-Input', FIELD_LIMITS);
  let label: string | undefined;
  for (const [name, member] of inputs) {
    if (!isInnerList(member)) throw httpSignatureMalformed('Signature-Input member is not a list');
    if (member.params.get('tag') !== policy.tag) continue;
    if (label !== undefined) {
      throw httpSignatureMalformed('more than one signature carries the profile tag');
    }
    label = name;
  }
  if (label === undefined) {
    throw httpSignatureMissing('no HTTP message signature carries the profile tag');
  }
  const chosen = inputs.get(label) as { items: readonly SfItem[]; params: Parameters };
  const value = parseDictionary(signatures, 'Signature', FIELD_LIMITS).get(label);
  if (value === undefined || isInnerList(value) || !(value.value instanceof Uint8Array)) {
    throw httpSignatureMalformed('Signature has no byte sequence for the tagged label');
  }
  return { components: chosen.items, params: chosen.params, signature: value.value };
}

/** The parameters the profile requires, read and typed. */
export interface SignatureParams {
  readonly created: number;
  readonly expires: number;
  readonly nonce: string;
  readonly alg: string | undefined;
}

function integer(params: Parameters, name: string): number {
  const value = params.get(name);
  if (value === undefined)
    throw httpSignatureInsufficient(`signature lacks the "${name}" parameter`);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw httpSignatureMalformed(`signature parameter "${name}" must be a non-negative integer`);
  }
  return value;
}

function text(params: Parameters, name: string): string | undefined {
  const value = params.get(name);
  if (value !== undefined && typeof value !== 'string') {
    throw httpSignatureMalformed(`signature parameter "${name}" must be a string`);
  }
  return value;
}

/**
 * Reads `created`, `expires`, `nonce` (and `alg`, `keyid` types) and checks the time window:
 * `created` not in the future and `expires` not past (each within `clockTolerance` seconds),
 * and a lifetime of at most `maxAge`. Other parameters are covered by the signature and
 * otherwise ignored.
 *
 * @throws ServiceJwtError `http_signature_insufficient`, `http_signature_malformed`,
 *   `http_signature_expired`
 */
export function checkParams(
  params: Parameters,
  policy: ResolvedHttpSignature,
  now: number,
  clockTolerance: number,
): SignatureParams {
  const created = integer(params, 'created');
  const expires = integer(params, 'expires');
  const nonce = text(params, 'nonce');
  if (nonce === undefined) throw httpSignatureInsufficient('signature lacks the "nonce" parameter');
  if (nonce.length === 0 || nonce.length > MAX_NONCE_LENGTH) {
    throw httpSignatureMalformed(`signature nonce must have 1 to ${MAX_NONCE_LENGTH} characters`);
  }
  const alg = text(params, 'alg');
  text(params, 'keyid');
  if (expires <= created) throw httpSignatureMalformed('signature expires before it is created');
  if (expires - created > policy.maxAge) {
    throw httpSignatureExpired(`signature lifetime exceeds ${policy.maxAge} s`);
  }
  if (created > now + clockTolerance) throw httpSignatureExpired('signature is not valid yet');
  if (expires < now - clockTolerance) throw httpSignatureExpired('signature has expired');
  return { created, expires, nonce, alg };
}

/** What a request must let the signature cover. */
export interface CoverageNeeds {
  /** The header the token travels in (`authorization` by default). */
  readonly tokenHeader: string;
  /** The request has a body (or a Content-Digest): `content-digest` must be covered. */
  readonly body: boolean;
}

/**
 * Checks the covered components: each one well-formed and listed once (RFC 9421 §2.5), and
 * together covering `@method`, `@target-uri` or both `@path` and `@query`, the token's header,
 * the route's extra components, and `content-digest` when there is a body.
 *
 * @throws ServiceJwtError `http_signature_malformed`, `http_signature_insufficient`,
 *   `content_digest_missing`
 */
export function checkCoverage(
  components: readonly SfItem[],
  policy: ResolvedHttpSignature,
  needs: CoverageNeeds,
): void {
  const seen = new Set<string>();
  const names = new Set<string>();
  for (const component of components) {
    names.add(checkComponent(component, false));
    const id = serializeItem(component);
    if (seen.has(id)) throw httpSignatureMalformed(`covered component ${id} is listed twice`);
    seen.add(id);
  }
  const lacks = (what: string) => httpSignatureInsufficient(`signature does not cover ${what}`);
  if (!names.has('@method')) throw lacks('@method');
  if (!names.has('@target-uri') && !(names.has('@path') && names.has('@query'))) {
    throw lacks('@target-uri, or @path and @query');
  }
  if (!names.has(needs.tokenHeader)) throw lacks(needs.tokenHeader);
  for (const name of policy.components) if (!names.has(name)) throw lacks(name);
  if (needs.body && !names.has('content-digest')) {
    throw contentDigestMissing('a request with a body needs a covered Content-Digest');
  }
}
