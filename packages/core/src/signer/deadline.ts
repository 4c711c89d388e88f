/** What {@link withDeadline} resolves to when the work did not finish in time. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * Runs `work` under a deadline: resolves its result, or {@link TIMED_OUT} after `ms` (the
 * signal handed to `work` is aborted then, and a late answer or failure is dropped). A
 * rejection of `work` before the deadline rejects.
 */
export async function withDeadline<T>(
  work: (signal: AbortSignal) => Promise<T> | T,
  ms: number,
): Promise<T | typeof TIMED_OUT> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(TIMED_OUT);
    }, ms);
  });
  const call = Promise.resolve().then(() => work(controller.signal));
  call.catch(() => undefined);
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
