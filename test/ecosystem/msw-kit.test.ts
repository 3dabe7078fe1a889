/**
 * A user's vitest file: msw's `setupServer` with the handlers of `aymara-ai/testing/msw`, and a default client
 * (no `fetch` option) created at the top of the module, before `server.listen()` patches the global fetch.
 * Every request, retries and prefetched pages included, must reach the handlers, and none the network.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AymaraAI, type Middleware } from 'aymara-ai';
import { generateResponses } from 'aymara-ai/testing';
import { mockAymaraHandlers } from 'aymara-ai/testing/msw';
import { blockDns } from './no-network.js';

const RUN = 'run-msw-kit';
const responses = generateResponses(250);

// What the client sent, attempt by attempt (user middleware runs once per attempt).
const sent: string[] = [];
const record: Middleware = (request, next) => {
  sent.push(request.url);
  return next(request);
};

// Created before the mock exists, as an app module that makes its client at import time would be.
const client = new AymaraAI({ apiKey: 'test-key', baseURL: 'https://api.aymara.ai', maxRetries: 1, middleware: [record] });

const { handlers, api } = mockAymaraHandlers({ fixtures: { apiKey: 'test-key', runs: { [RUN]: { responses } } } });
const server = setupServer(...handlers);
const dns = blockDns(); // a request that escaped the mock would fail, and show up here

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => {
  const received = api.requests.map((r) => r.url.href);
  const attempted = sent.splice(0);
  api.reset();
  expect(dns.take()).toEqual([]); // no host name looked up: nothing went to the network
  expect(received.sort()).toEqual(attempted.sort()); // pages in flight may arrive in any order
});
afterAll(async () => {
  dns.restore();
  server.close();
  await client.close();
});

describe('msw with the aymara-ai/testing handlers, a client made before listen()', () => {
  it('serves one page', async () => {
    const page = await client.evals.runs.listResponses(RUN, { limit: 100 });
    expect(page.items.map((r) => r.prompt_uuid)).toEqual(responses.slice(0, 100).map((r) => r.prompt_uuid));
    expect(page.count).toBe(250);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]?.headers['x-api-key']).toBe('test-key');
  });

  it('serves every page of a three-page run to for await', async () => {
    const seen: string[] = [];
    for await (const response of client.evals.runs.listResponses(RUN)) seen.push(response.prompt_uuid);
    expect(seen).toEqual(responses.map((r) => r.prompt_uuid));
    expect(api.requests.map((r) => r.offset).sort((a, b) => a - b)).toEqual([0, 100, 200]);
  });

  it('sees the retry of a 503', async () => {
    api.inject({ status: 503, times: 1, headers: { 'retry-after-ms': '1' } });
    const page = await client.evals.runs.listResponses(RUN, { limit: 10 });
    expect(page.items).toHaveLength(10);
    expect(api.requests).toHaveLength(2);
    expect(api.requests.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1']);
  });
});
