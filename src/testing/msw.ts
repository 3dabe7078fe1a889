import { http, HttpResponse, delay, type HttpHandler } from 'msw';
import type { MockFixtures } from './fixtures.js';
import { MockAymaraAPI, type MockFault } from './mock-api.js';

/**
 * msw handlers that serve the mock Aymara API at `baseURL`. Use them with `setupServer(...)` and a client
 * created with `fetch: globalThis.fetch` (msw sees global fetch, not the sockets undici opens itself).
 */
export function mockAymaraHandlers(options: { fixtures: MockFixtures; faults?: readonly MockFault[]; baseURL?: string }): {
  handlers: HttpHandler[];
  api: MockAymaraAPI;
} {
  const api = new MockAymaraAPI(options.fixtures, options.faults);
  const base = (options.baseURL ?? 'https://api.aymara.ai').replace(/\/+$/, '');
  const handler = http.all(`${base}/*`, async ({ request }) => {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const url = new URL(request.url);
    // The mock routes on the path below the base URL.
    const path = url.pathname.slice(new URL(base).pathname.replace(/\/$/, '').length);
    const mockRequest = { method: request.method, url: new URL(`${path}${url.search}`, url.origin), headers };
    const fault = api.takeFault(mockRequest);
    if (fault?.latencyMs) await delay(fault.latencyMs);
    if (fault?.reset) return HttpResponse.error();
    const answer = api.answer(mockRequest, fault);
    return new HttpResponse(answer.body, { status: answer.status, headers: answer.headers });
  });
  return { handlers: [handler], api };
}
