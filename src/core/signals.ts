import { AymaraAbortError } from './errors.js';

/** The error for an abort: the SDK's own (`close()`) as it is, a caller's with their reason as the cause. */
export function abortError(signal: AbortSignal): AymaraAbortError {
  if (signal.reason instanceof AymaraAbortError) return signal.reason;
  return new AymaraAbortError('Request was aborted', { cause: signal.reason });
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
