// The part of autocannon's programmatic API the load generator uses (it ships no types).
declare module 'autocannon' {
  interface AutocannonResult {
    readonly '2xx': number;
    readonly non2xx: number;
    readonly errors: number;
    readonly timeouts: number;
    /** Seconds. */
    readonly duration: number;
    readonly latency: { readonly p50: number; readonly p99: number; readonly average: number };
    readonly requests: { readonly average: number; readonly total: number };
  }
  /** The running load: a promise of the result that also reports each second as it ends. */
  interface AutocannonInstance extends Promise<AutocannonResult> {
    /** `counter`: responses received in the second that just ended. */
    on(event: 'tick', listener: (tick: { readonly counter: number }) => void): this;
  }
  function autocannon(options: Record<string, unknown>): AutocannonInstance;
  export default autocannon;
}
