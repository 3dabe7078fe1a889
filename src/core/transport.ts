import type { Dispatcher } from 'undici';
import { AymaraAbortError, AymaraConnectionError, AymaraInputError, AymaraResponseValidationError, makeAPIError } from './errors.js';
import { isHeaderName, isHeaderValue, SECRET_HEADERS } from './headers.js';
import type { FetchLike, ProxyRoute } from './types.js';
import type { Log } from './log.js';
import type { AymaraRequest, AymaraResponse, Next } from './pipeline.js';
import { nextTurn } from './signals.js';
import { loadUndici } from './undici.js';
import { headerRecord } from '../internal/headers.js';

/**
 * A client's use of connections: those it opened itself (only a proxy agent: the global fetch's pool is the
 * runtime's, and a `dispatcher` or `fetch` you passed is yours), and whether one it used is on its way back to its
 * pool. Clients made by `withOptions()` share their parent's.
 */
export class OwnConnections {
  #agent: Dispatcher | undefined;
  #closed = false;
  /** Whether a body ended in this turn of the event loop: fetch hands its connection back to the pool in the next. */
  #returning = false;
  #bodiesEnded = 0;

  /** The client's own agent for `route` (an `EnvHttpProxyAgent`, or a plain `Agent` that never proxies), created on first use. */
  agent(undici: NonNullable<Awaited<ReturnType<typeof loadUndici>>>, route: 'proxy' | 'direct'): Dispatcher {
    return (this.#agent ??= route === 'proxy' ? new undici.EnvHttpProxyAgent() : new undici.Agent());
  }

  /**
   * Waits, when a body of this client (or of a client made from it) ended in this turn of the event loop, for the
   * next: fetch hands a connection back to its pool a turn after its body ends, and a request sent before then (the
   * next page, a loop's next call) would find it busy and open another one, a TCP and TLS handshake more. Each request
   * waits on a timer of its own: never on one set by another call, which an edge runtime may drop with its request.
   */
  returned(): Promise<void> | undefined {
    return this.#returning ? nextTurn() : undefined;
  }

  /** Notes that a body has ended: its connection is on its way back to the pool until the next turn. */
  bodyEnded(): void {
    const ended = ++this.#bodiesEnded;
    this.#returning = true;
    void nextTurn().then(() => {
      if (ended === this.#bodiesEnded) this.#returning = false;
    });
  }

  /** Closes what was opened; nothing can be opened after. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // destroy(), not close(): close() waits for a pending connect (up to undici's 10 s connect timeout), though every
    // call of a closed client has already been rejected.
    await this.#agent?.destroy();
  }
}

export interface TransportOptions {
  /** Replaces everything below: requests go to this function. */
  fetch?: FetchLike | undefined;
  /** Send with npm undici's `fetch` over this dispatcher. */
  dispatcher?: Dispatcher | undefined;
  /** How requests leave: the global fetch, through the proxy variables' proxy, or direct over an agent of the client's own. */
  route: ProxyRoute;
  /** Bytes of one decoded body. */
  maxResponseSize: number;
  log: Log;
  connections: OwnConnections;
  /** Why nothing may be sent any more (the client was closed), checked at the last moment before each fetch. */
  closedReason?: (() => Error | undefined) | undefined;
}

// Methods a dead keep-alive connection may be replayed for: sending them twice changes nothing.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/**
 * Whether a fetch failed the way a request sent on a kept-alive connection the server had just closed while idle
 * fails: undici saw the other side close a connection that had carried bytes (`SocketError.socket.bytesRead`), or
 * the connection was reset (ECONNRESET, EPIPE). A fresh connection can fail the same ways; the transport tells the
 * two apart by whether a pooled connection could have been used at all.
 */
function deadConnection(error: unknown): boolean {
  try {
    const cause = ((error as { cause?: unknown }).cause ?? error) as { code?: unknown; message?: unknown; socket?: { bytesRead?: unknown } | null };
    if (cause.code === 'ECONNRESET' || cause.code === 'EPIPE') return true;
    // "other side closed": a close, not a malformed answer (a bad upgrade, a bad status line count their bytes too).
    const closed = cause.code === 'UND_ERR_SOCKET' && /other side closed/.test(String((cause as { message?: unknown }).message));
    return closed && typeof cause.socket?.bytesRead === 'number' && cause.socket.bytesRead > 0;
  } catch {
    // an error we cannot read is not one of these
    return false;
  }
}

/**
 * The one transport: every request of a client goes through a fetch, the first as the hundredth.
 *
 * - By default the runtime's global `fetch`, looked up at each request, so msw, nock and OpenTelemetry's fetch
 *   instrumentation see every request, and a bundle deployed without node_modules keeps the runtime's keep-alive pool.
 * - With a `dispatcher`, or proxy variables set, npm undici's own `fetch` over that dispatcher (an
 *   `EnvHttpProxyAgent` for the variables, held by `OwnConnections` and closed with the client).
 * - The `fetch` option replaces both.
 */
export function createTransport(options: TransportOptions): Next {
  let resolved: Promise<FetchLike> | undefined;
  // How many kept-alive connections may be waiting in the pool: one per answer that left its connection open, never
  // more than the most requests this transport had in flight at once (more connections than that were never open).
  // A dead-connection failure is replayed only while one of these is left, and uses it up: a server that resets or
  // cuts off every request on fresh connections costs at most that many replays, after which failures go to the
  // retry policy and `maxRetries` counts every request.
  let idle = 0;
  let inFlight = 0;
  let peak = 0;

  const resolveFetch = async (): Promise<FetchLike> => {
    if (options.fetch) return options.fetch;
    const { route } = options;
    if (!options.dispatcher && route === 'default') return (url, init) => globalThis.fetch(url, init);
    const undici = await loadUndici();
    if (options.dispatcher) {
      if (!undici) throw new AymaraInputError('The `dispatcher` option needs the undici package, which could not be loaded here');
      const dispatcher = options.dispatcher;
      return (url, init) => undici.fetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
    }
    if (!undici && route === 'direct')
      throw new AymaraInputError('NODE_USE_ENV_PROXY would send the API key to this local base URL through the proxy in clear text: add its host to NO_PROXY');
    if (!undici) {
      options.log.write('warn', 'Proxy variables are set but undici could not be loaded: the global fetch follows them only with NODE_USE_ENV_PROXY=1');
      return (url, init) => globalThis.fetch(url, init);
    }
    const dispatcher = options.connections.agent(undici, route as 'proxy' | 'direct');
    return (url, init) => undici.fetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
  };

  /** Sends the request; a request that met a dead kept-alive connection is sent once more (see `deadConnection`). */
  const fetchOnce = async (fetchFn: FetchLike, request: AymaraRequest): Promise<Response> => {
    const init: RequestInit = {
      method: request.method,
      headers: request.headers,
      signal: request.signal ?? null,
      // Redirects are the client's decision (the key may only follow same-origin ones), so fetch must not follow them.
      redirect: 'manual',
    };
    const go = () => {
      // A call made just before close() in the same tick reaches this point after it: it must not be sent.
      const closed = options.closedReason?.();
      if (closed) throw closed;
      return fetchFn(request.url, init);
    };
    try {
      return await go();
    } catch (error) {
      // The server closed a reused keep-alive connection as the request went out: nothing was answered, so the
      // request is sent again at once, on a fresh connection, without costing a retry.
      if (request.signal?.aborted || !IDEMPOTENT.has(request.method) || idle === 0 || !deadConnection(error)) throw error;
      idle -= 1;
      return go();
    }
  };

  /** The request sent and its answer read whole: the status, the headers and the body as text. */
  const exchange = async (fetchFn: FetchLike, request: AymaraRequest): Promise<AymaraResponse> => {
    const response = await fetchOnce(fetchFn, request);
    if (response.status < 200 || response.status > 599) {
      await response.body?.cancel().catch(() => undefined);
      throw new AymaraConnectionError(`Status ${response.status} is not a final HTTP response (${request.method} ${new URL(request.url).origin})`);
    }
    const body = await readBody(response, options.maxResponseSize, request);
    if (!/\bclose\b/i.test(response.headers.get('connection') ?? '')) idle = Math.min(idle + 1, peak);
    return { status: response.status, headers: headerRecord(response.headers), body };
  };

  const send: Next = async (request) => {
    peak = Math.max(peak, ++inFlight);
    try {
      const fetchFn = await (resolved ??= resolveFetch());
      const returned = options.connections.returned();
      if (returned) {
        await returned;
        if (request.signal?.aborted) throw request.signal.reason;
      }
      const response = await exchange(fetchFn, request);
      // The answer goes on at once; the next request waits for the connection (see `returned`).
      options.connections.bodyEnded();
      return response;
    } catch (error) {
      throw transportError(request, error);
    } finally {
      inFlight -= 1;
    }
  };

  return send;
}

const EMPTY = new Uint8Array(0);

/**
 * The body as text, read as a stream and decoded as UTF-8 (fetch has already undone the content-encoding),
 * a byte order mark dropped. Stops reading, and fails, as soon as it grows past `limit` bytes.
 */
async function readBody(response: Response, limit: number, request: AymaraRequest): Promise<string> {
  const tooLarge = () =>
    new AymaraResponseValidationError(`Response body is larger than maxResponseSize (${limit} bytes) (${request.method} ${new URL(request.url).origin})`, {
      path: '$',
      status: response.status,
      requestId: response.headers.get('x-request-id') || undefined,
    });
  // A declared length over the limit fails before a byte is read (it counts encoded bytes, so only when not encoded).
  const declared = Number(response.headers.get('content-length'));
  if (!response.headers.has('content-encoding') && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return '';
  // The bytes are held as they came and decoded once the body is whole: while reading, memory holds the body once
  // (no decoded copy beside chunks waiting to be collected), so a body cut off at the limit costs about the limit.
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      chunks.length = 0;
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const decoder = new TextDecoder(); // drops a leading BOM; invalid bytes become U+FFFD and fail JSON parsing or the schema
  let text = '';
  for (let i = 0; i < chunks.length; i++) {
    text += decoder.decode(chunks[i], { stream: true });
    chunks[i] = EMPTY; // let each chunk go as soon as it is decoded
  }
  return text + decoder.decode();
}

/** The `code` of an error or of its cause (fetch wraps network failures in `TypeError('fetch failed')`). */
function errorCode(error: unknown): string | undefined {
  try {
    const e = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
    const code = e?.code ?? e?.cause?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** The messages of an error and of its causes, for matching (undici nests the useful one a few levels down); never throws. */
function messages(error: unknown): string {
  let out = '';
  try {
    let current = error as { message?: unknown; cause?: unknown } | undefined;
    for (let depth = 0; current && depth < 8; depth++) {
      out += ` ${String(current.message ?? '')}`;
      current = current.cause as typeof current;
    }
  } catch {
    // what could be read is enough
  }
  return out;
}

/** `String(value)`, which throws for some values (an object with no prototype, a bad `toString`). */
function safeString(value: unknown): string {
  try {
    return value instanceof Error ? String(value.message) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The name of the first header HTTP cannot carry. Checked only on the error path, so it costs the hot path nothing. */
function invalidHeader(headers: Readonly<Record<string, string>>): string | undefined {
  for (const [name, value] of Object.entries(headers)) if (!isHeaderName(name) || !isHeaderValue(value)) return name;
  return undefined;
}

/**
 * What a failed send becomes. Errors the SDK made itself pass through; when the request's signal fired, its reason
 * (timeout, abort, close) is the error. A proxy's 407 is an `AymaraAPIError`. A header HTTP cannot carry is an
 * `AymaraInputError` quoting no header value (fetch's own message quotes it). Anything else below HTTP is an
 * `AymaraConnectionError` whose message never holds a credential.
 */
/**
 * A 407 answered by whatever sits at the base URL (an intercepting proxy, a gateway): fetch turns it into a network
 * error with no reason, as the Fetch standard says for a request with no window. With redirects left to the client,
 * that is the only failure fetch reports as `TypeError('fetch failed')` around an error with an empty message.
 */
function hidden407(error: unknown): boolean {
  const { message, cause } = (error ?? {}) as { message?: unknown; cause?: unknown };
  return message === 'fetch failed' && cause instanceof Error && cause.message === '' && (cause as { code?: unknown }).code === undefined;
}

function transportError(request: AymaraRequest, cause: unknown): unknown {
  if (request.signal?.aborted) return request.signal.reason;
  if (
    cause instanceof AymaraResponseValidationError ||
    cause instanceof AymaraConnectionError ||
    cause instanceof AymaraInputError ||
    cause instanceof AymaraAbortError
  )
    return cause;
  if (/Proxy Authentication Required \(407\)|Proxy response \(407\)/.test(messages(cause)) || hidden407(cause)) {
    return makeAPIError(407, {}, '');
  }
  // fetch refuses some ports outright (the Fetch standard's "bad ports": 1, 9, 6000, ...): no retry can change that.
  if ((cause as { cause?: { message?: unknown } } | undefined)?.cause?.message === 'bad port') {
    return new AymaraInputError(
      `Request not sent: fetch refuses to connect to port ${new URL(request.url).port} (a port the Fetch standard blocks); use another port in the base URL`,
    );
  }
  const bad = invalidHeader(request.headers);
  if (bad !== undefined) {
    const name = SECRET_HEADERS.has(bad) ? bad : JSON.stringify(bad.length > 40 ? `${bad.slice(0, 40)}...` : bad);
    return new AymaraInputError(`Header ${name} has characters HTTP does not allow in a header name or value; nothing was sent`);
  }
  const code = errorCode(cause);
  // undici refuses some headers outright (`connection`, `transfer-encoding`...); its messages name the header, never the value.
  if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED')
    return new AymaraInputError(`Request not sent: ${safeString((cause as { cause?: unknown }).cause ?? cause)}`, { cause });
  // fetch's TypeError names the real failure in its cause, when that is an error (msw's network error is a Response).
  const inner = (cause as { cause?: unknown } | undefined)?.cause;
  let detail = code ?? ((inner instanceof Error && safeString(inner)) || safeString(cause));
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
