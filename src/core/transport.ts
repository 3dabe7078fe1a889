import { AymaraConnectionError, AymaraInputError } from './errors.js';
import { isHeaderName, isHeaderValue, SECRET_HEADERS } from './headers.js';
import type { AymaraRequest, AymaraResponse, Transport } from './pipeline.js';

/** What the `fetch` option accepts: the global `fetch`, or anything shaped like it. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A transport that can release its connections. */
export interface ClosableTransport extends Transport {
  close(): Promise<void>;
}


/** The name of the first header HTTP cannot carry. Checked only on the error path, so it costs the hot path nothing. */
function invalidHeader(headers: Readonly<Record<string, string>>): string | undefined {
  for (const [name, value] of Object.entries(headers)) if (!isHeaderName(name) || !isHeaderValue(value)) return name;
  return undefined;
}

/** `String(value)`, which throws for some values (an object with no prototype, a bad `toString`). */
function safeString(value: unknown): string {
  try {
    return value instanceof Error ? String(value.message) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * A failure below HTTP. When the request's signal fired, its reason (timeout or abort) is the error instead.
 * A request the transport refused to send because a header (the key included) has characters HTTP does not
 * allow is an `AymaraInputError`, not retried, and quotes no header value: fetch's own message quotes it.
 */
export function connectionError(request: AymaraRequest, cause: unknown): unknown {
  if (request.signal?.aborted) return request.signal.reason;
  const bad = invalidHeader(request.headers);
  if (bad !== undefined) {
    const name = SECRET_HEADERS.has(bad) ? bad : JSON.stringify(bad.length > 40 ? `${bad.slice(0, 40)}...` : bad);
    return new AymaraInputError(`Header ${name} has characters HTTP does not allow in a header name or value; nothing was sent`);
  }
  let code: unknown;
  try {
    const c = cause as { code?: unknown; cause?: { code?: unknown } } | undefined;
    code = c?.code ?? c?.cause?.code;
  } catch {
    code = undefined;
  }
  // undici refuses some headers outright (`connection`, `transfer-encoding`, `expect`...); its messages name the header, never the value.
  if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') return new AymaraInputError(`Request not sent: ${safeString(cause)}`, { cause });
  let detail = typeof code === 'string' ? code : safeString(cause);
  let keptCause = cause;
  for (const name of SECRET_HEADERS) {
    const secret = request.headers[name];
    if (secret && detail.includes(secret)) {
      detail = detail.split(secret).join('[redacted]');
      keptCause = undefined;
    }
  }
  return new AymaraConnectionError(`Connection error: ${detail} (${request.method} ${new URL(request.url).origin})`, { cause: keptCause });
}

/**
 * `work`, or the signal's reason as soon as it fires: a `fetch` that ignores its signal (or a body that never
 * ends) cannot outlive the deadline or the caller's abort.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
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

/** Sends requests with a fetch-compatible function: a user's `fetch`, or the edge build's global `fetch`. */
export function fetchTransport(fetchFn: FetchLike): Transport {
  return async (request) => {
    let response: Response;
    let body: string;
    try {
      // Redirects are the client's decision (the key may only follow same-origin ones), so fetch must not follow them.
      response = await untilAborted(fetchFn(request.url, { method: request.method, headers: request.headers, signal: request.signal ?? null, redirect: 'manual' }), request.signal);
      body = await untilAborted(response.text(), request.signal);
    } catch (error) {
      throw connectionError(request, error);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { status: response.status, headers, body, raw: response } satisfies AymaraResponse;
  };
}
