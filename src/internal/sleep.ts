/**
 * Resolves after `ms`, or as soon as `signal` aborts: the caller decides what an abort means (throw, or stop
 * quietly). Its timer and listener are gone once it resolves, so a long-lived signal gathers nothing.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
