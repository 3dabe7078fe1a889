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

/** RFC 9110 HTTP-date: IMF-fixdate, or the obsolete RFC 850 and asctime forms (asctime is GMT too). */
const IMF_OR_RFC850 = /^[A-Z][a-z]{2,8}, \d{2}[ -][A-Z][a-z]{2}[ -]\d{2}(\d{2})? \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/** Milliseconds since the epoch, or NaN. Date.parse alone accepts almost anything (V8 reads "-1" as 2001). */
function parseHTTPDate(value: string): number {
  if (IMF_OR_RFC850.test(value)) return Date.parse(value);
  if (ASCTIME.test(value)) return Date.parse(`${value} GMT`);
  return Number.NaN;
}

/** A wait the server asked for, when it is a usable one: finite, not negative, at most 60 s. */
function usable(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
}

/**
 * `retry-after-ms`, then `Retry-After` (seconds or an HTTP date); undefined when neither gives a usable wait,
 * so the caller falls back to the backoff. An HTTP date already past means "now".
 */
export function retryAfterDelay(headers: Readonly<Record<string, string>>, now: number = Date.now()): number | undefined {
  const afterMs = headers['retry-after-ms']?.trim();
  const fromMs = afterMs ? usable(Number(afterMs)) : undefined;
  if (fromMs !== undefined) return fromMs;
  const after = headers['retry-after']?.trim();
  if (!after) return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return usable(Number(after) * 1000);
  const date = parseHTTPDate(after);
  return Number.isNaN(date) ? undefined : usable(Math.max(0, date - now));
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
