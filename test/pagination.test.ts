import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { AymaraAI, AymaraError, InternalServerError, NotFoundError, type ClientOptions, type EvalScoredResponse } from 'aymara-ai';
import { generateResponses, startMockServer, type MockServer } from 'aymara-ai/testing';
import { json, rejectionOf, response, startServer, type TestServer } from './helpers/server.js';

const KEY = 'pagination-test-key';
const RUN = 'run-1050';
const WORKSPACE = 'ws-1';
const RESPONSES = generateResponses(1050);
const UUIDS = RESPONSES.map((r) => r.prompt_uuid as string);

type Handler = Parameters<typeof startServer>[0];
type Ctx = Pick<TestContext, 'onTestFinished'>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function collect(iterable: AsyncIterable<EvalScoredResponse>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item.prompt_uuid);
  return out;
}

/** A custom loopback server and a client for it, both closed when the test ends. */
async function setup(ctx: Ctx, handler: Handler, options: ClientOptions = {}): Promise<{ server: TestServer; client: AymaraAI }> {
  const server = await startServer(handler);
  const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off', maxRetries: 0, ...options });
  ctx.onTestFinished(async () => {
    await server.close();
    await client.close();
  });
  return { server, client };
}

/** limit and offset of a request the custom server saw. */
function paging(url: string): { limit: number; offset: number } {
  const query = new URL(url, 'http://x').searchParams;
  return { limit: Number(query.get('limit') ?? 100), offset: Number(query.get('offset') ?? 0) };
}

/** A run of `total` items p-0, p-1, ... whose pages report `count` (the run's total unless told otherwise). */
function run(total: number, count = total, pageSize: (offset: number, limit: number) => number = (_o, l) => l): Handler {
  return (req, res, seen) => {
    // A runaway iterator fails fast instead of hanging the test.
    if (seen.length > 100) return json(res, 500, { error: { code: 'server.internal_error', message: 'too many requests', details: {} } });
    const { limit, offset } = paging(req.url ?? '');
    const end = Math.min(total, offset + pageSize(offset, limit));
    json(res, 200, { items: Array.from({ length: Math.max(0, end - offset) }, (_, i) => response(offset + i)), count });
  };
}

const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `p-${from + i}`);

describe('auto-pagination over the mock API (1,050 responses)', () => {
  let mock: MockServer;
  let client: AymaraAI;

  beforeAll(async () => {
    mock = await startMockServer({ fixtures: { apiKey: KEY, runs: { [RUN]: { workspace_uuid: WORKSPACE, responses: RESPONSES } } } });
    client = new AymaraAI({ apiKey: KEY, baseURL: mock.url, logLevel: 'off', maxRetries: 0 });
  });
  afterAll(async () => {
    await client.close();
    await mock.close();
  });

  /** Requests the mock has answered from now on. */
  function requestsFrom(): () => URL[] {
    const start = mock.api.requests.length;
    return () => mock.api.requests.slice(start).map((r) => r.url);
  }

  it('for await at limit 100 yields all 1,050 responses in fixture order, one request per page', async () => {
    const seen = requestsFrom();
    expect(await collect(client.evals.runs.listResponses(RUN, { limit: 100 }))).toEqual(UUIDS);
    const offsets = seen().map((url) => Number(url.searchParams.get('offset') ?? 0));
    expect(offsets.sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    for (const url of seen()) expect(url.searchParams.get('limit')).toBe('100');
  });

  it('with the default limit, yields all 1,050 in order', async () => {
    expect(await collect(client.evals.runs.listResponses(RUN))).toEqual(UUIDS);
  });

  it.each([1, 2, 4, 8])('with pageConcurrency %i, yields all 1,050 in order', async (pageConcurrency) => {
    expect(await collect(client.evals.runs.listResponses(RUN, { limit: 100 }, { pageConcurrency }))).toEqual(UUIDS);
  });

  it('a limit over what the server serves per page (500) still yields every response once, in order', async () => {
    expect(await collect(client.evals.runs.listResponses(RUN, { limit: 1000 }))).toEqual(UUIDS);
  });

  it('a limit that does not divide the total yields every response once, in order', async () => {
    expect(await collect(client.evals.runs.listResponses(RUN, { limit: 37 }))).toEqual(UUIDS);
  });

  it('`offset` starts the iteration there', async () => {
    expect(await collect(client.evals.runs.listResponses(RUN, { offset: 250, limit: 100 }))).toEqual(UUIDS.slice(250));
    expect(await collect(client.evals.runs.listResponses(RUN, { offset: 1049 }))).toEqual(UUIDS.slice(1049));
    expect(await collect(client.evals.runs.listResponses(RUN, { offset: 5000 }))).toEqual([]);
  });

  it('walks the pages by hand with hasNextPage() and getNextPage()', async () => {
    const first = await client.evals.runs.listResponses(RUN, { limit: 400 });
    expect(first.offset).toBe(0);
    expect(first.count).toBe(1050);
    expect(first.items.map((r) => r.prompt_uuid)).toEqual(UUIDS.slice(0, 400));
    expect(first.hasNextPage()).toBe(true);

    const second = await first.getNextPage();
    expect(second.offset).toBe(400);
    expect(second.items.map((r) => r.prompt_uuid)).toEqual(UUIDS.slice(400, 800));
    expect(second.hasNextPage()).toBe(true);

    const last = await second.getNextPage();
    expect(last.offset).toBe(800);
    expect(last.count).toBe(1050);
    expect(last.items.map((r) => r.prompt_uuid)).toEqual(UUIDS.slice(800));
    expect(last.hasNextPage()).toBe(false);

    const seen = requestsFrom();
    const error = await rejectionOf(last.getNextPage());
    expect(error).toBeInstanceOf(AymaraError);
    expect(seen()).toHaveLength(0);
  });

  it('sends workspace_uuid (and limit) on every page request, and no request option as a query parameter', async () => {
    const seen = requestsFrom();
    const items = await collect(client.evals.runs.listResponses(RUN, { limit: 200, workspace_uuid: WORKSPACE }, { pageConcurrency: 2, maxRetries: 1 }));
    expect(items).toEqual(UUIDS);
    expect(seen().length).toBeGreaterThanOrEqual(6);
    for (const url of seen()) {
      expect(url.searchParams.get('workspace_uuid')).toBe(WORKSPACE);
      expect(url.searchParams.get('limit')).toBe('200');
      expect([...url.searchParams.keys()].every((k) => ['limit', 'offset', 'workspace_uuid'].includes(k))).toBe(true);
    }
  });

  it('a run in another workspace is a NotFoundError, for a page and for iteration', async () => {
    const error = await rejectionOf(client.evals.runs.listResponses(RUN, { workspace_uuid: 'ws-other' }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'resource.not_found' });
    expect(await rejectionOf(collect(client.evals.runs.listResponses(RUN, { workspace_uuid: 'ws-other' })))).toBeInstanceOf(NotFoundError);
  });

  it('`break` in for await stops fetching pages', async () => {
    const seen = requestsFrom();
    const got: string[] = [];
    for await (const item of client.evals.runs.listResponses(RUN, { limit: 50 })) {
      got.push(item.prompt_uuid);
      if (got.length === 75) break;
    }
    expect(got).toEqual(UUIDS.slice(0, 75));
    await sleep(300);
    const afterBreak = seen().length;
    // 21 pages in all; at most the pages already in flight (a prefetching iterator) may still arrive.
    expect(afterBreak).toBeLessThanOrEqual(8);
    await sleep(300);
    expect(seen()).toHaveLength(afterBreak);
  });

  it('an error on a page is thrown after every item of the pages before it', async () => {
    mock.api.inject({ status: 500, match: (r) => r.url.pathname.includes(RUN) && r.url.searchParams.get('offset') === '300' });
    try {
      const got: string[] = [];
      const error = await rejectionOf(
        (async () => {
          for await (const item of client.evals.runs.listResponses(RUN, { limit: 100 })) got.push(item.prompt_uuid);
        })(),
      );
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error).toMatchObject({ status: 500 });
      expect(got).toEqual(UUIDS.slice(0, 300));
    } finally {
      mock.api.clearFaults();
    }
  });
});

describe('when to stop (custom servers)', () => {
  it('stops at `count` even when the server would keep sending items', async (ctx) => {
    const { server, client } = await setup(ctx, run(100_000, 250));
    expect(await collect(client.evals.runs.listResponses('r', { limit: 50 }))).toEqual(ids(0, 250));
    for (const req of server.requests) expect(paging(req.url).offset).toBeLessThan(250);
  });

  it('stops on an empty page even if `count` says there is more', async (ctx) => {
    const { server, client } = await setup(ctx, run(200, 1000));
    expect(await collect(client.evals.runs.listResponses('r', { limit: 100 }))).toEqual(ids(0, 200));
    expect(server.requests.length).toBeLessThan(20);
  });

  it('a page shorter than asked for in the middle of the run skips and repeats nothing', async (ctx) => {
    // The page at offset 200 comes back with 60 items instead of 100.
    const { client } = await setup(
      ctx,
      run(500, 500, (offset, limit) => (offset === 200 ? 60 : limit)),
    );
    expect(await collect(client.evals.runs.listResponses('r', { limit: 100 }))).toEqual(ids(0, 500));
  });

  it('a server that caps the page size: offsets follow what it returned', async (ctx) => {
    const { client } = await setup(
      ctx,
      run(330, 330, (_offset, limit) => Math.min(limit, 30)),
    );
    expect(await collect(client.evals.runs.listResponses('r', { limit: 100 }))).toEqual(ids(0, 330));
  });

  it('a negative count means no further pages', async (ctx) => {
    const { server, client } = await setup(ctx, run(500, -1));
    const page = await client.evals.runs.listResponses('r', { limit: 100 });
    expect(page.hasNextPage()).toBe(false);
    expect(await collect(client.evals.runs.listResponses('r', { limit: 100 }))).toEqual(ids(0, 100));
    expect(server.requests.length).toBeLessThanOrEqual(2 + 4);
  });
});
