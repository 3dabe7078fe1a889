import type { Middleware } from './pipeline.js';

/**
 * Adds `x-api-key`, and only to requests for the configured origin: the one place that holds the key.
 * The key lives in this closure, so no object the user can inspect or serialize carries it.
 */
export function authMiddleware(apiKey: string, origin: string): Middleware {
  const prefix = `${origin}/`;
  return (request, next) => next(request.url.startsWith(prefix) ? { ...request, headers: { ...request.headers, 'x-api-key': apiKey } } : request);
}
