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
  function autocannon(options: Record<string, unknown>): Promise<AutocannonResult>;
  export default autocannon;
}
