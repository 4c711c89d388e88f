import {
  describeReplayStoreContract,
  describeRevocationListContract,
} from '@service-jwt/conformance';
import { createMemoryReplayStore, createMemoryRevocationList } from '@service-jwt/core';

function injectedClock(): { now: () => number; set(ms: number): void } {
  let ms = 0;
  return {
    now: () => ms,
    set(value) {
      ms = value;
    },
  };
}

describeReplayStoreContract('memory (injected clock)', async () => {
  const clock = injectedClock();
  const store = createMemoryReplayStore({ now: clock.now });
  return { store, now: clock, close: () => store.close?.() ?? Promise.resolve() };
});

describeReplayStoreContract('memory (real clock)', async () => {
  const store = createMemoryReplayStore();
  return { store, close: () => store.close?.() ?? Promise.resolve() };
});

describeRevocationListContract('memory (injected clock)', async () => {
  const clock = injectedClock();
  const store = createMemoryRevocationList({ now: clock.now });
  return { store, now: clock, close: () => store.close?.() ?? Promise.resolve() };
});

describeRevocationListContract('memory (real clock)', async () => {
  const store = createMemoryRevocationList();
  return { store, close: () => store.close?.() ?? Promise.resolve() };
});
