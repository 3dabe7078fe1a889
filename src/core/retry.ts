import pRetry from 'p-retry';
import { AymaraConnectionError } from './errors.js';
import type { Log } from './log.js';
import type { AymaraResponse, Middleware } from './pipeline.js';
import { abortError } from './timeout.js';

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A server may ask for a longer wait than our backoff, but not for longer than this. */
const MAX_RETRY_AFTER_MS = 60_000;

/** SPEC 5: the status alone decides, whatever the error code says. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Thrown inside p-retry to make it count a retryable response as a failed attempt. */
class RetryableResponse extends Error {
  constructor(readonly response: AymaraResponse) {
    super(`status ${response.status}`);
  }
}

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s, ... capped at 8 s, each shortened by up to 25%. */
export function backoffDelay(retry: number, random: () => number = Math.random): number {
  const base = Math.min(INITIAL_DELAY_MS * 2 ** (retry - 1), MAX_DELAY_MS);
  return base * (1 - 0.25 * random());
}

/** `retry-after-ms`, then `Retry-After` in seconds or as an HTTP date; undefined when absent, invalid or over 60 s. */
export function retryAfterDelay(headers: Readonly<Record<string, string>>, now: number = Date.now()): number | undefined {
  let ms: number | undefined;
  const afterMs = headers['retry-after-ms'];
  if (afterMs !== undefined && afterMs.trim() !== '') ms = Number(afterMs);
  else {
    const after = headers['retry-after']?.trim();
    if (after) ms = /^\d+(\.\d+)?$/.test(after) ? Number(after) * 1000 : Date.parse(after) - now;
  }
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  if (ms > MAX_RETRY_AFTER_MS) return undefined;
  return Math.max(0, ms);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Retries connection errors, timeouts, 408, 409, 429 and 5xx. p-retry counts the attempts; the delays are ours
 * (backoff, or what the server asked for), and a caller's abort ends a wait at once.
 */
export function retryMiddleware(log: Log): Middleware {
  return async (request, next) => {
    const { signal, maxRetries } = request;
    try {
      return await pRetry(
        async (attempt) => {
          const response = await next(attempt === 1 ? request : { ...request, attempt });
          if (attempt <= maxRetries && isRetryableStatus(response.status)) throw new RetryableResponse(response);
          return response;
        },
        {
          retries: maxRetries,
          minTimeout: 0,
          factor: 1,
          signal,
          shouldRetry: ({ error }) => error instanceof RetryableResponse || error instanceof AymaraConnectionError,
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            const retryable = error instanceof RetryableResponse || error instanceof AymaraConnectionError;
            if (!retryable || retriesLeft === 0) return;
            const status = error instanceof RetryableResponse ? error.response.status : undefined;
            const asked = error instanceof RetryableResponse ? retryAfterDelay(error.response.headers) : undefined;
            const delay = Math.round(asked ?? backoffDelay(attemptNumber));
            request.onRetry?.(status);
            log.write('warn', `${request.method} ${request.url} attempt ${attemptNumber} failed (${status ?? error.message}); retrying in ${delay} ms`);
            await sleep(delay, signal);
          },
        },
      );
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw error;
    }
  };
}
