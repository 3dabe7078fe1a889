/**
 * A user's vitest file: msw's `setupServer` with hand-written `http.get` handlers for the list endpoint, and a
 * default client (no `fetch` option) created at the top of the module, before `server.listen()`. msw's
 * life-cycle events count every request it intercepted, matched or not.
 */
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AymaraAI, ServiceUnavailableError, type Middleware } from 'aymara-ai';
import { generateResponses } from 'aymara-ai/testing';
import { blockDns } from './no-network.js';

const RUN = 'run-msw-handlers';
const ENDPOINT = 'https://api.aymara.ai/v2/eval-runs/:id/responses';
const responses = generateResponses(250);

const sent: string[] = [];
const record: Middleware = (request, next) => {
  sent.push(request.url);
  return next(request);
};

// Created before the mock exists.
const client = new AymaraAI({ apiKey: 'test-key', baseURL: 'https://api.aymara.ai', maxRetries: 1, middleware: [record] });

/** The list endpoint as the API serves it: `limit` (default 100) and `offset` over `responses`, the key checked. */
const listResponses = http.get(ENDPOINT, ({ request, params }) => {
  if (request.headers.get('x-api-key') !== 'test-key') {
    return HttpResponse.json({ error: { code: 'auth.invalid_key', message: 'Invalid API key' } }, { status: 401 });
  }
  if (params.id !== RUN) return HttpResponse.json({ error: { code: 'resource.not_found', message: 'No such run' } }, { status: 404 });
  const query = new URL(request.url).searchParams;
  const offset = Number(query.get('offset') ?? 0);
  const limit = Number(query.get('limit') ?? 100);
  return HttpResponse.json({ items: responses.slice(offset, offset + limit), count: responses.length });
});

const server = setupServer(listResponses);
const intercepted: Request[] = [];
server.events.on('request:start', ({ request }) => {
  intercepted.push(request);
});
const dns = blockDns(); // a request that escaped the mock would fail, and show up here

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  const received = intercepted.splice(0).map((r) => r.url);
  const attempted = sent.splice(0);
  server.resetHandlers();
  expect(dns.take()).toEqual([]); // no host name looked up: nothing went to the network
  expect(received.sort()).toEqual(attempted.sort()); // pages in flight may arrive in any order
});
afterAll(async () => {
  dns.restore();
  server.close();
  await client.close();
});

describe('msw with hand-written handlers, a client made before listen()', () => {
  it('serves one page', async () => {
    const page = await client.evals.runs.listResponses(RUN, { limit: 100 });
    expect(page.items).toHaveLength(100);
    expect(page.items[0]?.prompt_uuid).toBe(responses[0]?.prompt_uuid);
    expect(page.count).toBe(250);
    expect(intercepted).toHaveLength(1);
  });

  it('serves every page of a three-page run to for await', async () => {
    const seen: string[] = [];
    for await (const response of client.evals.runs.listResponses(RUN)) seen.push(response.prompt_uuid);
    expect(seen).toEqual(responses.map((r) => r.prompt_uuid));
    expect(intercepted.map((r) => Number(new URL(r.url).searchParams.get('offset') ?? 0)).sort((a, b) => a - b)).toEqual([0, 100, 200]);
  });

  it('sees the retry of a 503', async () => {
    server.use(
      http.get(ENDPOINT, () => HttpResponse.json({ error: { message: 'Service unavailable' } }, { status: 503, headers: { 'retry-after-ms': '1' } }), {
        once: true,
      }),
    );
    const page = await client.evals.runs.listResponses(RUN, { limit: 10 });
    expect(page.items).toHaveLength(10);
    expect(intercepted.map((r) => r.headers.get('x-stainless-retry-count'))).toEqual(['0', '1']);
  });

  it('reports a 503 that outlasts the retries', async () => {
    server.use(http.get(ENDPOINT, () => new HttpResponse('upstream down', { status: 503, headers: { 'retry-after-ms': '1' } })));
    await expect(client.evals.runs.listResponses(RUN)).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(intercepted).toHaveLength(2); // the first attempt and maxRetries: 1
  });
});
