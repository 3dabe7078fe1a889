import { APIPromise, requestIdOf } from './core/api-promise.js';
import { authMiddleware } from './core/auth.js';
import { checkRequestOptions, resolveConfig, type ClientOptions, type RequestOptions, type ResolvedConfig } from './core/config.js';
import { resolvePath, type Endpoint, type ListEndpoint } from './core/endpoint.js';
import { redact } from './core/errors.js';
import { Lifecycle } from './core/lifecycle.js';
import { requestList } from './core/list.js';
import { loggingMiddleware, makeLog, type Log } from './core/log.js';
import type { OffsetPage, OffsetPageBody, PagePromise } from './core/pagination.js';
import { compose, guardUserMiddleware, type AymaraResponse, type Next } from './core/pipeline.js';
import { sendFollowingRedirects } from './core/redirects.js';
import { sendWithRetries, type RetryHooks } from './core/retry.js';
import { runtimeName } from './core/runtime.js';
import { timeoutMiddleware } from './core/timeout.js';
import { createTransport } from './core/transport.js';
import { checkParams, parseBody } from './core/validate.js';
import { lowerCaseKeys } from './internal/headers.js';
import { Evals } from './resources/evals/index.js';
import { VERSION } from './version.js';

/** How a client made by `withOptions()` finds its parent's lifecycle. Keyed by a symbol nobody outside this module has. */
const PARENT = Symbol('aymara-ai.parent');

function queryString(params: Readonly<Record<string, unknown>>): string {
  let query = '';
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    query += `${query ? '&' : '?'}${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`;
  }
  return query;
}

/** One call as the client sends it: everything the resource described, checked and resolved. */
interface Call {
  method: Endpoint<unknown>['method'];
  path: string;
  /** The typed parameters, checked. */
  params: Readonly<Record<string, unknown>>;
  /** Extra parameters (`defaultQuery`, then the call's `query`), sent as they are. */
  extra: Readonly<Record<string, unknown>>;
  options: RequestOptions | undefined;
}

/**
 * The Aymara AI API client. Create one and reuse it.
 *
 * @example
 * ```ts
 * import { AymaraAI } from 'aymara-ai';
 * const client = new AymaraAI(); // reads AYMARA_AI_API_KEY
 * for await (const r of client.evals.runs.listResponses(runUUID)) console.log(r.prompt_uuid, r.is_passed);
 * await client.close();
 * ```
 */
export class AymaraAI implements AsyncDisposable {
  /** Evals, their prompts and their runs. */
  readonly evals: Evals;
  /** The base URL requests go to (no trailing slash). */
  readonly baseURL: string;
  /** Milliseconds per attempt. */
  readonly timeout: number;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** Pages in flight during auto-pagination. */
  readonly pageConcurrency: number;

  readonly #options: ClientOptions;
  readonly #config: ResolvedConfig;
  /** What an error may never quote, should a server echo it back. */
  readonly #secrets: readonly string[];
  readonly #headers: Record<string, string>;
  readonly #log: Log;
  /** One attempt through the pipeline below the retry stage: logging, user middleware, auth, timeout, transport. */
  readonly #attempt: Next;
  readonly #lifecycle: Lifecycle;

  /** @throws AymaraInputError when an option is invalid or no API key is found. */
  constructor(options: ClientOptions = {}) {
    const config = resolveConfig(options);
    this.#options = options;
    this.#config = config;
    this.#secrets = [config.apiKey];
    this.baseURL = config.baseURL;
    this.timeout = config.timeout;
    this.maxRetries = config.maxRetries;
    this.pageConcurrency = config.pageConcurrency;
    this.#headers = {
      accept: 'application/json',
      'user-agent': `aymara-ai-typescript/${VERSION} ${runtimeName()}`,
      ...lowerCaseKeys(options.defaultHeaders),
    };
    this.#log = makeLog(config.logLevel, options.logger ?? console);
    const lifecycle = (this.#lifecycle = new Lifecycle((options as { [PARENT]?: Lifecycle })[PARENT]));

    const transport = createTransport({
      fetch: options.fetch,
      dispatcher: options.dispatcher,
      route: config.route,
      maxResponseSize: config.maxResponseSize,
      log: this.#log,
      connections: lifecycle.connections,
      closedReason: () => lifecycle.closedError(),
    });
    // Outside in: (retry, in #send), logging, user middleware, auth, timeout, transport.
    this.#attempt = compose(
      [
        // Below `info` the logging stage has nothing to say: leave it out of the hot path.
        ...(this.#log.enabled('info') ? [loggingMiddleware(this.#log, this.#secrets)] : []),
        ...(options.middleware ?? []).map(guardUserMiddleware),
        authMiddleware(config.apiKey, config.origin),
        timeoutMiddleware,
      ],
      transport,
    );
    this.evals = new Evals(this);
  }

  /**
   * A client with some options changed (another tenant's headers, a shorter timeout...), sharing this client's
   * connections. Closing this client closes it too.
   */
  withOptions(options: ClientOptions): AymaraAI {
    return new AymaraAI({ ...this.#options, ...options, [PARENT]: this.#lifecycle } as ClientOptions);
  }

  /**
   * Ends the client: calls in flight reject at once with `AymaraAbortError` (a retry's wait included), nothing more is
   * sent, and later calls reject with `AymaraError`. Closes the connections the client opened (a proxy agent; the
   * runtime's global fetch pool is shared and closes idle connections itself). A `dispatcher` or `fetch` you passed is
   * yours to close. Clients made by `withOptions()` are closed with their parent.
   */
  close(): Promise<void> {
    return this.#lifecycle.close();
  }

  /** `await using client = new AymaraAI()` closes the client at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal */
  _request<T>(endpoint: Endpoint<T>, options: RequestOptions | undefined): APIPromise<T> {
    let call: Call;
    try {
      call = this.#prepare(endpoint, options);
    } catch (error) {
      return new APIPromise<T>(Promise.reject(error), () => {
        throw error;
      });
    }
    return new APIPromise<T>(this.#send(call), (response) => this.#parse(endpoint, response));
  }

  /** @internal */
  _requestPage<Item, Body extends OffsetPageBody<Item>>(
    endpoint: ListEndpoint<Item, Body>,
    options: RequestOptions | undefined,
  ): PagePromise<OffsetPage<Item, Body>> {
    let call: Call;
    try {
      call = this.#prepare(endpoint, options);
    } catch (error) {
      return requestList<Item, Body>({
        params: {},
        concurrency: 1,
        send: () => Promise.reject(error),
        parse: () => {
          throw error;
        },
      });
    }
    return requestList<Item, Body>({
      params: call.params,
      concurrency: options?.pageConcurrency ?? this.pageConcurrency,
      send: (params, signal, onRetry) => this.#send({ ...call, params }, signal, { onRetry }),
      parse: (response) => this.#parse(endpoint, response),
    });
  }

  #parse<T>(endpoint: Endpoint<T>, response: AymaraResponse): T {
    // A request id is quoted in the error; a server that echoes the key there must not put it in one.
    const requestId = requestIdOf(response);
    return parseBody(endpoint.responseSchema, response.body, response.status, requestId && redact(requestId, this.#secrets));
  }

  /** Checks what the caller gave (nothing is sent when something is wrong) and resolves it into a call. */
  #prepare(endpoint: Endpoint<unknown>, options: RequestOptions | undefined): Call {
    const path = resolvePath(endpoint.path);
    checkRequestOptions(options);
    // An extra parameter that the endpoint types (a `workspace_uuid` in defaultQuery, say) is checked like the typed
    // ones, and the typed argument wins: an `offset: '10'` given as a string must not reach the paginator unchecked.
    const { shape } = endpoint.paramsSchema;
    const extra: Record<string, unknown> = {};
    const fromExtra: Record<string, unknown> = {};
    for (const [name, value] of Object.entries({ ...this.#options.defaultQuery, ...options?.query })) {
      if (Object.hasOwn(shape, name)) fromExtra[name] = value;
      else extra[name] = value;
    }
    const given = endpoint.params ?? {};
    const merge = typeof given === 'object' && !Array.isArray(given) && Object.keys(fromExtra).length > 0;
    const params = checkParams(endpoint.paramsSchema, merge ? { ...fromExtra, ...given } : given) as Record<string, unknown>;
    return { method: endpoint.method, path, params, extra, options };
  }

  /**
   * The one way a request goes out: refused once the client is closed, then retries and same-origin redirects, and
   * an error status turned into its error. Resolves to a 2xx response; parsing is the caller's.
   */
  #send(call: Call, pageSignal?: AbortSignal, hooks?: RetryHooks): Promise<AymaraResponse> {
    const { options } = call;
    return this.#lifecycle.run([options?.signal, pageSignal], (signal) => {
      const headers = options?.headers ? { ...this.#headers, ...lowerCaseKeys(options.headers) } : { ...this.#headers };
      // Nothing is sent once the client is closed, a retry whose wait ended in the meantime included.
      const attempt: Next = (request) => {
        const closed = this.#lifecycle.closedError();
        return closed ? Promise.reject(closed) : this.#attempt(request);
      };
      const request = {
        method: call.method,
        // Extra parameters first, so the typed (checked) ones win.
        url: `${this.baseURL}${call.path}${queryString({ ...call.extra, ...call.params })}`,
        headers,
        signal,
        timeout: options?.timeout ?? this.timeout,
        maxRetries: options?.maxRetries ?? this.maxRetries,
        attempt: 1,
      };
      return sendFollowingRedirects(request, (r) => sendWithRetries(r, attempt, this.#log, hooks), this.#config.origin, this.#secrets);
    });
  }

  /** Shown by `console.log(client)` and `util.inspect`: the settings, never the key. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `AymaraAI { baseURL: '${this.baseURL}', timeout: ${this.timeout}, maxRetries: ${this.maxRetries}, pageConcurrency: ${this.pageConcurrency} }`;
  }

  /** What `JSON.stringify(client)` shows: the settings, never the key. */
  toJSON(): Record<string, unknown> {
    return { baseURL: this.baseURL, timeout: this.timeout, maxRetries: this.maxRetries, pageConcurrency: this.pageConcurrency };
  }
}
