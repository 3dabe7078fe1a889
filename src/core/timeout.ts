import { AymaraTimeoutError } from './errors.js';
import { abortError } from './signals.js';
import type { Middleware } from './pipeline.js';

/**
 * One deadline per attempt over connect, headers and body (the transport reads the whole body before it
 * returns). The caller's signal and the deadline are joined into one; whichever fires decides the error.
 * (A `fetch` that ignores its signal is raced against it in the transport.)
 */
export const timeoutMiddleware: Middleware = async (request, next) => {
  const outer = request.signal;
  if (outer?.aborted) throw abortError(outer);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new AymaraTimeoutError(`Request timed out after ${request.timeout} ms`)), request.timeout);
  const onAbort = () => controller.abort(abortError(outer as AbortSignal));
  outer?.addEventListener('abort', onAbort, { once: true });
  try {
    return await next({ ...request, signal: controller.signal });
  } catch (error) {
    throw controller.signal.aborted ? controller.signal.reason : error;
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  }
};
