import { isServiceJwtError } from '../errors/service-jwt-error.js';
import {
  keySetCooldownChannel,
  keySetFetchChannel,
  keySetStaleChannel,
} from '../observability/channels.js';
import { isErrorLike } from '../observability/logger.js';
import type { KeySetHealth } from './key-resolver.js';

type RemoteState = 'cold' | 'fresh' | 'stale' | 'unavailable';

/** A change of a remote key set's state, for a log line (not per request). */
export interface KeySetStateChange {
  readonly issuer: string;
  readonly url: string;
  readonly from: RemoteState;
  readonly to: RemoteState;
  /** The failure that caused it, when it is one. */
  readonly error: unknown;
}

/** What a remote key set reports about itself: state, events and its health snapshot. */
export interface KeySetStatus {
  readonly state: RemoteState;
  fetched(startedAt: number, keyCount: number): void;
  failed(
    startedAt: number,
    error: unknown,
    keyCount: number,
    usable: 'fresh' | 'stale' | 'none',
  ): void;
  servedStale(fetchedAt: number): void;
  heldBack(retryAt: number): void;
  health(keyCount: number, nextRefresh: number | undefined): KeySetHealth;
}

const iso = (ms: number): string => new Date(ms).toISOString();

// The errno or HTTP status of a failed fetch, from the chain fetchJson builds (our own
// errors in the chain carry a `status` too: the 503 we answer, not what the server said).
function failureFacts(error: unknown): { httpStatus?: number; errno?: string } {
  for (let cause = error, depth = 0; isErrorLike(cause) && depth < 5; depth++) {
    if (!isServiceJwtError(cause)) {
      const { code, status } = cause as { code?: unknown; status?: unknown };
      if (typeof status === 'number') return { httpStatus: status };
      if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return { errno: code };
    }
    cause = cause.cause;
  }
  return {};
}

function describe(error: unknown): string {
  const messages: string[] = [];
  for (let cause = error, depth = 0; isErrorLike(cause) && depth < 4; depth++) {
    messages.push(cause.message);
    cause = cause.cause;
  }
  return messages.join(': ') || String(error);
}

/**
 * Tracks one remote key set for operators: publishes the key-set events (only when someone
 * subscribes), keeps the last success and failure for `health()`, and reports each change of
 * state once, so a set that goes unavailable is logged once, not on every request.
 */
export function createKeySetStatus(options: {
  readonly issuer: string;
  readonly url: string;
  readonly source: 'jwks' | 'discovery';
  readonly now: () => number;
  readonly onChange: ((change: KeySetStateChange) => void) | undefined;
}): KeySetStatus {
  const { issuer, url, now } = options;
  let state: RemoteState = 'cold';
  let lastSuccess: number | undefined;
  let lastError: { at: number; message: string } | undefined;

  const become = (to: RemoteState, error: unknown): void => {
    if (to === state) return;
    const from = state;
    state = to;
    options.onChange?.({ issuer, url, from, to, error });
  };

  return {
    get state() {
      return state;
    },
    fetched(startedAt, keyCount) {
      lastSuccess = now();
      if (keySetFetchChannel.hasSubscribers) {
        keySetFetchChannel.publish({
          issuer,
          url,
          outcome: 'fetched',
          httpStatus: 200,
          errno: undefined,
          error: undefined,
          durationMs: performance.now() - startedAt,
          keyCount,
        });
      }
      become('fresh', undefined);
    },
    failed(startedAt, error, keyCount, usable) {
      lastError = { at: now(), message: describe(error) };
      if (keySetFetchChannel.hasSubscribers) {
        keySetFetchChannel.publish({
          issuer,
          url,
          outcome: 'failed',
          httpStatus: undefined,
          errno: undefined,
          ...failureFacts(error),
          error: lastError.message,
          durationMs: performance.now() - startedAt,
          keyCount,
        });
      }
      become(usable === 'fresh' ? 'fresh' : usable === 'stale' ? 'stale' : 'unavailable', error);
    },
    servedStale(fetchedAt) {
      become('stale', undefined);
      if (keySetStaleChannel.hasSubscribers) {
        keySetStaleChannel.publish({ issuer, url, ageSeconds: (now() - fetchedAt) / 1000 });
      }
    },
    heldBack(retryAt) {
      if (keySetCooldownChannel.hasSubscribers) {
        const retryInSeconds = Math.max(0, (retryAt - now()) / 1000);
        keySetCooldownChannel.publish({ issuer, url, retryInSeconds });
      }
    },
    health(keyCount, nextRefresh) {
      return {
        source: options.source,
        state,
        keyCount,
        url,
        lastSuccess: lastSuccess === undefined ? undefined : iso(lastSuccess),
        lastError:
          lastError === undefined
            ? undefined
            : { at: iso(lastError.at), message: lastError.message },
        stale: state === 'stale',
        nextRefresh: nextRefresh === undefined ? undefined : iso(nextRefresh),
      };
    },
  };
}
