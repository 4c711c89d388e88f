import type { Logger } from '@service-jwt/core';

/**
 * The demo's clock: wall time plus an offset the demo moves forward, injected as `now` into
 * every signer and verifier, so "ten minutes later" takes no time at all.
 */
export interface DemoClock {
  now(): number;
  /** Moves every service's time forward. */
  advance(seconds: number): void;
}

export function createDemoClock(): DemoClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(seconds) {
      offset += seconds * 1000;
    },
  };
}

/** The logger of one named service when the demo is observed (`--observe`), else `undefined`. */
export type ServiceLogs = (service: string) => Logger | undefined;
