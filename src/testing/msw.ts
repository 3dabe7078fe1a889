/**
 * aymara-ai/testing/msw: the mock Aymara API as msw request handlers. A separate entry, so that
 * `aymara-ai/testing` works without msw installed (msw is an optional peer dependency).
 * @packageDocumentation
 */
import { http, HttpResponse, type HttpHandler } from 'msw';
import { headerRecord } from '../internal/headers.js';
import { acceptsGzip, gzipText } from './encoding.js';
import type { MockFixtures } from './fixtures.js';
import { MockAymaraAPI, type MockFault } from './mock-api.js';

/** Options of `mockAymaraHandlers()`. */
export interface MockAymaraHandlersOptions {
  /** The key, evals and runs to serve; validated here (see `validateFixtures`). */
  fixtures: MockFixtures;
  /** Faults in effect from the start, first match wins; add more later with `api.inject()`. */
  faults?: readonly MockFault[] | undefined;
  /** Where the mock lives, a path prefix allowed (`https://proxy.test/aymara`). Default `https://api.aymara.ai`. */
  baseURL?: string | undefined;
}

/** What `mockAymaraHandlers()` returns. */
export interface MockAymaraHandlers {
  /** Pass them to `setupServer(...handlers)` or `server.use(...handlers)`. */
  handlers: HttpHandler[];
  /** The mock behind the handlers: `requests` it received, `inject()` and `clearFaults()` for faults. */
  api: MockAymaraAPI;
  /** The base URL the handlers answer at, without a trailing slash: give it to the client as `baseURL`. */
  baseURL: string;
}

/**
 * msw handlers that serve the mock Aymara API at `baseURL`, with the same behaviour as `startMockServer()`. A `reset`
 * fault answers a network error (`fetch` rejects), which the SDK reports as an `AymaraConnectionError`.
 *
 * A default client needs no option: it looks the global `fetch` up at each request, so msw sees every request
 * (retries and prefetched pages included), whether the client was created before or after `server.listen()`.
 * A client given a `dispatcher` sends through npm undici's own `fetch` instead, which msw does not intercept.
 *
 * @throws TypeError when the fixtures, faults or `baseURL` are malformed.
 *
 * @example
 * ```ts
 * import { setupServer } from 'msw/node';
 * const { handlers, api } = mockAymaraHandlers({ fixtures: { apiKey: 'test', runs: { 'run-1': { responses } } } });
 * const server = setupServer(...handlers);
 * server.listen({ onUnhandledFrame: 'error' }); // msw 2: onUnhandledRequest
 * const client = new AymaraAI({ apiKey: 'test', baseURL: 'https://api.aymara.ai' });
 * ```
 */
export function mockAymaraHandlers(options: MockAymaraHandlersOptions): MockAymaraHandlers {
  let base: URL;
  try {
    base = new URL(options.baseURL ?? 'https://api.aymara.ai');
  } catch {
    throw new TypeError(`aymara-ai/testing: baseURL is not a valid URL: ${JSON.stringify(options.baseURL)}`);
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  const baseURL = `${base.origin}${basePath}`;
  const api = new MockAymaraAPI(options.fixtures, { faults: options.faults, basePath });

  const handler = http.all(`${baseURL}/*`, async ({ request }) => {
    const outcome = await api.respond(api.describeRequest(request.method, new URL(request.url), headerRecord(request.headers)), request.signal);
    if (outcome === 'reset') return HttpResponse.error();
    // Gzip when the request asks for it, like the loopback server (a default fetch asks below msw, so rarely here).
    if (acceptsGzip(request.headers.get('accept-encoding')) && outcome.body.length > 0 && !outcome.headers['content-encoding']) {
      const headers = { ...outcome.headers, 'content-encoding': 'gzip', vary: 'accept-encoding' };
      return new HttpResponse(await gzipText(outcome.body), { status: outcome.status, headers });
    }
    return new HttpResponse(outcome.body, { status: outcome.status, headers: outcome.headers });
  });
  return { handlers: [handler], api, baseURL };
}
