import { AymaraAbortError } from './errors.js';

/** The error for an abort: the SDK's own (`close()`) as it is, a caller's with their reason as the cause. */
export function abortError(signal: AbortSignal): AymaraAbortError {
  if (signal.reason instanceof AymaraAbortError) return signal.reason;
  return new AymaraAbortError('Request was aborted', { cause: signal.reason });
}

/**
 * `work`, or the signal's reason as soon as it fires: a `fetch` that ignores its signal (or a body that never
 * ends) cannot outlive the deadline or the caller's abort.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Resolves on the next turn of the event loop, after pending I/O callbacks: lets the runtime finish its bookkeeping. */
export const nextTurn: () => Promise<void> =
  typeof setImmediate === 'function' ? () => new Promise((resolve) => setImmediate(resolve)) : () => new Promise((resolve) => setTimeout(resolve, 0));
