import { APIPromise, requestIdOf } from './core/api-promise.js';
import type { APIClient, EndpointSpec } from './core/api-client.js';
import { authMiddleware } from './core/auth.js';
import { checkRequestOptions, resolveConfig, type ClientOptions, type RequestOptions, type ResolvedConfig } from './core/config.js';
import { AymaraAbortError, AymaraError, makeAPIError, makeRedirectError, redact } from './core/errors.js';
import { loggingMiddleware, makeLog, type Log } from './core/log.js';
import { OffsetPage, PagePromise, type ListContext, type OffsetPageBody, type PageRequest } from './core/pagination.js';
import { compose, guardUserMiddleware, type AymaraResponse, type Next } from './core/pipeline.js';
import { sendWithRetries, type RetryHooks } from './core/retry.js';
import { runtimeName } from './core/runtime.js';
import { abortError, linkSignals, nextTurn, untilAborted } from './core/signals.js';
import { timeoutMiddleware } from './core/timeout.js';
import { createTransport, OwnConnections } from './core/transport.js';
import { checkParams, checkPathParam, parseBody } from './core/validate.js';
import { Evals } from './resources/evals/index.js';
import { VERSION } from './version.js';
import { lowerCaseKeys } from './internal/headers.js';

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** What a client made by `withOptions()` takes from its parent. Keyed by a symbol nobody outside this module has. */
const PARENT = Symbol('aymara-ai.parent');
interface Parent {
  connections: OwnConnections;
  /** The close signals of the parent and its ancestors: a child is closed when any of them is. */
  closedBy: readonly AbortSignal[];
  fetchesClosedBy: readonly AbortSignal[];
}

function queryString(params: Record<string, unknown>): string {
  let query = '';
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    query += `${query ? '&' : '?'}${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`;
  }
  return query;
}

/** One call as the client sends it: everything the resource described, checked and resolved. */
interface Call {
  method: EndpointSpec['method'];
  path: string;
  /** The typed parameters, checked. */
  params: Record<string, unknown>;
  /** Extra parameters (`defaultQuery`, then the call's `query`), sent as they are. */
  extra: Record<string, unknown>;
  body: string | undefined;
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

  readonly #options: ClientOptions;
  readonly #config: ResolvedConfig;
  readonly #headers: Record<string, string>;
  readonly #log: Log;
  /** One attempt through the pipeline below the retry stage: logging, user middleware, auth, timeout, transport. */
  readonly #attempt: Next;
  readonly #connections: OwnConnections;
  readonly #ownsConnections: boolean;
  /** Aborted by `close()`: every call rejects at once. */
  readonly #closing = new AbortController();
  /**
   * Aborted a turn of the event loop after `#closing`: every fetch's signal includes it. Aborting a thousand fetches
   * takes undici a while; the calls are rejected first, so none waits for the others' clean-up.
   */
  readonly #closingFetches = new AbortController();
  /**
   * This client's close signal and its ancestors' (for a client made by `withOptions()`). Checked and joined per call
   * rather than listened to, so a child made per request leaves nothing behind on its parent.
   */
  readonly #closedBy: readonly AbortSignal[];
  readonly #fetchesClosedBy: readonly AbortSignal[];

  /** @throws AymaraInputError when an option is invalid or no API key is found. */
  constructor(options: ClientOptions = {}) {
    const config = resolveConfig(options);
    this.#options = options;
    this.#config = config;
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

    const parent = (options as { [PARENT]?: Parent })[PARENT];
    this.#connections = parent?.connections ?? new OwnConnections();
    this.#ownsConnections = parent === undefined;
    this.#closedBy = [this.#closing.signal, ...(parent?.closedBy ?? [])];
    this.#fetchesClosedBy = [this.#closingFetches.signal, ...(parent?.fetchesClosedBy ?? [])];

    const transport = createTransport({
      fetch: options.fetch,
      dispatcher: options.dispatcher,
      route: config.route,
      maxResponseSize: config.maxResponseSize,
      log: this.#log,
      connections: this.#connections,
      closedReason: () => {
        const closed = this.#closed();
        return closed && abortError(closed);
      },
    });
    // Outside in: (retry, in #send), logging, user middleware, auth, timeout, transport.
    this.#attempt = compose(
      [
        // Below `info` the logging stage has nothing to say: leave it out of the hot path.
        ...(this.#log.enabled('info') ? [loggingMiddleware(this.#log, [this.#config.apiKey])] : []),
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
    const parent: Parent = { connections: this.#connections, closedBy: this.#closedBy, fetchesClosedBy: this.#fetchesClosedBy };
    return new AymaraAI({ ...this.#options, ...options, [PARENT]: parent } as ClientOptions);
  }

  /**
   * Ends the client: calls in flight reject at once with `AymaraAbortError` (a retry's wait included), nothing more is
   * sent, and later calls reject with `AymaraError`. Closes the connections the client opened (a proxy agent; the
   * runtime's global fetch pool is shared and closes idle connections itself). A `dispatcher` or `fetch` you passed is
   * yours to close. Clients made by `withOptions()` are closed with their parent.
   */
  async close(): Promise<void> {
    if (!this.#closing.signal.aborted) {
      const reason = new AymaraAbortError('Request aborted: the client was closed');
      this.#closing.abort(reason);
      await nextTurn();
      this.#closingFetches.abort(reason);
    }
    if (this.#ownsConnections) await this.#connections.close();
  }

  /** `await using client = new AymaraAI()` closes the client at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** @internal */
  _request<T>(spec: EndpointSpec, options: RequestOptions | undefined): APIPromise<T> {
    let call: Call;
    try {
      call = this.#prepare(spec, options);
    } catch (error) {
      return new APIPromise<T>(Promise.reject(error), () => undefined as T);
    }
    return new APIPromise<T>(this.#send(call), (response) => this.#parse<T>(spec, response));
  }

  /** @internal */
  _requestPage<Item, Body extends OffsetPageBody<Item>>(spec: EndpointSpec, options: RequestOptions | undefined): PagePromise<Item, Body> {
    let call: Call;
    try {
      call = this.#prepare(spec, options);
    } catch (error) {
      return new PagePromise<Item, Body>(Promise.reject(error), () => {
        throw error;
      });
    }
    const { params } = call;
    const firstOffset = (params.offset as number | undefined) ?? 0;
    const requestedLimit = params.limit as number | undefined;
    const list: ListContext<Item, Body> = {
      concurrency: options?.pageConcurrency ?? this.pageConcurrency,
      requestedLimit,
      load: (request) => {
        const { response, rateLimited } = this.#loadPage(call, request, firstOffset);
        return response.then((r) => this.#page(spec, r, request.offset, list, rateLimited()));
      },
    };
    const { response, rateLimited } = this.#loadPage(call, { offset: firstOffset }, firstOffset);
    return new PagePromise<Item, Body>(response, (r) => this.#page(spec, r, firstOffset, list, rateLimited()));
  }

  /** Sends the request for one page; remembers whether an attempt met a 429 (the paginator then slows down). */
  #loadPage(call: Call, request: PageRequest, firstOffset: number): { response: Promise<AymaraResponse>; rateLimited: () => boolean } {
    let rateLimited = false;
    const hooks: RetryHooks = {
      onRetry: (status) => {
        if (status === 429) rateLimited = true;
        request.onRetry?.(status);
      },
    };
    const { offset, limit } = request;
    // Only the parameters the caller gave, plus the offset (and a limit) the paginator asks for.
    const params = offset === firstOffset && limit === undefined ? call.params : { ...call.params, offset, limit: limit ?? call.params.limit };
    return { response: this.#send({ ...call, params }, request.signal, hooks), rateLimited: () => rateLimited };
  }

  #page<Item, Body extends OffsetPageBody<Item>>(
    spec: EndpointSpec,
    response: AymaraResponse,
    offset: number,
    list: ListContext<Item, Body>,
    rateLimited: boolean,
  ) {
    return new OffsetPage<Item, Body>(this.#parse<Body>(spec, response), offset, list, rateLimited);
  }

  #parse<T>(spec: EndpointSpec, response: AymaraResponse): T {
    // A request id is quoted in the error; a server that echoes the key there must not put it in one.
    const requestId = requestIdOf(response);
    return parseBody(spec.responseSchema, response.body, response.status, requestId && redact(requestId, [this.#config.apiKey])) as T;
  }

  /** Checks what the caller gave (nothing is sent when something is wrong) and resolves it into a call. */
  #prepare(spec: EndpointSpec, options: RequestOptions | undefined): Call {
    const path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(checkPathParam(name, spec.pathParams[name])));
    checkRequestOptions(options);
    // An extra parameter that the endpoint types (a `workspace_uuid` in defaultQuery, say) is checked like the typed
    // ones, and the typed argument wins: an `offset: '10'` given as a string must not reach the paginator unchecked.
    const typed = new Set(Object.keys((spec.paramsSchema as { shape?: object }).shape ?? {}));
    const extra: Record<string, unknown> = {};
    const fromExtra: Record<string, unknown> = {};
    for (const [name, value] of Object.entries({ ...this.#options.defaultQuery, ...options?.query })) {
      if (typed.has(name)) fromExtra[name] = value;
      else extra[name] = value;
    }
    const given = spec.params === undefined || spec.params === null ? {} : spec.params;
    const merge = typeof given === 'object' && !Array.isArray(given) && Object.keys(fromExtra).length > 0;
    const params = checkParams(spec.paramsSchema, merge ? { ...fromExtra, ...given } : given) as Record<string, unknown>;
    return { method: spec.method, path, params, extra, body: spec.body === undefined ? undefined : JSON.stringify(spec.body), options };
  }

  /**
   * The one way a request goes out: retries, same-origin redirects, and an error status turned into its error.
   * Resolves to a 2xx response; parsing is the caller's.
   */
  #send(call: Call, pageSignal?: AbortSignal, hooks?: RetryHooks): Promise<AymaraResponse> {
    if (this.#closed() !== undefined) return Promise.reject(new AymaraError('The client is closed: create a new AymaraAI to send more requests'));
    const { signal, unlink } = linkSignals([...this.#fetchesClosedBy, call.options?.signal, pageSignal].filter((s): s is AbortSignal => s !== undefined));
    const sending = this.#sendUntilDone(call, signal, hooks);
    // Unlinked when the sending is over (not when close() rejects the call): the fetches in flight still hear it.
    sending.then(unlink, unlink);
    return untilAborted(sending, this.#closedBy);
  }

  /** The signal that closed this client (its own, or an ancestor's), if any. */
  #closed(): AbortSignal | undefined {
    return this.#closedBy.find((signal) => signal.aborted);
  }

  async #sendUntilDone(call: Call, signal: AbortSignal | undefined, hooks: RetryHooks | undefined): Promise<AymaraResponse> {
    const { options } = call;
    const headers = options?.headers ? { ...this.#headers, ...lowerCaseKeys(options.headers) } : { ...this.#headers };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    // Nothing is sent once the client is closed, a retry whose wait ended in the meantime included.
    const attempt: Next = (request) => {
      const closed = this.#closed();
      return closed ? Promise.reject(abortError(closed)) : this.#attempt(request);
    };
    let { method, body } = call;
    // Extra parameters first, so the typed (checked) ones win.
    let url = `${this.baseURL}${call.path}${queryString({ ...call.extra, ...call.params })}`;
    for (let redirects = 0; ; redirects++) {
      const request = {
        method,
        url,
        headers,
        body,
        signal,
        timeout: options?.timeout ?? this.timeout,
        maxRetries: options?.maxRetries ?? this.maxRetries,
        attempt: 1,
      };
      const response = await sendWithRetries(request, attempt, this.#log, hooks);
      const { status } = response;
      if (status >= 200 && status < 300) return response;
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(status) || !location) throw makeAPIError(status, response.headers, response.body, [this.#config.apiKey]);
      let target: URL;
      try {
        target = new URL(location, url);
      } catch {
        throw makeAPIError(status, response.headers, response.body, [this.#config.apiKey]);
      }
      const secrets = [this.#config.apiKey];
      if (target.origin !== this.#config.origin) throw makeRedirectError(status, response.headers, { kind: 'other-origin', origin: target.origin }, secrets);
      if (target.username || target.password) throw makeRedirectError(status, response.headers, { kind: 'credentials' }, secrets);
      if (redirects >= MAX_REDIRECTS) throw makeRedirectError(status, response.headers, { kind: 'too-many' }, secrets);
      url = target.href;
      // A 303 (and, as browsers do, a 301 or 302 after a non-GET) becomes a GET without a body.
      if (status === 303 || ((status === 301 || status === 302) && method !== 'GET')) {
        method = 'GET';
        body = undefined;
      }
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
