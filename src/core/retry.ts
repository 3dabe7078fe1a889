import pRetry from 'p-retry';
import { AymaraConnectionError } from './errors.js';
import type { Log } from './log.js';
import type { AymaraRequest, AymaraResponse, Middleware, Next } from './pipeline.js';
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

const isRetryable = (error: unknown): boolean => error instanceof RetryableResponse || error instanceof AymaraConnectionError;

/**
 * Retries connection errors, timeouts, 408, 409, 429 and 5xx. p-retry counts the attempts; the delays are ours
 * (backoff, or what the server asked for), and a caller's abort ends a wait at once.
 *
 * The first attempt runs bare, so a call that succeeds (nearly all of them) pays nothing for retry machinery.
 */
export function retryMiddleware(log: Log): Middleware {
  const wait = async (request: AymaraRequest, error: Error, failedAttempt: number): Promise<void> => {
    const status = error instanceof RetryableResponse ? error.response.status : undefined;
    const asked = error instanceof RetryableResponse ? retryAfterDelay(error.response.headers) : undefined;
    const delay = Math.round(asked ?? backoffDelay(failedAttempt));
    request.onRetry?.(status);
    log.write('warn', `${request.method} ${request.url} attempt ${failedAttempt} failed (${status ?? error.message}); retrying in ${delay} ms`);
    await sleep(delay, request.signal);
  };

  const retry = async (request: AymaraRequest, next: Next, firstFailure: Error): Promise<AymaraResponse> => {
    const { signal, maxRetries } = request;
    try {
      await wait(request, firstFailure, 1);
      return await pRetry(
        async (retryNumber) => {
          const attempt = retryNumber + 1;
          const response = await next({ ...request, attempt });
          if (attempt <= maxRetries && isRetryableStatus(response.status)) throw new RetryableResponse(response);
          return response;
        },
        {
          retries: maxRetries - 1,
          minTimeout: 0,
          factor: 1,
          signal,
          shouldRetry: ({ error }) => isRetryable(error),
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            if (isRetryable(error) && retriesLeft > 0) await wait(request, error, attemptNumber + 1);
          },
        },
      );
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw error;
    }
  };

  return (request, next) => {
    if (request.maxRetries === 0) return next(request);
    return next(request).then(
      (response) => (isRetryableStatus(response.status) ? retry(request, next, new RetryableResponse(response)) : response),
      (error: unknown) => {
        if (error instanceof AymaraConnectionError) return retry(request, next, error);
        throw error;
      },
    );
  };
}
