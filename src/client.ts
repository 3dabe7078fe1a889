import type { z } from 'zod';
import type { APIClient, OffsetListSpec } from './core/api-client.js';
import { authMiddleware } from './core/auth.js';
import { checkRequestOptions, resolveConfig, type ClientOptions, type RequestOptions } from './core/config.js';
import { makeAPIError, makeRedirectError } from './core/errors.js';
import { loggingMiddleware, makeLog } from './core/log.js';
import { iterateOffsetPages, OffsetPage, PagePromise, type PageRequest, type WithResponse } from './core/pagination.js';
import { compose, guardUserMiddleware, type AymaraResponse, type Next } from './core/pipeline.js';
import { retryMiddleware } from './core/retry.js';
import { timeoutMiddleware } from './core/timeout.js';
import { fetchTransport, type ClosableTransport } from './core/transport.js';
import { defaultTransport } from './core/default-transport.js';
import { checkParams, checkPathParam, parseBody } from './core/validate.js';
import { Evals } from './resources/evals/index.js';
import { VERSION } from './version.js';

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = `aymara-ai-typescript/${VERSION}`;

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers) for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

interface Call<T> {
  path: string;
  query: string;
  parse: (response: AymaraResponse, requestId: string | undefined) => T;
  options: RequestOptions | undefined;
  signal?: AbortSignal | undefined;
  onRetry?: ((status: number | undefined) => void) | undefined;
}

/**
 * The Aymara AI API client. Create one and reuse it: it holds a keep-alive connection pool.
 *
 * @example
 * ```ts
 * import { AymaraAI } from 'aymara-ai';
 * const client = new AymaraAI(); // reads AYMARA_AI_API_KEY
 * for await (const r of client.evals.runs.listResponses(runUUID)) console.log(r.prompt_uuid, r.is_passed);
 * await client.close();
 * ```
 */
export class AymaraAI implements APIClient, AsyncDisposable {
  /** Evals and their runs. */
  readonly evals: Evals;
  /** The base URL requests go to (no trailing slash). */
  readonly baseURL: string;
  /** Milliseconds per attempt. */
  readonly timeout: number;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** Pages in flight during auto-pagination. */
  readonly pageConcurrency: number;

  readonly #origin: string;
  readonly #headers: Record<string, string>;
  readonly #send: Next;
  readonly #transport: ClosableTransport | undefined;

  /** @throws AymaraInputError when an option is invalid or no API key is found. */
  constructor(options: ClientOptions = {}) {
    const config = resolveConfig(options);
    this.baseURL = config.baseURL;
    this.timeout = config.timeout;
    this.maxRetries = config.maxRetries;
    this.pageConcurrency = config.pageConcurrency;
    this.#origin = config.origin;
    this.#headers = { accept: 'application/json', 'user-agent': USER_AGENT, ...lowerCaseKeys(options.defaultHeaders) };

    this.#transport = options.fetch ? undefined : defaultTransport({ dispatcher: options.dispatcher, maxConnections: config.maxConnections });
    const transport = options.fetch ? fetchTransport(options.fetch) : (this.#transport as ClosableTransport);
    const log = makeLog(config.logLevel, options.logger ?? console);
    // SPEC 5, outside in: retry, logging, user middleware, auth, timeout, transport.
    this.#send = compose(
      [
        retryMiddleware(log),
        // Below `info` the logging stage has nothing to say: leave it out of the hot path.
        ...(log.enabled('info') ? [loggingMiddleware(log)] : []),
        ...(options.middleware ?? []).map(guardUserMiddleware),
        authMiddleware(config.apiKey, config.origin),
        timeoutMiddleware,
      ],
      transport,
    );
    this.evals = new Evals(this);
  }

  /** Closes the keep-alive connections of the default transport. A `dispatcher` or `fetch` you passed is yours to close. */
  async close(): Promise<void> {
    await this.#transport?.close();
  }

  /** `await using client = new AymaraAI()` closes the client at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal */
  _listOffsetPage<Params extends z.ZodType, PageSchema extends z.ZodType<{ items: unknown[]; count: number }>>(
    spec: OffsetListSpec<Params, PageSchema>,
    options: RequestOptions | undefined,
  ): PagePromise<z.output<PageSchema>['items'][number]> {
    type Item = z.output<PageSchema>['items'][number];
    let path: string;
    let params: Record<string, unknown>;
    try {
      path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(checkPathParam(name, spec.pathParams[name])));
      params = checkParams(spec.paramsSchema, spec.params) as Record<string, unknown>;
      checkRequestOptions(options);
    } catch (error) {
      const fail = () => Promise.reject(error);
      return new PagePromise<Item>(fail, async function* () {
        yield* [];
        throw error;
      });
    }

    const firstOffset = (params.offset as number | undefined) ?? 0;
    const load = ({ offset, limit, signal, onRetry }: PageRequest): Promise<WithResponse<OffsetPage<Item>>> =>
      this.#call({
        path,
        // Only the parameters the caller gave, plus the offset (and a limit) the paginator asks for.
        query: queryString(offset === firstOffset && limit === undefined ? params : { ...params, offset, limit: limit ?? params.limit }),
        options,
        signal,
        onRetry,
        parse: (response, requestId) => new OffsetPage<Item>(parseBody(spec.pageSchema, response.body, response.status, requestId), offset, load),
      });
    const concurrency = options?.pageConcurrency ?? this.pageConcurrency;
    // A 429 on the first page already tells the iterator to start with one page in flight.
    let firstPageRateLimited = false;
    const onFirstRetry = (status: number | undefined) => {
      if (status === 429) firstPageRateLimited = true;
    };
    return new PagePromise<Item>(
      () => load({ offset: firstOffset, onRetry: onFirstRetry }),
      (first) =>
        iterateOffsetPages(first, load, {
          concurrency,
          requestedLimit: params.limit as number | undefined,
          firstPageRateLimited: () => firstPageRateLimited,
        }),
    );
  }

  /** Sends one call through the pipeline, follows same-origin redirects, and turns the result into data or an error. */
  async #call<T>(call: Call<T>): Promise<WithResponse<T>> {
    const { options } = call;
    const headers = options?.headers ? { ...this.#headers, ...lowerCaseKeys(options.headers) } : this.#headers;
    const signal = call.signal && options?.signal ? AbortSignal.any([call.signal, options.signal]) : (call.signal ?? options?.signal);
    let url = `${this.baseURL}${call.path}${call.query}`;
    for (let redirects = 0; ; redirects++) {
      const response = await this.#send({
        method: 'GET',
        url,
        headers,
        signal,
        timeout: options?.timeout ?? this.timeout,
        maxRetries: options?.maxRetries ?? this.maxRetries,
        attempt: 1,
        onRetry: call.onRetry,
      });
      const { status } = response;
      if (status >= 200 && status < 300) {
        const requestId = response.headers['x-request-id'] || undefined;
        const data = call.parse(response, requestId);
        return { data, requestId, get response() { return toWebResponse(response); } };
      }
      const location = response.headers.location;
      if (REDIRECT_STATUSES.has(status) && location) {
        let target: URL;
        try {
          target = new URL(location, url);
        } catch {
          throw makeAPIError(status, response.headers, response.body);
        }
        if (target.origin !== this.#origin || redirects >= MAX_REDIRECTS) throw makeRedirectError(status, response.headers, target.origin, redirects >= MAX_REDIRECTS && target.origin === this.#origin);
        url = target.href;
        continue;
      }
      throw makeAPIError(status, response.headers, response.body);
    }
  }

  /** Shown by `console.log(client)` and `util.inspect`: the settings, never the key. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `AymaraAI { baseURL: '${this.baseURL}', timeout: ${this.timeout}, maxRetries: ${this.maxRetries}, pageConcurrency: ${this.pageConcurrency} }`;
  }

  toJSON(): Record<string, unknown> {
    return { baseURL: this.baseURL, timeout: this.timeout, maxRetries: this.maxRetries, pageConcurrency: this.pageConcurrency };
  }
}

function queryString(params: Record<string, unknown>): string {
  let query = '';
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    query += `${query ? '&' : '?'}${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`;
  }
  return query;
}

/** A WHATWG Response for `withResponse()`, built only when asked for. */
function toWebResponse(response: AymaraResponse): Response {
  return response.raw ?? new Response(response.body, { status: response.status, headers: response.headers });
}

