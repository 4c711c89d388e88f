// Core's in-memory replay store and revocation list answer on the spot: their `claim` returns
// a boolean and their `check` a reason, never a promise. The verifier takes its synchronous
// path only when every store it uses is one of these; any other store (Redis, your own) may
// answer later and goes through the asynchronous path.
const inMemory = new WeakSet<object>();

/** Marks a store made by core as one that answers without waiting. */
export function answeringInMemory<T extends object>(store: T): T {
  inMemory.add(store);
  return store;
}

/** `true` for no store at all, or for one of core's in-memory stores. */
export function answersInMemory(store: object | null): boolean {
  return store === null || inMemory.has(store);
}
