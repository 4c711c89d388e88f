import { configurationError, tokenMalformed } from '../../errors/refusals.js';
import type { Algorithm } from '../../jws/algorithms.js';
import { readSignerKeys } from '../../signer/key-list.js';
import { createKeyRing } from '../../signer/key-ring.js';
import { isSigningAlgorithm, type PublicJwk } from '../../signer/signing-keys.js';
import type { VerifiedServiceJwt } from '../../verify/result.js';
import { createVerifier } from '../../verify/verifier.js';
import { TXN_TOKEN_TYPE } from '../txn-token.js';

/** Signs Txn-Tokens and checks the ones it signed (for replacement). */
export interface TxnTokenMinter {
  /** Signs `claims` under `typ: txntoken+jwt` with the current key. */
  mint(claims: Readonly<Record<string, unknown>>, exp: number): Promise<string>;
  /** The public keys to publish. */
  jwks(): { keys: PublicJwk[] };
  /**
   * Verifies a Txn-Token this service minted: its signature by one of these keys, `typ`,
   * `iss`, `aud` = the trust domain, not expired (no clock tolerance: an expired original is
   * never replaced), lifetime within the cap, the required claims present.
   */
  verifyOwn(token: string): Promise<VerifiedServiceJwt>;
}

/** Inputs of {@link createTxnTokenMinter}. */
export interface MinterSettings {
  readonly issuer: string;
  readonly trustDomain: string;
  readonly keys: unknown;
  readonly algorithm: Algorithm | undefined;
  readonly lifetime: number;
  readonly maxTokenBytes: number;
  readonly now: () => number;
}

/**
 * Reads the signing keys (any `createSigner` key form but shared secrets) and builds the
 * minter. The keys are fixed for the service's life: rotate by publishing the next key in
 * `keys` (second place) first, then moving it first on the next deployment.
 *
 * @throws ServiceJwtError `configuration_error` naming the key.
 */
export function createTxnTokenMinter(settings: MinterSettings): TxnTokenMinter {
  if (settings.algorithm !== undefined && !isSigningAlgorithm(settings.algorithm)) {
    throw configurationError(
      `algorithm "${String(settings.algorithm)}" is not a supported signing algorithm`,
    );
  }
  const keys = readSignerKeys(settings.keys, settings.algorithm);
  if (keys.some((key) => key.publicJwk === undefined)) {
    throw configurationError(
      'keys must be key pairs, not shared secrets: every workload verifies Txn-Tokens, and a secret would let each of them mint one',
    );
  }
  const ring = createKeyRing(keys, settings.now);
  const publicKeys = ring.publicKeys();
  const verifier = createVerifier({
    issuers: { [settings.issuer]: { keys: { keys: publicKeys } } },
    audience: settings.trustDomain,
    source: false,
    typ: TXN_TOKEN_TYPE,
    clockTolerance: 0,
    maxLifetime: settings.lifetime,
    requiredClaims: ['txn', 'sub', 'scope', 'req_wl', 'iat'],
    maxTokenLength: settings.maxTokenBytes,
    cache: false,
    now: settings.now,
  });
  return {
    async mint(claims, exp) {
      const key = ring.signingKey(exp);
      return key.signCompact(new TextEncoder().encode(JSON.stringify(claims)), TXN_TOKEN_TYPE);
    },
    jwks: () => ({ keys: publicKeys.map((jwk) => ({ ...jwk })) }),
    async verifyOwn(token) {
      const verified = await verifier.verifyToken(token);
      // The verifier compares `typ` loosely (case, `application/` prefix); the draft names one
      // exact value, and this service only ever writes that one.
      if (verified.header.typ !== TXN_TOKEN_TYPE) throw tokenMalformed('typ is not txntoken+jwt');
      return verified;
    },
  };
}
