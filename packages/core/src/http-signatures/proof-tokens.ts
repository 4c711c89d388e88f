import { generateKeyPairSync } from 'node:crypto';
import type { ServiceJwtSigner } from '../signer/signer.js';
import { renewalLead } from '../signer/token-cache.js';
import type { BoundKey } from './algorithms.js';

// The caller's side of the `cnf` profile: a token that confirms a proof key (RFC 7800
// `cnf.jwk`) and the private half that signs each request. The key lives only in memory, with
// its token; both are renewed together ahead of the token's expiry.

/** A token and the proof key it confirms. */
export interface ProofToken {
  readonly token: string;
  readonly key: BoundKey;
}

interface Entry {
  readonly promise: Promise<ProofToken>;
  renewAt: number;
}

function claimsOf(token: string): { iat?: number; exp?: number } {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    iat?: number;
    exp?: number;
  };
}

/**
 * Proof tokens for one audience, one per subject: an Ed25519 key pair made for each token
 * (cheap to make, and the fastest RFC 9421 signature to check), its public JWK in `cnf`.
 * Concurrent callers share one signing; a failed signing is not kept.
 */
export function createProofTokens(
  signer: Pick<ServiceJwtSigner, 'sign'>,
  audience: string,
  nowSeconds: () => number,
) {
  const entries = new Map<string, Entry>();
  async function mint(subject: string | undefined): Promise<ProofToken> {
    const pair = generateKeyPairSync('ed25519');
    const jwk = pair.publicKey.export({ format: 'jwk' });
    const token = await signer.sign(
      { cnf: { jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x } } },
      { audience, ...(subject === undefined ? {} : { subject }) },
    );
    return { token, key: { key: pair.privateKey, algorithm: 'ed25519' } };
  }
  return {
    get(subject: string | undefined): Promise<ProofToken> {
      const cacheKey = subject ?? '';
      const existing = entries.get(cacheKey);
      if (existing !== undefined && nowSeconds() < existing.renewAt) return existing.promise;
      const entry: Entry = { promise: mint(subject), renewAt: Number.POSITIVE_INFINITY };
      entries.set(cacheKey, entry);
      entry.promise.then(
        ({ token }) => {
          const { iat, exp } = claimsOf(token);
          entry.renewAt =
            typeof iat === 'number' && typeof exp === 'number'
              ? exp - renewalLead(exp - iat)
              : nowSeconds();
        },
        () => {
          if (entries.get(cacheKey) === entry) entries.delete(cacheKey);
        },
      );
      return entry.promise;
    },
  };
}
