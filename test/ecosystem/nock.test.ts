/**
 * A user's vitest file: nock (which intercepts the global fetch as well as node:http), real connections
 * refused with `disableNetConnect()`, and a default client (no `fetch` option) created while nock is not active,
 * as when the app module that makes the client is loaded before nock.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AymaraAI, type Middleware } from 'aymara-ai';
import { generateResponses } from 'aymara-ai/testing';
import { blockDns } from './no-network.js';

const BASE = 'https://api.aymara.ai';
const RUN = 'run-nock';
const PATH = `/v2/eval-runs/${RUN}/responses`;
const responses = generateResponses(250);

const sent: string[] = [];
const record: Middleware = (request, next) => {
  sent.push(request.url);
  return next(request);
};

// nock patches fetch as soon as it is imported: undo that so the client below is made with no mock in place.
nock.restore();
const client = new AymaraAI({ apiKey: 'test-key', baseURL: BASE, maxRetries: 1, middleware: [record] });

// Every request nock saw, answered or not, in order. (nock 15 gives reply functions the fetch `Request`.)
const intercepted: Request[] = [];
nock.emitter.on('no match', (request) => {
  intercepted.push(request);
});

/** An interceptor for the list endpoint, any query, the key checked; `.reply()` still to say. */
function listResponses(): nock.Interceptor {
  return nock(BASE, { reqheaders: { 'x-api-key': 'test-key' } })
    .get(PATH)
    .query(true);
}
/** A page as the API serves it: `limit` (default 100) and `offset` over `responses`. */
const page = (request: Request): nock.ReplyFnResult => {
  intercepted.push(request);
  const query = new URL(request.url).searchParams;
  const offset = Number(query.get('offset') ?? 0);
  const limit = Number(query.get('limit') ?? 100);
  return [200, { items: responses.slice(offset, offset + limit), count: responses.length }];
};

const dns = blockDns(); // a request that escaped the mock would fail, and show up here

beforeAll(() => {
  nock.activate();
  nock.disableNetConnect();
});
afterEach(() => {
  const pending = nock.pendingMocks();
  const received = intercepted.splice(0).map((r) => r.url);
  const attempted = sent.splice(0);
  nock.cleanAll();
  expect(dns.take()).toEqual([]); // no host name looked up: nothing went to the network
  expect(received.sort()).toEqual(attempted.sort()); // pages in flight may arrive in any order
  expect(pending).toEqual([]);
});
afterAll(async () => {
  dns.restore();
  nock.enableNetConnect();
  nock.restore();
  await client.close();
});

describe('nock, a client made before nock was active', () => {
  it('serves one page', async () => {
    listResponses().reply(page);
    const first = await client.evals.runs.listResponses(RUN, { limit: 100 });
    expect(first.items).toHaveLength(100);
    expect(first.items[0]?.prompt_uuid).toBe(responses[0]?.prompt_uuid);
    expect(first.count).toBe(250);
    expect(intercepted).toHaveLength(1);
  });

  it('serves every page of a three-page run to for await', async () => {
    listResponses().times(3).reply(page);
    const seen: string[] = [];
    for await (const response of client.evals.runs.listResponses(RUN)) seen.push(response.prompt_uuid);
    expect(seen).toEqual(responses.map((r) => r.prompt_uuid));
    expect(intercepted.map((r) => Number(new URL(r.url).searchParams.get('offset') ?? 0)).sort((a, b) => a - b)).toEqual([0, 100, 200]);
  });

  it('sees the retry of a 503', async () => {
    listResponses().reply((request: Request) => {
      intercepted.push(request);
      return [503, { error: { message: 'Service unavailable' } }, { 'retry-after-ms': '1' }];
    });
    listResponses().reply(page);
    const first = await client.evals.runs.listResponses(RUN, { limit: 10 });
    expect(first.items).toHaveLength(10);
    expect(intercepted.map((r) => r.headers.get('x-stainless-retry-count'))).toEqual(['0', '1']);
  });
});
