import type { Dispatcher } from 'undici';
import { AymaraInputError } from './errors.js';
import { isHeaderName, isHeaderValue } from './headers.js';
import { parseLogLevel, type Logger, type LogLevel } from './log.js';
import type { Middleware } from './pipeline.js';
import type { FetchLike } from './transport.js';

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
  /** A fetch-compatible function to send requests with, in place of undici (edge runtimes, tests). */
  fetch?: FetchLike | undefined;
  /** An undici `Dispatcher` (an `Agent`, `ProxyAgent`, `MockAgent`...) for the default transport. */
  dispatcher?: Dispatcher | undefined;
  /** Headers merged into every request. */
  defaultHeaders?: Record<string, string> | undefined;
  /** Your middleware, outermost first; each runs once per attempt, after logging and before auth. */
  middleware?: readonly Middleware[] | undefined;
  /** Default: `process.env.AYMARA_AI_LOG`, else `'warn'`. */
  logLevel?: LogLevel | undefined;
  /** Where log lines go. Default: `console`. */
  logger?: Logger | undefined;
  /** Pages in flight during auto-pagination. Default 4; 1 is sequential. */
  pageConcurrency?: number | undefined;
  /** Keep-alive connections per origin in the default transport's pool. Default 16. */
  maxConnections?: number | undefined;
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
  /** Pages in flight when iterating this call with `for await`. */
  pageConcurrency?: number | undefined;
}

export const DEFAULT_BASE_URL = 'https://api.aymara.ai';

export interface ResolvedConfig {
  apiKey: string;
  /** Without a trailing slash; may carry a path prefix. */
  baseURL: string;
  origin: string;
  timeout: number;
  maxRetries: number;
  pageConcurrency: number;
  maxConnections: number;
  logLevel: LogLevel;
}

function env(name: string): string | undefined {
  // Edge runtimes may have no `process`; an empty variable counts as unset.
  const value = typeof process !== 'undefined' ? process.env?.[name] : undefined;
  return value === '' ? undefined : value;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new AymaraInputError(message);
}

export function checkTimeout(name: string, value: number | undefined): void {
  if (value !== undefined) check(typeof value === 'number' && value > 0 && value <= 2_147_483_647, `\`${name}\` must be a number of milliseconds > 0; got ${String(value)}`);
}

export function checkCount(name: string, value: number | undefined, min: number): void {
  if (value !== undefined) check(Number.isSafeInteger(value) && value >= min, `\`${name}\` must be an integer >= ${min}; got ${String(value)}`);
}

export function checkHeaders(name: string, headers: Record<string, string> | undefined): void {
  if (headers === undefined) return;
  check(typeof headers === 'object' && headers !== null, `\`${name}\` must be an object of header names to strings`);
  for (const [key, value] of Object.entries(headers)) {
    check(typeof value === 'string', `\`${name}\`: header ${JSON.stringify(key)} must be a string`);
    check(!/[\r\n]/.test(key) && !/[\r\n]/.test(value), `\`${name}\`: header ${JSON.stringify(key)} must not contain CR or LF`);
    check(isHeaderName(key), `\`${name}\`: ${JSON.stringify(key)} is not a valid header name`);
    // The value is not quoted: it may be a credential.
    check(isHeaderValue(value), `\`${name}\`: header ${JSON.stringify(key)} has characters HTTP does not allow in a header value`);
  }
}

/** Loopback hosts, where plain http never leaves the machine. */
export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function resolveBaseURL(raw: string, allowInsecureHTTP: boolean): { baseURL: string; origin: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AymaraInputError(`\`baseURL\` is not a valid URL: ${JSON.stringify(raw)}`);
  }
  check(url.protocol === 'https:' || url.protocol === 'http:', `\`baseURL\` must be an http(s) URL; got ${url.protocol}`);
  check(!url.username && !url.password, '`baseURL` must not contain credentials');
  check(!url.search && !url.hash, '`baseURL` must not contain a query or fragment');
  check(
    url.protocol === 'https:' || isLoopback(url.hostname) || allowInsecureHTTP,
    `\`baseURL\` must use https (plain http is allowed only for loopback hosts, or with allowInsecureHTTP: true); got ${url.origin}`,
  );
  return { baseURL: `${url.origin}${url.pathname.replace(/\/+$/, '')}`, origin: url.origin };
}

function inBrowser(): boolean {
  const g = globalThis as { window?: unknown; document?: unknown };
  return typeof g.window !== 'undefined' && typeof g.document !== 'undefined';
}

/** Options and environment into one checked configuration. Everything wrong is an `AymaraInputError`. */
export function resolveConfig(options: ClientOptions): ResolvedConfig {
  check(typeof options === 'object' && options !== null, 'AymaraAI options must be an object');
  check(!inBrowser() || options.dangerouslyAllowBrowser === true, 'AymaraAI refuses to run in a browser, where every visitor could read your API key. Call the API from your server, or pass dangerouslyAllowBrowser: true if you understand the risk.');

  const apiKey = options.apiKey !== undefined ? options.apiKey : env('AYMARA_AI_API_KEY');
  check(typeof apiKey === 'string' && apiKey.length > 0, 'Missing API key: pass `apiKey` or set AYMARA_AI_API_KEY');
  check(!/[\r\n]/.test(apiKey as string), 'The API key must not contain CR or LF');
  check(isHeaderValue(apiKey), 'The API key has characters HTTP does not allow in a header value');

  const { baseURL, origin } = resolveBaseURL(options.baseURL ?? env('AYMARA_AI_BASE_URL') ?? DEFAULT_BASE_URL, options.allowInsecureHTTP === true);

  checkTimeout('timeout', options.timeout);
  checkCount('maxRetries', options.maxRetries, 0);
  checkCount('pageConcurrency', options.pageConcurrency, 1);
  checkCount('maxConnections', options.maxConnections, 1);
  checkHeaders('defaultHeaders', options.defaultHeaders);
  check(options.fetch === undefined || typeof options.fetch === 'function', '`fetch` must be a function');
  check(options.middleware === undefined || (Array.isArray(options.middleware) && options.middleware.every((m) => typeof m === 'function')), '`middleware` must be an array of functions');

  const envLevel = env('AYMARA_AI_LOG');
  const logLevel = options.logLevel !== undefined ? parseLogLevel(options.logLevel, '`logLevel`') : envLevel !== undefined ? parseLogLevel(envLevel, 'AYMARA_AI_LOG') : 'warn';

  return {
    apiKey: apiKey as string,
    baseURL,
    origin,
    timeout: options.timeout ?? 60_000,
    maxRetries: options.maxRetries ?? 2,
    pageConcurrency: options.pageConcurrency ?? 4,
    maxConnections: options.maxConnections ?? 16,
    logLevel,
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
  check(options.signal === undefined || options.signal instanceof AbortSignal, '`signal` must be an AbortSignal');
}
