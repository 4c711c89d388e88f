import type { RevocationReason, RevocationSubject } from '@service-jwt/core';
import { type RevocationKind, revocationField } from './revocation-layout.js';

/** What the revocation rules say about one token, from the mirror or from Redis. */
export interface RevocationFacts {
  /** Expiry of a revoked jti, if any. */
  readonly jtiUntil: number | undefined;
  readonly subjectBefore: number | undefined;
  readonly issuerBefore: number | undefined;
  readonly kidRevoked: boolean;
}

function issuedBefore(token: RevocationSubject, before: number | undefined): boolean {
  if (before === undefined) return false;
  // A token without `iat` can't prove it was issued after the cut-off: fail closed.
  // `iat` has one-second resolution: a token minted in the second of the cut-off is revoked too,
  // as core's in-memory list does.
  return token.issuedAt === undefined || token.issuedAt <= before;
}

/** Applies the rules in core's in-memory order: kid, issuer, subject, jti. */
export function decide(
  token: RevocationSubject,
  facts: RevocationFacts,
  nowSeconds: number,
): RevocationReason | undefined {
  if (facts.kidRevoked) return 'kid';
  if (issuedBefore(token, facts.issuerBefore)) return 'issuer';
  if (issuedBefore(token, facts.subjectBefore)) return 'subject';
  if (facts.jtiUntil !== undefined && facts.jtiUntil > nowSeconds) return 'jti';
  return undefined;
}

/** The fields under which a token's revocations are stored (see revocation-layout.ts). */
export function tokenFields(token: RevocationSubject) {
  return {
    jti: token.jti === undefined ? '' : revocationField('j', token.issuer, token.jti),
    subject: token.subject === undefined ? '' : revocationField('s', token.issuer, token.subject),
    issuer: revocationField('i', token.issuer),
    kid: token.kid === undefined ? '' : revocationField('k', token.issuer, token.kid),
  };
}

/**
 * The in-process copy of the revocations: one map from kind + field to a number (jti expiry or
 * issued-before time; 0 for key ids). Lookups are O(1) and synchronous.
 */
export interface RevocationMirror {
  readonly size: number;
  apply(kind: RevocationKind, field: string, value: number): void;
  clear(): void;
  /** Drops revoked jtis whose token has expired. */
  sweep(nowSeconds: number): void;
  facts(token: RevocationSubject): RevocationFacts;
}

export function createRevocationMirror(): RevocationMirror {
  const entries = new Map<string, number>();
  const get = (kind: RevocationKind, field: string) =>
    field === '' ? undefined : entries.get(kind + field);
  return {
    get size() {
      return entries.size;
    },
    apply(kind, field, value) {
      const key = kind + field;
      const current = entries.get(key);
      if (current === undefined || current < value) entries.set(key, value);
    },
    clear() {
      entries.clear();
    },
    sweep(nowSeconds) {
      for (const [key, value] of entries) {
        if (key.charCodeAt(0) === 106 /* j */ && value <= nowSeconds) entries.delete(key);
      }
    },
    facts(token) {
      const fields = tokenFields(token);
      return {
        jtiUntil: get('j', fields.jti),
        subjectBefore: get('s', fields.subject),
        issuerBefore: get('i', fields.issuer),
        kidRevoked: get('k', fields.kid) !== undefined,
      };
    },
  };
}
