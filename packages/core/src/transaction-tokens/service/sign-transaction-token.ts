import { randomUUID } from 'node:crypto';
import { isServiceJwtError } from '../../errors/service-jwt-error.js';
import type { PendingClaims } from './minted-claims.js';
import type { ResolvedServiceOptions } from './options.js';
import { REQUESTER_CHAIN_CLAIM } from './replacement.js';
import { refuse } from './token-endpoint-response.js';
import type { TxnTokenMinter } from './txn-token-minter.js';

/**
 * Stamps and signs a Txn-Token (draft-ietf-oauth-transaction-tokens-10 §"Txn-Token Request
 * Processing"): `iss`, `aud` = the trust domain, `iat` now, `exp` = `iat` + lifetime, `txn`
 * (carried over, or a fresh UUID), `sub`, `scope`, `req_wl`, and `tctx`, `rctx` and the
 * requester chain when there are any. A token over `maxTokenBytes` is refused, so that every
 * workload's verifier can read what is minted; a remote key out of reach is a 503.
 */
export async function signTransactionToken(
  options: ResolvedServiceOptions,
  minter: TxnTokenMinter,
  pending: PendingClaims,
): Promise<{ token: string; txn: string }> {
  const iat = Math.floor(options.now() / 1000);
  const exp = iat + options.lifetime;
  const txn = pending.txn ?? randomUUID();
  const claims: Record<string, unknown> = {
    iss: options.issuer,
    aud: options.trustDomain,
    iat,
    exp,
    txn,
    sub: pending.sub,
    scope: pending.scope.join(' '),
    req_wl: pending.workload,
  };
  if (pending.tctx !== undefined) claims.tctx = pending.tctx;
  if (pending.rctx !== undefined) claims.rctx = pending.rctx;
  if (pending.chain !== undefined) claims[REQUESTER_CHAIN_CLAIM] = pending.chain;
  let token: string;
  try {
    token = await minter.mint(claims, exp);
  } catch (err) {
    if (isServiceJwtError(err) && err.status === 503) {
      refuse('temporarily_unavailable', 'the signing key is out of reach', { cause: err });
    }
    throw err;
  }
  if (token.length > options.maxTokenBytes) {
    refuse(
      'invalid_request',
      `the transaction's context makes the Txn-Token larger than ${options.maxTokenBytes} bytes`,
    );
  }
  return { token, txn };
}
