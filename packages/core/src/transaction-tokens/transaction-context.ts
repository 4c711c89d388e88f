import { AsyncLocalStorage } from 'node:async_hooks';
import type { VerifiedTransactionToken } from './txn-token.js';

// The verified Txn-Token of the request being handled, carried through every asynchronous
// step of its handler by AsyncLocalStorage. Adapters enter it only for a request that carries
// one, so routes that ignore Txn-Tokens never touch the storage.

const storage = new AsyncLocalStorage<VerifiedTransactionToken>();

/**
 * The verified Txn-Token of the request being handled, or `undefined` outside a request
 * that carried one (another request, start-up code, a timer set outside any request).
 * `createServiceFetch` reads it to forward the token; application code reads `txn`, `subject`
 * or `scopes` from it.
 *
 * Work scheduled while the request is handled (a promise, a timer, an event listener added
 * then) stays in the transaction, as AsyncLocalStorage does; run detached background work
 * through {@link outsideTransaction}.
 *
 * @example
 * ```ts
 * app.get('/orders', (req, res) => {
 *   const transaction = currentTransaction();
 *   res.json({ user: transaction?.subject, txn: transaction?.txn });
 * });
 * ```
 */
export function currentTransaction(): VerifiedTransactionToken | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` outside any transaction: what it calls, schedules or fetches carries no Txn-Token.
 * For a job the handler starts that outlives the request or is not part of its transaction.
 *
 * @example
 * ```ts
 * outsideTransaction(() => setInterval(refreshPrices, 60_000));
 * ```
 */
export function outsideTransaction<R>(fn: () => R): R {
  return storage.exit(fn);
}

/**
 * For adapters: runs the rest of the request (the handler, `next()`) with the verified
 * Txn-Token of `verified` as {@link currentTransaction}, and calls `fn` directly, with no
 * storage at all, when the request carries none.
 *
 * @example
 * ```ts
 * req.serviceJwt = verified;
 * runInTransaction(verified, next);
 * ```
 */
export function runInTransaction<R>(
  verified: { readonly transaction?: VerifiedTransactionToken | undefined },
  fn: () => R,
): R {
  const transaction = verified.transaction;
  return transaction === undefined ? fn() : storage.run(transaction, fn);
}
