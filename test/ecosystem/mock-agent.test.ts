/**
 * A user's vitest file: undici's `MockAgent` given to the client as its `dispatcher`, real connections refused
 * with `disableNetConnect()`, the replies registered per test after the client was made. The agent's call
 * history counts every request that reached it, matched or not. Last, the same agent as undici's global
 * dispatcher, which Node's own fetch shares, serving a default client.
 */
import { getGlobalDispatcher, MockAgent, setGlobalDispatcher, type Interceptable } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AymaraAI, type Middleware } from 'aymara-ai';
import { generateResponses } from 'aymara-ai/testing';
import { blockDns } from './no-network.js';

const BASE = 'https://api.aymara.ai';
const RUN = 'run-mock-agent';
const PATH = `/v2/eval-runs/${RUN}/responses`;
const responses = generateResponses(250);

const agent = new MockAgent({ enableCallHistory: true });
agent.disableNetConnect();

const sent: string[] = [];
const record: Middleware = (request, next) => {
  sent.push(request.url);
  return next(request);
};

const client = new AymaraAI({ apiKey: 'test-key', baseURL: BASE, dispatcher: agent, maxRetries: 1, middleware: [record] });
const api: Interceptable = agent.get(BASE);
const dns = blockDns(); // a request that escaped the mock would fail, and show up here

/** Intercepts the list endpoint, any query, the key checked; `.reply()` still to say. */
const listResponses = () => api.intercept({ method: 'GET', path: (path) => path.split('?')[0] === PATH, headers: { 'x-api-key': 'test-key' } });

/** A page as the API serves it: `limit` (default 100) and `offset` over `responses`. */
const page = ({ path }: { path: string }) => {
  const query = new URL(path, BASE).searchParams;
  const offset = Number(query.get('offset') ?? 0);
  const limit = Number(query.get('limit') ?? 100);
  return {
    statusCode: 200,
    data: JSON.stringify({ items: responses.slice(offset, offset + limit), count: responses.length }),
    responseOptions: { headers: { 'content-type': 'application/json' } },
  };
};

/** Every call the agent received, as full URLs. */
const calls = () => agent.getCallHistory()?.calls() ?? [];

afterEach(() => {
  const received = calls().map((call) => call.fullUrl);
  const attempted = sent.splice(0);
  const pending = agent.pendingInterceptors();
  agent.clearCallHistory();
  expect(dns.take()).toEqual([]); // no host name looked up: nothing went to the network
  expect(received.sort()).toEqual(attempted.sort()); // pages in flight may arrive in any order
  expect(pending).toEqual([]);
});
afterAll(async () => {
  dns.restore();
  await client.close();
  await agent.close(); // the client does not close a dispatcher it was given
});

describe('undici MockAgent as the dispatcher', () => {
  it('serves one page', async () => {
    listResponses().reply(page);
    const first = await client.evals.runs.listResponses(RUN, { limit: 100 });
    expect(first.items).toHaveLength(100);
    expect(first.items[0]?.prompt_uuid).toBe(responses[0]?.prompt_uuid);
    expect(first.count).toBe(250);
    expect(calls()).toHaveLength(1);
  });

  it('serves every page of a three-page run to for await', async () => {
    listResponses().reply(page).times(3);
    const seen: string[] = [];
    for await (const response of client.evals.runs.listResponses(RUN)) seen.push(response.prompt_uuid);
    expect(seen).toEqual(responses.map((r) => r.prompt_uuid));
    expect(
      calls()
        .map((call) => Number(call.searchParams.offset ?? 0))
        .sort((a, b) => a - b),
    ).toEqual([0, 100, 200]);
  });

  it('sees the retry of a 503', async () => {
    listResponses().reply(503, { error: { message: 'Service unavailable' } }, { headers: { 'retry-after-ms': '1' } });
    listResponses().reply(page);
    const first = await client.evals.runs.listResponses(RUN, { limit: 10 });
    expect(first.items).toHaveLength(10);
    expect(calls().map((call) => new Headers(call.headers as HeadersInit).get('x-stainless-retry-count'))).toEqual(['0', '1']);
  });
});

describe('undici MockAgent as the global dispatcher', () => {
  it('serves a default client, which sends through the global fetch', async () => {
    const previous = getGlobalDispatcher();
    setGlobalDispatcher(agent);
    const plain = new AymaraAI({ apiKey: 'test-key', baseURL: BASE, maxRetries: 1, middleware: [record] });
    try {
      listResponses().reply(page).times(3);
      let seen = 0;
      for await (const response of plain.evals.runs.listResponses(RUN)) if (response.prompt_uuid) seen++;
      expect(seen).toBe(250);
      expect(calls()).toHaveLength(3);
    } finally {
      await plain.close();
      setGlobalDispatcher(previous);
    }
  });
});
