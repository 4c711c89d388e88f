import type { Attributes, Histogram } from '@opentelemetry/api';

/** Verification durations on their way to the histogram. */
export interface DurationPoints {
  /** Holds one point; records the held ones when the buffer is full. */
  add(seconds: number, attributes: Attributes): void;
  /** Records every held point now. */
  flush(): void;
}

/** How many points wait at most: 256 × (8 bytes + one shared attribute set). */
export const DURATION_POINTS_CAPACITY = 256;

/**
 * Holds verification durations and records them in bursts. The SDK hashes a point's attribute
 * set on every `record` (a sorted JSON string of it); one `record` per request, between the
 * framework's work, cost about twice as much in a server's profile as the same calls in a
 * short loop. The points are recorded when the buffer is full and, through the caller's
 * observable callback, at the start of each collection: the SDK runs a meter's observable
 * callbacks before it reads the meter's histograms, so an export never misses a point made
 * before it.
 */
export function createDurationPoints(
  histogram: Histogram,
  capacity: number = DURATION_POINTS_CAPACITY,
): DurationPoints {
  const seconds = new Float64Array(capacity);
  // The attribute sets are the shared, bounded ones of `verification-attributes.ts`: holding
  // them keeps nothing alive that would not be alive anyway.
  const sets: Attributes[] = [];
  let held = 0;

  function flush(): void {
    const count = held;
    // Emptied first: a record that throws (a broken SDK) loses this burst, never loops on it.
    held = 0;
    for (let i = 0; i < count; i++) histogram.record(seconds[i] as number, sets[i] as Attributes);
  }

  return {
    add(value, attributes) {
      seconds[held] = value;
      sets[held] = attributes;
      held += 1;
      if (held === capacity) flush();
    },
    flush,
  };
}
