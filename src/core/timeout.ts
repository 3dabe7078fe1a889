import { AymaraTimeoutError } from './errors.js';
import { abortError } from './signals.js';
import type { Middleware } from './pipeline.js';

/**
 * One deadline per attempt over connect, headers and body (the transport reads the whole body before it returns).
 * The caller's signal (which close() fires too) and the deadline are joined into the one signal the fetch gets, and
 * the attempt is raced against them: a `fetch` that ignores its signal, or a body that never ends, cannot outlive
 * the deadline, the caller's abort or close(). Whichever fires first decides the error.
 */
export const timeoutMiddleware: Middleware = async (request, next) => {
  const outer = request.signal;
  if (outer?.aborted) throw abortError(outer);
  const controller = new AbortController();
  let stop: (reason: unknown) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => (stop = reject));
  const abort = (reason: unknown) => {
    controller.abort(reason);
    stop(reason);
  };
  const timer = setTimeout(() => abort(new AymaraTimeoutError(`Request timed out after ${request.timeout} ms`)), request.timeout);
  const onAbort = () => abort(abortError(outer as AbortSignal));
  outer?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([next({ ...request, signal: controller.signal }), stopped]);
  } catch (error) {
    throw controller.signal.aborted ? controller.signal.reason : error;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  }
};
