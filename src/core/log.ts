import { AymaraInputError, redact } from './errors.js';
import { shownHeaderValue } from './headers.js';
import type { Middleware } from './pipeline.js';

/** How much the SDK logs, from nothing to every attempt's headers. */
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

const LOG_LEVELS: readonly LogLevel[] = ['off', 'error', 'warn', 'info', 'debug'];
/** How much the client logs: `'off'`, `'error'`, `'warn'` (the default), `'info'` (a line per attempt), `'debug'` (with headers). */

/** A console-compatible sink. `console` is the default. */
export interface Logger {
  /** Gets the lines of level `'error'`. */
  error(message: string, ...rest: unknown[]): void;
  /** Gets the lines of level `'warn'`: a request being retried. */
  warn(message: string, ...rest: unknown[]): void;
  /** Gets the lines of level `'info'`: one per attempt. */
  info(message: string, ...rest: unknown[]): void;
  /** Gets the lines of level `'debug'`: the request and response headers, credentials redacted. */
  debug(message: string, ...rest: unknown[]): void;
}

type Level = Exclude<LogLevel, 'off'>;

/** A logger that drops what is below its level. */
export interface Log {
  enabled(level: Level): boolean;
  write(level: Level, message: string, data?: Record<string, unknown>): void;
}

export function parseLogLevel(value: string, source: string): LogLevel {
  const level = value.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new AymaraInputError(`${source} must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(value)}`);
}

export function makeLog(level: LogLevel, sink: Logger): Log {
  const rank = LOG_LEVELS.indexOf(level);
  const enabled = (l: Level) => rank >= LOG_LEVELS.indexOf(l);
  return {
    enabled,
    write(l, message, data) {
      if (!enabled(l)) return;
      if (data) sink[l](`[aymara-ai] ${message}`, data);
      else sink[l](`[aymara-ai] ${message}`);
    },
  };
}

/** A copy of the headers with credentials replaced, for logs: credential headers, and any value holding a secret. */
function redactHeaders(headers: Readonly<Record<string, string>>, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = redact(shownHeaderValue(name, value), secrets);
  return out;
}

/**
 * A line per attempt at `info`; request and response headers (redacted) at `debug`. `secrets` (the key) are
 * replaced wherever a server echoes them back in a header.
 */
export function loggingMiddleware(log: Log, secrets: readonly string[] = []): Middleware {
  return async (request, next) => {
    if (!log.enabled('info')) return next(request);
    const started = performance.now();
    const what = `${request.method} ${request.url} (attempt ${request.attempt} of ${request.maxRetries + 1})`;
    const debug = log.enabled('debug');
    if (debug) log.write('debug', `${what} request`, { headers: redactHeaders(request.headers, secrets) });
    try {
      const response = await next(request);
      const ms = Math.round(performance.now() - started);
      if (debug) log.write('debug', `${what} -> ${response.status} in ${ms} ms`, { headers: redactHeaders(response.headers, secrets) });
      else log.write('info', `${what} -> ${response.status} in ${ms} ms`);
      return response;
    } catch (error) {
      const ms = Math.round(performance.now() - started);
      log.write('info', `${what} failed in ${ms} ms: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      throw error;
    }
  };
}
