import type { Attributes } from '@opentelemetry/api';
import { ATTRIBUTES } from './attributes.js';

/** The attribute sets recorded for one kind of verification (result, code, issuer). */
export interface VerificationAttributes {
  /** The histogram point's attributes. */
  readonly metric: Attributes;
  /** The span's, by whether the signature check was answered from the verification cache. */
  readonly span: { readonly cached: Attributes; readonly fresh: Attributes };
}

/**
 * The attribute sets of verifications, built once per (issuer, code) and shared, frozen, by
 * every later verification of that kind: a verification then allocates no attribute object.
 * Bounded: issuers are configured ones plus the two buckets, codes core's closed set plus
 * `_OTHER` (`issuerLabel` and `refusalCode` see to both).
 */
export function createVerificationAttributes(): (
  code: string | undefined,
  issuer: string | undefined,
) => VerificationAttributes {
  // issuer ('' when none was readable) → code ('' when accepted) → sets
  const byIssuer = new Map<string, Map<string, VerificationAttributes>>();
  return (code, issuer) => {
    let byCode = byIssuer.get(issuer ?? '');
    if (byCode === undefined) {
      byCode = new Map();
      byIssuer.set(issuer ?? '', byCode);
    }
    let sets = byCode.get(code ?? '');
    if (sets === undefined) {
      sets = build(code, issuer);
      byCode.set(code ?? '', sets);
    }
    return sets;
  };
}

function build(code: string | undefined, issuer: string | undefined): VerificationAttributes {
  const result = code === undefined ? 'accepted' : 'refused';
  const metric: Attributes = { [ATTRIBUTES.result]: result };
  if (code !== undefined) metric[ATTRIBUTES.errorType] = code;
  if (issuer !== undefined) metric[ATTRIBUTES.issuer] = issuer;
  const span = (cached: boolean): Attributes => {
    const attributes: Attributes = { [ATTRIBUTES.result]: result, [ATTRIBUTES.cached]: cached };
    if (code !== undefined) attributes[ATTRIBUTES.code] = code;
    if (issuer !== undefined) attributes[ATTRIBUTES.issuer] = issuer;
    return Object.freeze(attributes);
  };
  return Object.freeze({
    metric: Object.freeze(metric),
    span: Object.freeze({ cached: span(true), fresh: span(false) }),
  });
}
