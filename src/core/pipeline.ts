import { AymaraError } from './errors.js';

/**
 * The request as it travels through the middleware: a plain record, cheap to copy, with nothing internal on it.
 * Middleware that changes it passes a new record to `next` (`{ ...request, headers: {...} }`).
 */
export interface AymaraRequest {
  /** `GET`, `POST`, ... */
  readonly method: string;
  /** The absolute URL, query included. */
  readonly url: string;
  /** Lower-case header names. The API key is added after user middleware and never appears here for it. */
  readonly headers: Readonly<Record<string, string>>;
  /** Aborts this attempt: the caller's signal and the client's `close()`, joined by the timeout inside the pipeline. */
  readonly signal?: AbortSignal | undefined;
  /** Milliseconds this attempt may take, connect, headers and body together. */
  readonly timeout: number;
  /** Retries allowed after the first attempt. */
  readonly maxRetries: number;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
}

/** The response as it travels back: status, lower-case headers and the whole body as text (decoded, BOM removed). */
export interface AymaraResponse {
  /** The HTTP status. */
  readonly status: number;
  /** The response headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, decoded to text. */
  readonly body: string;
}

/** Sends a request on to the next stage of the pipeline. */
export type Next = (request: AymaraRequest) => Promise<AymaraResponse>;

/**
 * A stage of the pipeline. User middleware runs once per attempt, may read and change the request and
 * the response, and calls `next` at most once.
 */
export type Middleware = (request: AymaraRequest, next: Next) => Promise<AymaraResponse>;

/** Builds one function from middleware (outermost first) around the innermost stage. */
export function compose(middleware: readonly Middleware[], innermost: Next): Next {
  return middleware.reduceRight<Next>((next, mw) => (request) => mw(request, next), innermost);
}

/** Guards a user's middleware: `next` at most once, and whatever it throws surfaces as an `AymaraError`. */
export function guardUserMiddleware(mw: Middleware): Middleware {
  return async (request, next) => {
    let called = false;
    try {
      return await mw(request, (req) => {
        if (called) return Promise.reject(new AymaraError('Middleware called next() more than once'));
        called = true;
        return next(req);
      });
    } catch (error) {
      if (error instanceof AymaraError) throw error;
      throw new AymaraError(`Middleware failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
}
