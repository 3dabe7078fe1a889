import { AymaraConnectionError } from './errors.js';
import type { AymaraRequest, AymaraResponse, Transport } from './pipeline.js';

/** What the `fetch` option accepts: the global `fetch`, or anything shaped like it. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A transport that can release its connections. */
export interface ClosableTransport extends Transport {
  close(): Promise<void>;
}

/** A failure below HTTP. When the request's signal fired, its reason (timeout or abort) is the error instead. */
export function connectionError(request: AymaraRequest, cause: unknown): unknown {
  if (request.signal?.aborted) return request.signal.reason;
  const code = (cause as { code?: unknown; cause?: { code?: unknown } } | undefined)?.code ?? (cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const detail = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
  return new AymaraConnectionError(`Connection error: ${detail} (${request.method} ${new URL(request.url).origin})`, { cause });
}

/** Sends requests with a fetch-compatible function: a user's `fetch`, or the edge build's global `fetch`. */
export function fetchTransport(fetchFn: FetchLike): Transport {
  return async (request) => {
    let response: Response;
    let body: string;
    try {
      // Redirects are the client's decision (the key may only follow same-origin ones), so fetch must not follow them.
      response = await fetchFn(request.url, { method: request.method, headers: request.headers, signal: request.signal ?? null, redirect: 'manual' });
      body = await response.text();
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
