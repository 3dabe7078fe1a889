import { AymaraAbortError } from './errors.js';

/** The error for an abort: the SDK's own (`close()`) as it is, a caller's with their reason as the cause. */
export function abortError(signal: AbortSignal): AymaraAbortError {
  if (signal.reason instanceof AymaraAbortError) return signal.reason;
  return new AymaraAbortError('Request was aborted', { cause: signal.reason });
}

/**
 * `work`, or the reason of the first of `signals` to fire, as soon as it fires: a `fetch` that ignores its signal
 * (or a body that never ends) cannot outlive the deadline, the caller's abort or `close()`. Its listeners are
 * removed once it settles, so long-lived signals gather nothing.
 */
export function untilAborted<T>(work: Promise<T>, signals: AbortSignal | readonly AbortSignal[] | undefined): Promise<T> {
  const { signal, unlink } = linkSignals([signals ?? []].flat());
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
      unlink();
    });
  });
}

/**
 * One signal that fires when any of `signals` does, with its reason, and `unlink()` to detach it from them all when
 * the call is over. Not `AbortSignal.any`: on Node 22 each signal it makes stays alive as long as its sources, so a
 * caller's long-lived signal, or a parent client's close signal, would gather one per call.
 */
export function linkSignals(signals: readonly AbortSignal[]): { signal: AbortSignal | undefined; unlink: () => void } {
  if (signals.length <= 1) return { signal: signals[0], unlink: () => undefined };
  const controller = new AbortController();
  const unlink = () => signals.forEach((signal) => signal.removeEventListener('abort', onAbort));
  const onAbort = (event: Event) => {
    unlink();
    controller.abort((event.target as AbortSignal).reason);
  };
  const fired = signals.find((signal) => signal.aborted);
  if (fired) controller.abort(fired.reason);
  else signals.forEach((signal) => signal.addEventListener('abort', onAbort));
  return { signal: controller.signal, unlink };
}

/** Resolves on the next turn of the event loop, after pending I/O callbacks: lets the runtime finish its bookkeeping. */
export const nextTurn: () => Promise<void> =
  typeof setImmediate === 'function' ? () => new Promise((resolve) => setImmediate(resolve)) : () => new Promise((resolve) => setTimeout(resolve, 0));
