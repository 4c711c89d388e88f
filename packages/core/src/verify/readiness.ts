import { configurationError, keysUnavailable } from '../errors/refusals.js';
import type { IssuerKeyResolver, KeySetHealth } from '../keys/key-resolver.js';
import type { ReadyOptions, VerifierHealth } from './verifier-interface.js';
import type { VerifierState } from './verifier-state.js';

const DEFAULT_READY_TIMEOUT = 10_000;

function timeoutOf(options: ReadyOptions | undefined): number {
  const timeout = options?.timeout ?? DEFAULT_READY_TIMEOUT;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
    throw configurationError('ready({ timeout }) must be a positive number of milliseconds');
  }
  return timeout;
}

/**
 * Fetches every remote key set now and waits, at most `timeout`, until each issuer has usable
 * keys. A failure names every issuer that failed; the causes (fetch failures: URL, errno,
 * status) stay in `cause`, never in the caller-facing message.
 */
export async function whenReady(state: VerifierState, options?: ReadyOptions): Promise<void> {
  const timeout = timeoutOf(options);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  timer.unref();
  try {
    // The token services' keys too: a Txn-Token is verified on the same requests.
    const issuers = [...state.resolvers, ...(state.transaction?.resolvers ?? [])];
    const outcomes = await Promise.allSettled(
      issuers.map(([, resolver]) => resolver.ready(controller.signal)),
    );
    const failed = issuers.flatMap(([issuer], i) => {
      const outcome = outcomes[i];
      return outcome?.status === 'rejected' ? [{ issuer, cause: outcome.reason as unknown }] : [];
    });
    if (failed.length === 0) return;
    const names = failed.map(({ issuer }) => JSON.stringify(issuer)).join(', ');
    const cause =
      failed.length === 1
        ? failed[0]?.cause
        : new AggregateError(
            failed.map(({ cause }) => cause),
            `the key sets of ${names} cannot be fetched`,
          );
    throw keysUnavailable(`no usable keys within ${timeout} ms for issuer(s) ${names}`, {
      cause,
    });
  } finally {
    clearTimeout(timer);
  }
}

/** Every issuer's key-set health and the verifier's overall status. */
export function healthOf(state: VerifierState): VerifierHealth {
  let status: VerifierHealth['status'] = 'ok';
  const collect = (resolvers: ReadonlyMap<string, IssuerKeyResolver>) => {
    const out: Record<string, KeySetHealth> = {};
    for (const [issuer, resolver] of resolvers) {
      const health = resolver.health();
      out[issuer] = health;
      if (health.state === 'cold' || health.state === 'unavailable') status = 'unavailable';
      else if (health.state === 'stale' && status === 'ok') status = 'degraded';
    }
    return Object.freeze(out);
  };
  const issuers = collect(state.resolvers);
  if (state.transaction === null) return Object.freeze({ status, issuers });
  const tokenServices = collect(state.transaction.resolvers);
  return Object.freeze({ status, issuers, tokenServices });
}
