import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  CHANNELS,
  type KeySetFetchEvent,
  type StoreErrorEvent,
  type VerificationEvent,
} from '@service-jwt/core';

/** What the demo's services reported on the `service-jwt:*` diagnostics channels. */
export interface Observed {
  /** The summary lines, by outcome and code. */
  summary(): string[];
  stop(): void;
}

function count<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Listens to the channels every service of the demo publishes on (they share this process),
 * with no option set on any of them, as an operator's tool would.
 */
export function observe(): Observed {
  const accepted = { all: 0, cached: 0 };
  const refused = new Map<string, number>();
  const fetches = new Map<string, number>();
  const stores = new Map<string, number>();
  let stale = 0;
  const listeners: Array<[string, (message: unknown) => void]> = [
    [
      CHANNELS.verification,
      (message) => {
        const event = message as VerificationEvent;
        if (event.outcome === 'accepted') {
          accepted.all += 1;
          if (event.cached) accepted.cached += 1;
        } else {
          count(refused, `${event.status} ${event.code}`);
        }
      },
    ],
    [CHANNELS.keySetFetch, (message) => count(fetches, (message as KeySetFetchEvent).outcome)],
    [CHANNELS.keySetStale, () => (stale += 1)],
    [CHANNELS.storeError, (message) => count(stores, (message as StoreErrorEvent).store)],
  ];
  for (const [name, listener] of listeners) subscribe(name, listener);
  return {
    summary() {
      const refusals = [...refused].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      const total = accepted.all + refusals.reduce((sum, [, n]) => sum + n, 0);
      const lines = [
        `Observed on the service-jwt:* diagnostics channels: ${total} verifications`,
        `  accepted  ${accepted.all} (${accepted.cached} answered from the verification cache)`,
        `  refused   ${refusals.map(([code, n]) => `${code} ×${n}`).join(', ') || 'none'}`,
        `  key sets  ${fetches.get('fetched') ?? 0} fetched, ${fetches.get('failed') ?? 0} failed, ${stale} stale keys served`,
      ];
      if (stores.size > 0) {
        lines.push(
          `  stores    ${[...stores].map(([store, n]) => `${store} errors ×${n}`).join(', ')}`,
        );
      }
      return lines;
    },
    stop() {
      for (const [name, listener] of listeners) unsubscribe(name, listener);
    },
  };
}
