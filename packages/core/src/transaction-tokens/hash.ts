import { createHash } from 'node:crypto';

/**
 * The name of a Txn-Token wherever one must be identified (a log line, an event, a test that
 * follows a token across hops): the base64url SHA-256, without padding, of its exact bytes.
 * The token itself is a bearer credential for a few minutes and is never written anywhere.
 *
 * @example
 * ```ts
 * logger.info({ txn: transaction.txn, txnTokenHash: transactionTokenHash(token) }, 'forwarded');
 * ```
 */
export function transactionTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
