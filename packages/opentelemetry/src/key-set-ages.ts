import type { ObservableResult } from '@opentelemetry/api';
import { ATTRIBUTES } from './attributes.js';

/** The last successful fetch per issuer, observed as seconds since then. */
export interface KeySetAges {
  /** A fetch of `issuer`'s key set succeeded now; `label` is how the issuer is recorded. */
  fetched(issuer: string, label: string): void;
  /** The `service_jwt.key_set.age` callback. */
  observe(result: ObservableResult): void;
  clear(): void;
}

export function createKeySetAges(now: () => number): KeySetAges {
  // Keyed by issuer value: only configured issuers fetch key sets, so the map stays small.
  const lastSuccess = new Map<string, { readonly label: string; readonly at: number }>();
  return {
    fetched(issuer, label) {
      lastSuccess.set(issuer, { label, at: now() });
    },
    observe(result) {
      const t = now();
      // Issuers sharing a bucket (`(other)`) report their oldest set: the one to worry about.
      const oldest = new Map<string, number>();
      for (const { label, at } of lastSuccess.values()) {
        oldest.set(label, Math.max(oldest.get(label) ?? 0, Math.max(0, (t - at) / 1000)));
      }
      for (const [label, age] of oldest) result.observe(age, { [ATTRIBUTES.issuer]: label });
    },
    clear() {
      lastSuccess.clear();
    },
  };
}
