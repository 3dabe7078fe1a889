import type { Dispatcher } from 'undici';
import { AymaraInputError } from './errors.js';
import { isHeaderName, isHeaderValue } from './headers.js';
import { parseLogLevel, type Logger, type LogLevel } from './log.js';
import { describe } from './validate.js';
import type { Middleware } from './pipeline.js';
import type { FetchLike, ProxyRoute } from './types.js';

/** Options of `new AymaraAI(...)`. Every one is optional; environment variables fill the usual ones. */
export interface ClientOptions {
  /** Your Aymara API key. Default: `process.env.AYMARA_AI_API_KEY`. Sent only to `baseURL`'s origin. */
  apiKey?: string | undefined;
  /** Default: `process.env.AYMARA_AI_BASE_URL`, else `https://api.aymara.ai`. Must be https unless loopback. */
  baseURL?: string | undefined;
  /** Milliseconds per attempt, covering connect, headers and body. Default 60000. */
  timeout?: number | undefined;
  /** Retries after the first attempt for connection errors, timeouts, 408, 409, 429 and 5xx. Default 2. */
  maxRetries?: number | undefined;
  /**
   * A fetch-compatible function to send every request with. Default: the runtime's global `fetch`, looked up at
   * each request (so msw, nock and fetch instrumentation see it), or npm undici's `fetch` when a `dispatcher` is
   * given or proxy variables (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) are set when the client is created.
   */
  fetch?: FetchLike | undefined;
  /** An undici `Dispatcher` (an `Agent`, `ProxyAgent`, `MockAgent`...) to send requests over, with npm undici's `fetch`. Yours to close. */
  dispatcher?: Dispatcher | undefined;
  /** Headers merged into every request. */
  defaultHeaders?: Record<string, string> | undefined;
  /** Query parameters added to every request, for parameters this version of the SDK does not know yet. */
  defaultQuery?: Record<string, QueryValue> | undefined;
  /** Your middleware, outermost first; each runs once per attempt, after logging and before auth. */
  middleware?: readonly Middleware[] | undefined;
  /** Default: `process.env.AYMARA_AI_LOG`, else `'warn'`. */
  logLevel?: LogLevel | undefined;
  /** Where log lines go. Default: `console`. */
  logger?: Logger | undefined;
  /** Pages in flight during auto-pagination. Default 4; 1 is sequential. */
  pageConcurrency?: number | undefined;
  /** Bytes one response body may have once decoded; a larger one fails with `AymaraResponseValidationError`. Default 64 MiB. */
  maxResponseSize?: number | undefined;
  /** Allow a plain `http://` base URL that is not loopback. The key then crosses the network in clear text. */
  allowInsecureHTTP?: boolean | undefined;
  /** Allow running in a browser, where every visitor could read the key. */
  dangerouslyAllowBrowser?: boolean | undefined;
}

/** Per-call options. They change how a request is sent and are never sent as query parameters. */
export interface RequestOptions {
  /** Aborts the call, a backoff wait included; the call then rejects with `AymaraAbortError`. */
  signal?: AbortSignal | undefined;
  /** Milliseconds per attempt for this call. */
  timeout?: number | undefined;
  /** Retries for this call. */
  maxRetries?: number | undefined;
  /** Headers for this call, over `defaultHeaders`. */
  headers?: Record<string, string> | undefined;
  /** Query parameters for this call, over `defaultQuery` (typed parameters still win). */
  query?: Record<string, QueryValue> | undefined;
  /** Pages in flight when iterating this call with `for await`. */
  pageConcurrency?: number | undefined;
}

/** A value of an extra query parameter; `undefined` leaves the parameter out. */
export type QueryValue = string | number | boolean | undefined;

const DEFAULT_BASE_URL = 'https://api.aymara.ai';

export interface ResolvedConfig {
  apiKey: string;
  /** Without a trailing slash; may carry a path prefix. */
  baseURL: string;
  origin: string;
  timeout: number;
  maxRetries: number;
  pageConcurrency: number;
  maxResponseSize: number;
  logLevel: LogLevel;
  /** How requests leave: see {@link ProxyRoute}. */
  route: ProxyRoute;
}

function env(name: string): string | undefined {
  // Edge runtimes may have no `process`; an empty variable counts as unset.
  const value = typeof process !== 'undefined' ? process.env?.[name] : undefined;
  return value === '' ? undefined : value;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new AymaraInputError(message);
}

function checkTimeout(name: string, value: number | undefined): void {
  if (value !== undefined)
    check(typeof value === 'number' && value > 0 && value <= 2_147_483_647, `\`${name}\` must be a number of milliseconds > 0; got ${describe(value)}`);
}

function checkCount(name: string, value: number | undefined, min: number): void {
  if (value !== undefined) check(Number.isSafeInteger(value) && value >= min, `\`${name}\` must be an integer >= ${min}; got ${describe(value)}`);
}

function checkHeaders(name: string, headers: Record<string, string> | undefined): void {
  if (headers === undefined) return;
  check(typeof headers === 'object' && headers !== null, `\`${name}\` must be an object of header names to strings`);
  for (const [key, value] of Object.entries(headers)) {
    check(typeof value === 'string', `\`${name}\`: header ${JSON.stringify(key)} must be a string`);
    check(!/[\r\n]/.test(key) && !/[\r\n]/.test(value), `\`${name}\`: header ${JSON.stringify(key)} must not contain CR or LF`);
    check(isHeaderName(key), `\`${name}\`: ${JSON.stringify(key)} is not a valid header name`);
    // The value is not quoted: it may be a credential.
    check(isHeaderValue(value), `\`${name}\`: header ${JSON.stringify(key)} has characters HTTP does not allow in a header value`);
    check(!CONNECTION_HEADERS.has(key.toLowerCase()), `\`${name}\`: header ${JSON.stringify(key)} is managed by the HTTP client and cannot be set`);
  }
}

// Headers that describe the connection or the framing rather than the request: fetch manages them, and undici
// refuses some of them outright, so they are refused here, before anything is sent.
const CONNECTION_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'host',
  'content-length',
  'proxy-connection',
]);

function checkQuery(name: string, query: Record<string, QueryValue> | undefined): void {
  if (query === undefined) return;
  check(typeof query === 'object' && query !== null && !Array.isArray(query), `\`${name}\` must be an object of parameter names to values`);
  for (const [key, value] of Object.entries(query)) {
    check(
      value === undefined || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)),
      `\`${name}\`: parameter ${JSON.stringify(key)} must be a string, a finite number or a boolean`,
    );
  }
}

const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'];

/** Whether the runtime's global fetch itself follows the proxy variables (Node 24's opt-in env proxy). */
function runtimeFetchUsesProxy(): boolean {
  const on = env('NODE_USE_ENV_PROXY');
  if (on !== undefined && !/^(0|false)$/i.test(on)) return true;
  const flag = '--use-env-proxy';
  return (typeof process !== 'undefined' && process.execArgv?.includes(flag)) || (env('NODE_OPTIONS') ?? '').split(/\s+/).includes(flag);
}

/** Whether NO_PROXY names this host (or is `*`), so that a proxying runtime fetch goes direct anyway. */
function noProxyCovers(hostname: string): boolean {
  const entries = (env('NO_PROXY') ?? env('no_proxy') ?? '').toLowerCase().split(/[\s,]+/);
  return entries.some((entry) => entry === '*' || entry === hostname || `[${entry}]` === hostname);
}

/**
 * How requests leave ({@link ProxyRoute}), from the proxy variables as they are when the client is created. A
 * variable that is not an http(s) URL is refused now rather than failing every request later; the message never
 * quotes the value, which may hold a password. A loopback base URL is never proxied: the key would cross to the
 * proxy in clear.
 */
function resolveProxy(baseHostname: string): ProxyRoute {
  let any = false;
  for (const name of PROXY_VARIABLES) {
    const value = env(name);
    if (value === undefined) continue;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    check(
      url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '',
      `${name} is not a usable proxy URL: expected http://[user:password@]host:port, port 1-65535 (value not shown: it may hold a password)`,
    );
    any = true;
  }
  if (!any) return 'default';
  if (!isLoopback(baseHostname)) return 'proxy';
  return runtimeFetchUsesProxy() && !noProxyCovers(baseHostname) ? 'direct' : 'default';
}

/**
 * Loopback hosts, where plain http never leaves the machine: `localhost`, 127.0.0.0/8 and ::1 (as a URL's
 * hostname, already normalised by the URL parser). A name under `.localhost` is resolved by DNS, so it is not one.
 */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function resolveBaseURL(raw: string, allowInsecureHTTP: boolean): { baseURL: string; origin: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Echo the value to help fix it, but never what may be credentials: anything before an `@` stays hidden.
    const shown = raw.includes('@') ? `...@${raw.slice(raw.lastIndexOf('@') + 1)}` : raw;
    throw new AymaraInputError(`\`baseURL\` is not a valid URL: ${JSON.stringify(shown)}`);
  }
  check(url.protocol === 'https:' || url.protocol === 'http:', `\`baseURL\` must be an http(s) URL; got ${url.protocol}`);
  check(!url.username && !url.password, '`baseURL` must not contain credentials');
  check(!url.search && !url.hash, '`baseURL` must not contain a query or fragment');
  check(
    url.protocol === 'https:' || isLoopback(url.hostname) || allowInsecureHTTP,
    `\`baseURL\` must use https (http only for loopback hosts, or with allowInsecureHTTP: true); got ${url.origin}`,
  );
  return { baseURL: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, origin: url.origin };
}

let warnedLogLevel = false;

/**
 * The level AYMARA_AI_LOG asks for. A typo in an environment variable must not break production: it is warned about
 * once per process, and the default `warn` applies.
 */
function envLogLevel(sink: Logger): LogLevel {
  const value = env('AYMARA_AI_LOG');
  if (value === undefined) return 'warn';
  try {
    return parseLogLevel(value, 'AYMARA_AI_LOG');
  } catch (error) {
    if (!warnedLogLevel) {
      warnedLogLevel = true;
      sink.warn(`[aymara-ai] ${(error as Error).message}; using 'warn'`);
    }
    return 'warn';
  }
}

function inBrowser(): boolean {
  const g = globalThis as { window?: unknown; document?: unknown };
  return typeof g.window !== 'undefined' && typeof g.document !== 'undefined';
}

/** Options and environment into one checked configuration. Everything wrong is an `AymaraInputError`. */
export function resolveConfig(options: ClientOptions): ResolvedConfig {
  check(typeof options === 'object' && options !== null, 'AymaraAI options must be an object');
  check(
    !inBrowser() || options.dangerouslyAllowBrowser === true,
    'AymaraAI refuses to run in a browser, where every visitor could read your API key: call the API from your server, or pass dangerouslyAllowBrowser: true',
  );

  const apiKey = options.apiKey !== undefined ? options.apiKey : env('AYMARA_AI_API_KEY');
  check(typeof apiKey === 'string' && apiKey.length > 0, 'Missing API key: pass `apiKey` or set AYMARA_AI_API_KEY');
  check(!/[\r\n]/.test(apiKey as string), 'The API key must not contain CR or LF');
  check(isHeaderValue(apiKey), 'The API key has characters HTTP does not allow in a header value');

  const { baseURL, origin } = resolveBaseURL(options.baseURL ?? env('AYMARA_AI_BASE_URL') ?? DEFAULT_BASE_URL, options.allowInsecureHTTP === true);

  checkTimeout('timeout', options.timeout);
  checkCount('maxRetries', options.maxRetries, 0);
  checkCount('pageConcurrency', options.pageConcurrency, 1);
  checkCount('maxResponseSize', options.maxResponseSize, 1);
  checkHeaders('defaultHeaders', options.defaultHeaders);
  checkQuery('defaultQuery', options.defaultQuery);
  check(
    options.dispatcher === undefined || (typeof options.dispatcher === 'object' && options.dispatcher !== null),
    '`dispatcher` must be an undici Dispatcher',
  );
  check(options.fetch === undefined || typeof options.fetch === 'function', '`fetch` must be a function');
  check(
    options.middleware === undefined || (Array.isArray(options.middleware) && options.middleware.every((m) => typeof m === 'function')),
    '`middleware` must be an array of functions',
  );

  const logLevel = options.logLevel !== undefined ? parseLogLevel(options.logLevel, '`logLevel`') : envLogLevel(options.logger ?? console);

  return {
    apiKey: apiKey as string,
    baseURL,
    origin,
    timeout: options.timeout ?? 60_000,
    maxRetries: options.maxRetries ?? 2,
    pageConcurrency: options.pageConcurrency ?? 4,
    maxResponseSize: options.maxResponseSize ?? 64 * 1024 * 1024,
    logLevel,
    route: resolveProxy(new URL(baseURL).hostname),
  };
}

/** Checks per-call options; returns nothing, throws `AymaraInputError`. */
export function checkRequestOptions(options: RequestOptions | undefined): void {
  if (options === undefined) return;
  check(typeof options === 'object' && options !== null, 'request options must be an object');
  checkTimeout('timeout', options.timeout);
  checkCount('maxRetries', options.maxRetries, 0);
  checkCount('pageConcurrency', options.pageConcurrency, 1);
  checkHeaders('headers', options.headers);
  checkQuery('query', options.query);
  check(options.signal === undefined || options.signal instanceof AbortSignal, '`signal` must be an AbortSignal');
}
