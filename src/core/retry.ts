import pRetry from 'p-retry';
import { AymaraConnectionError } from './errors.js';
import type { Log } from './log.js';
import type { AymaraRequest, AymaraResponse, Next } from './pipeline.js';
import { abortError } from './signals.js';
import { backoffDelay as delayFor, type BackoffPolicy } from '../internal/backoff.js';
import { sleep } from '../internal/sleep.js';

/** 0.5 s, 1 s, 2 s, ... capped at 8 s, each shortened by up to 25% (never lengthened: the cap stays a cap). */
const BACKOFF: BackoffPolicy = { initialMs: 500, factor: 2, maxMs: 8_000, jitter: [1, 0.75] };
/** A server may ask for a longer wait than our backoff, but not for longer than this. */
const MAX_RETRY_AFTER_MS = 60_000;

/** Retryable statuses: the status alone decides, whatever the error code says. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Thrown inside p-retry to make it count a retryable response as a failed attempt. */
class RetryableResponse extends Error {
  constructor(readonly response: AymaraResponse) {
    super(`status ${response.status}`);
  }
}

/** The wait before retry number `retry` (from 1): exponential backoff with jitter. */
export function backoffDelay(retry: number, random: () => number = Math.random): number {
  return delayFor(BACKOFF, retry - 1, random);
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

const isRetryable = (error: unknown): boolean => error instanceof RetryableResponse || error instanceof AymaraConnectionError;

/**
 * Whether a response is worth another attempt: for an error status, the server's `x-should-retry: true|false`
 * when it says so, else the status (408, 409, 429 and 5xx). A success or a redirect is an answer, never retried,
 * whatever the header says.
 */
function shouldRetryResponse(response: AymaraResponse): boolean {
  if (response.status < 400) return false;
  const verdict = response.headers['x-should-retry'];
  if (verdict === 'true') return true;
  if (verdict === 'false') return false;
  return isRetryableStatus(response.status);
}

/** Hooks for the caller of `sendWithRetries`: how the paginator hears of a 429. Never on the request record. */
export interface RetryHooks {
  /** Told before each retry's wait, with the status that caused it (undefined for a connection fault). */
  onRetry?: ((status: number | undefined) => void) | undefined;
}

/** The header that tells the API's logs a retry from a first attempt (the one the official SDK sends). */
const RETRY_COUNT_HEADER = 'x-stainless-retry-count';

/**
 * The retry stage, outermost in the pipeline: sends `request` through `attempt` (the rest of the pipeline) until it
 * succeeds, fails for good, or runs out of retries. p-retry drives the attempts; the waits are ours (backoff with
 * jitter, or what the server asked for), and an abort ends a wait at once. Each attempt carries its retry count.
 */
export function sendWithRetries(request: AymaraRequest, attempt: Next, log: Log, hooks: RetryHooks = {}): Promise<AymaraResponse> {
  const { signal, maxRetries } = request;
  const wait = async (error: Error, failedAttempt: number): Promise<void> => {
    const status = error instanceof RetryableResponse ? error.response.status : undefined;
    const asked = error instanceof RetryableResponse ? retryAfterDelay(error.response.headers) : undefined;
    const delay = Math.round(asked ?? backoffDelay(failedAttempt));
    hooks.onRetry?.(status);
    log.write('warn', `${request.method} ${request.url} attempt ${failedAttempt} failed (${status ?? error.message}); retrying in ${delay} ms`);
    await sleep(delay, signal);
    if (signal?.aborted) throw abortError(signal);
  };
  return pRetry(
    async (attemptNumber) => {
      const response = await attempt({ ...request, attempt: attemptNumber, headers: { ...request.headers, [RETRY_COUNT_HEADER]: String(attemptNumber - 1) } });
      if (attemptNumber <= maxRetries && shouldRetryResponse(response)) throw new RetryableResponse(response);
      return response;
    },
    {
      retries: maxRetries,
      minTimeout: 0,
      factor: 1,
      randomize: false,
      signal,
      shouldRetry: ({ error }) => isRetryable(error),
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (isRetryable(error) && retriesLeft > 0) await wait(error, attemptNumber);
      },
    },
  ).catch((error: unknown) => {
    if (signal?.aborted) throw abortError(signal);
    throw error;
  });
}
