import { handOver } from './call-site.js';
import type { AymaraResponse } from './pipeline.js';

/** What `.withResponse()` gives: the parsed data, the HTTP response and the request id. */
export interface WithResponse<T> {
  /** What `await` would have given. */
  data: T;
  /** The HTTP response: status and headers readable (its body was already read to parse `data`). */
  response: Response;
  /** The `x-request-id` the API answered with, if any: quote it to Aymara support. */
  requestId: string | undefined;
}

/** The request id of a response, if the API sent one. */
export function requestIdOf(response: AymaraResponse): string | undefined {
  return response.headers['x-request-id'] || undefined;
}

/**
 * A WHATWG `Response` holding the body text, its body unread. The body is already decoded, so the headers that
 * described the encoded bytes (`content-encoding`, `content-length`) are left out: forwarded as is, it stays true.
 */
function toWebResponse(response: AymaraResponse): Response {
  const headers = new Headers(response.headers);
  headers.delete('content-encoding');
  headers.delete('content-length');
  return new Response(response.body, { status: response.status, headers });
}

/**
 * What `.withResponse()` resolves to. A class, so `response` is a getter on the prototype: a getter in an object
 * literal is a pair V8 allocates in its old generation for every object, and through its closure it would keep the
 * page and the body of each call alive until the next full collection.
 */
class ParsedResponse<T> implements WithResponse<T> {
  readonly data: T;
  readonly requestId: string | undefined;
  readonly #raw: AymaraResponse;
  #web: Response | undefined;

  constructor(data: T, raw: AymaraResponse) {
    this.data = data;
    this.requestId = requestIdOf(raw);
    this.#raw = raw;
  }

  /** Built only when read: most callers want the data alone. */
  get response(): Response {
    return (this.#web ??= toWebResponse(this.#raw));
  }
}

/**
 * The result of every API call: `await` it for the parsed data, or ask for more with `withResponse()` (data,
 * response and request id) or `asResponse()` (the raw response, unparsed).
 *
 * The request is sent when the call is made, like a plain promise, so context the caller holds (AsyncLocalStorage,
 * tracing) goes with it. A result nobody reads is dropped quietly rather than crashing the process as an unhandled
 * rejection.
 */
export class APIPromise<T> implements PromiseLike<T> {
  readonly #response: Promise<AymaraResponse>;
  readonly #parse: (response: AymaraResponse) => T;
  #data: Promise<T> | undefined;
  #withResponse: Promise<WithResponse<T>> | undefined;

  /** @internal */
  constructor(response: Promise<AymaraResponse>, parse: (response: AymaraResponse) => T) {
    this.#response = response;
    this.#parse = parse;
    response.catch(() => undefined);
  }

  /** The raw HTTP response of a successful call, its body unread and unparsed. Error statuses still reject. */
  asResponse(): Promise<Response> {
    return handOver(this.#response.then(toWebResponse));
  }

  /** The parsed data with the HTTP response and the request id. */
  withResponse(): Promise<WithResponse<T>> {
    return handOver((this.#withResponse ??= Promise.all([this.#response, this.#parsed()]).then(([response, data]) => new ParsedResponse(data, response))));
  }

  /**
   * The data, parsed once however it is asked for, straight from the response: nothing else holds it, so a loop of
   * calls leaves each page to the young generation's cheap collections.
   */
  #parsed(): Promise<T> {
    return (this.#data ??= this.#response.then(this.#parse));
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // The caller's handlers go straight on the handed-over promise: that is the link by which an error's stack finds the
    // caller's `await` (see call-site.ts).
    return handOver(this.#parsed()).then(onfulfilled, onrejected);
  }

  /** As `Promise.prototype.catch`, on the data. */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onrejected);
  }

  /** As `Promise.prototype.finally`. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onfinally);
  }

  /** `'APIPromise'`, for `Object.prototype.toString`. */
  get [Symbol.toStringTag](): string {
    return 'APIPromise';
  }
}
