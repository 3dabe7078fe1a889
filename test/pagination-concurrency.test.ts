// The concurrency contract of auto-pagination (SPEC 3, SPEC 8): pages prefetched with at most `pageConcurrency`
// in flight, order kept, a drop to one in flight after a 429 and a gradual recovery, cancellation on `break`,
// errors in page order, short pages and server caps, counts that change during the run.
// Basic order/stop/workspace behaviour lives in pagination.test.ts; this file is about what concurrency changes.
// Every test runs against a real loopback server through the default undici transport.
import { describe, expect, it, vi, type TestContext } from 'vitest';
import { AymaraAI, InternalServerError, NotFoundError, type ClientOptions, type Middleware, type RequestOptions } from 'aymara-ai';
import { json, response, startServer, type TestServer } from './helpers/server.js';

const KEY = 'pagination-concurrency-key';
const RUN = 'run-1';
/** What the test server answers when no `limit` is sent. */
const SERVER_DEFAULT_LIMIT = 100;

type Ctx = Pick<TestContext, 'onTestFinished'>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request the server received: what it asked for and when it was open. */
interface Hit {
  offset: number;
  /** The `limit` query parameter, when sent. */
  limit: number | undefined;
  /** How many requests for the same offset came before this one. */
  nth: number;
  /** Requests open on the server when this one arrived (itself included). */
  openAtStart: number;
  status: number;
  start: number;
  /** When the response finished or the connection closed. */
  end: number | undefined;
  /** The client closed the connection before the server answered. */
  aborted: boolean;
}

/** What the server answers to one request. */
interface Answer {
  status?: number;
  /** Defaults to the slice [offset, offset + limit) of `total` items. */
  items?: unknown[];
  count?: number;
  headers?: Record<string, string>;
  /** Milliseconds before answering. */
  delay?: number;
  body?: unknown;
}

interface PlanInput {
  offset: number;
  limit: number | undefined;
  nth: number;
  /** Index of this request among all requests. */
  index: number;
}

/** Items [from, to) as the API would send them. */
function slice(from: number, to: number): unknown[] {
  const out: unknown[] = [];
  for (let i = from; i < to; i++) out.push(response(i));
  return out;
}

/** `p-0`, `p-1`, ..., `p-(n-1)`: every item once, in offset order. */
function ids(n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `p-${from + i}`);
}

function envelope(code: string): unknown {
  return { error: { code, message: `test error ${code}`, details: {} }, request_id: '' };
}

/**
 * One attempt as the client sent it, seen by a user middleware (which runs once per attempt, inside the retry
 * layer). The client's own view does not depend on when the server, on the same event loop, gets to a request.
 */
interface Send {
  offset: number;
  attempt: number;
  /** Attempts open in the client when this one was sent (itself included). */
  openAtSend: number;
}

interface PagedServer {
  server: TestServer;
  client: AymaraAI;
  hits: Hit[];
  sends: Send[];
  /** The most requests ever open at once on the server. */
  maxOpen(): number;
}

/**
 * A loopback server for a run of `total` items that answers each request as `plan` says (by default the page the
 * request asked for, at once), records every request with the time it was open, and counts requests in flight.
 */
async function pagedServer(ctx: Ctx, total: number, plan: (input: PlanInput) => Answer = () => ({}), options: ClientOptions = {}): Promise<PagedServer> {
  const hits: Hit[] = [];
  const seenOffsets = new Map<number, number>();
  let open = 0;
  let maxOpen = 0;
  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const offset = Number(url.searchParams.get('offset') ?? '0');
    const limitParam = url.searchParams.get('limit');
    const limit = limitParam === null ? undefined : Number(limitParam);
    const nth = seenOffsets.get(offset) ?? 0;
    seenOffsets.set(offset, nth + 1);
    open += 1;
    maxOpen = Math.max(maxOpen, open);
    const answer = plan({ offset, limit, nth, index: hits.length });
    const status = answer.status ?? 200;
    const hit: Hit = { offset, limit, nth, openAtStart: open, status, start: performance.now(), end: undefined, aborted: false };
    hits.push(hit);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    const finish = (aborted: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      open -= 1;
      hit.end = performance.now();
      hit.aborted = aborted;
    };
    res.on('finish', () => finish(false));
    res.on('close', () => finish(!res.writableFinished));
    const send = () => {
      if (res.destroyed) return;
      if (status !== 200) {
        json(res, status, answer.body ?? envelope('server.internal_error'), answer.headers);
        return;
      }
      const size = limit ?? SERVER_DEFAULT_LIMIT;
      const items = answer.items ?? slice(offset, Math.min(offset + size, total));
      json(res, 200, answer.body ?? { items, count: answer.count ?? total }, answer.headers);
    };
    if (answer.delay) timer = setTimeout(send, answer.delay);
    else send();
  });
  const sends: Send[] = [];
  let clientOpen = 0;
  const track: Middleware = async (request, next) => {
    clientOpen += 1;
    sends.push({ offset: Number(new URL(request.url).searchParams.get('offset') ?? '0'), attempt: request.attempt, openAtSend: clientOpen });
    try {
      return await next(request);
    } finally {
      clientOpen -= 1;
    }
  };
  const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off', middleware: [track], ...options });
  ctx.onTestFinished(async () => {
    await client.close();
    await server.close();
  });
  return { server, client, hits, sends, maxOpen: () => maxOpen };
}

/** Iterates to the end or the first error; returns the items' ids and the error. */
async function collect(iterable: AsyncIterable<{ prompt_uuid: string }>): Promise<{ items: string[]; error: unknown }> {
  const items: string[] = [];
  try {
    for await (const item of iterable) items.push(item.prompt_uuid);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

function list(client: AymaraAI, limit: number | undefined, options?: RequestOptions) {
  return client.evals.runs.listResponses(RUN, limit === undefined ? undefined : { limit }, options);
}

/** The largest number of the given requests open at the same moment (from the server's timestamps). */
function maxOverlap(hits: readonly Hit[]): number {
  let max = 0;
  for (const h of hits) {
    const n = hits.filter((o) => o.start <= h.start && (o.end === undefined || o.end > h.start)).length;
    max = Math.max(max, n);
  }
  return max;
}

/** Whether each request arrived only after the one before it had been answered. */
function strictlySequential(hits: readonly Hit[]): boolean {
  return hits.every((h, i) => {
    const previous = i === 0 ? undefined : hits[i - 1];
    return previous === undefined || (previous.end !== undefined && previous.end <= h.start);
  });
}

/** Records unhandled rejections while the test runs. */
function watchUnhandledRejections(ctx: Ctx): unknown[] {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  ctx.onTestFinished(() => {
    process.off('unhandledRejection', listener);
  });
  return seen;
}

describe('order is kept whatever order the pages are answered in', () => {
  for (const pageConcurrency of [4, 8]) {
    it(`yields 2,000 items in offset order, each once, when later pages answer faster (pageConcurrency ${pageConcurrency})`, async (ctx) => {
      const total = 2000;
      // Later offsets answer sooner; a little noise on top so that the order of arrival is scrambled.
      const { client, hits } = await pagedServer(ctx, total, ({ offset }) => ({ delay: Math.max(0, 30 - offset / 100) + Math.random() * 8 }), {
        pageConcurrency,
      });
      const { items, error } = await collect(list(client, 100));
      expect(error).toBeUndefined();
      expect(items).toEqual(ids(total));
      // Each page asked for once, and prefetching did happen (otherwise this test proves nothing about order).
      expect(hits.map((h) => h.offset).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i * 100));
      expect(maxOverlap(hits)).toBeGreaterThan(1);
    });
  }
});

describe('never more than pageConcurrency requests in flight', () => {
  const total = 300; // 30 pages of 10
  const latency = { delay: 20 };

  for (const n of [1, 2, 4, 8]) {
    it(`client pageConcurrency ${n}: at most ${n} open at once${n === 1 ? ' (strictly sequential)' : ', and more than one'}`, async (ctx) => {
      const { client, hits, maxOpen } = await pagedServer(ctx, total, () => latency, { pageConcurrency: n });
      const { items, error } = await collect(list(client, 10));
      expect(error).toBeUndefined();
      expect(items).toEqual(ids(total));
      expect(hits).toHaveLength(30);
      expect(maxOpen()).toBeLessThanOrEqual(n);
      if (n === 1) {
        expect(maxOpen()).toBe(1);
        expect(strictlySequential(hits)).toBe(true);
      } else {
        expect(maxOpen()).toBeGreaterThan(1);
      }
    });
  }

  it('the default is 4 in flight: reaches more than 1, never more than 4', async (ctx) => {
    const { client, maxOpen } = await pagedServer(ctx, total, () => latency);
    expect(client.pageConcurrency).toBe(4);
    const { items, error } = await collect(list(client, 10));
    expect(error).toBeUndefined();
    expect(items).toEqual(ids(total));
    expect(maxOpen()).toBeGreaterThan(1);
    expect(maxOpen()).toBeLessThanOrEqual(4);
  });

  it('the per-request pageConcurrency lowers the client setting (client 8, request 2)', async (ctx) => {
    const { client, maxOpen } = await pagedServer(ctx, total, () => latency, { pageConcurrency: 8 });
    const { items, error } = await collect(list(client, 10, { pageConcurrency: 2 }));
    expect(error).toBeUndefined();
    expect(items).toEqual(ids(total));
    expect(maxOpen()).toBe(2);
  });

  it('the per-request pageConcurrency raises the client setting (client 1, request 4)', async (ctx) => {
    const { client, maxOpen } = await pagedServer(ctx, total, () => latency, { pageConcurrency: 1 });
    const { items, error } = await collect(list(client, 10, { pageConcurrency: 4 }));
    expect(error).toBeUndefined();
    expect(items).toEqual(ids(total));
    expect(maxOpen()).toBeGreaterThan(1);
    expect(maxOpen()).toBeLessThanOrEqual(4);
  });

  it('the per-request pageConcurrency 1 is strictly sequential under a client default of 4', async (ctx) => {
    const { client, hits, maxOpen } = await pagedServer(ctx, total, () => latency);
    const { items, error } = await collect(list(client, 10, { pageConcurrency: 1 }));
    expect(error).toBeUndefined();
    expect(items).toEqual(ids(total));
    expect(maxOpen()).toBe(1);
    expect(strictlySequential(hits)).toBe(true);
  });

  for (const n of [2, 4]) {
    it(`holds at most ${n} pages ahead of a slow consumer (pageConcurrency ${n})`, async (ctx) => {
      const { client, hits } = await pagedServer(ctx, 1000, () => ({}), { pageConcurrency: n });
      const items: string[] = [];
      for await (const item of list(client, 100)) {
        items.push(item.prompt_uuid);
        if (items.length === 101) {
          // The consumer stalls on the first item of the second page: the prefetches arrive and are answered,
          // and no more are sent. The first page, then the page being yielded and the n - 1 behind it.
          await vi.waitFor(() => expect(hits.length).toBeGreaterThanOrEqual(1 + n));
          await sleep(100);
          expect(hits).toHaveLength(1 + n);
        }
      }
      expect(items).toEqual(ids(1000));
    });
  }
});

describe('a 429 drops to one page in flight, then concurrency recovers', () => {
  const total = 800; // 80 pages of 10
  const latency = 5;

  /** Page 30 answers 429 (retry-after-ms 10) the first time it is asked for; every page takes `latency` ms. */
  const limitedAt =
    (page: number) =>
    ({ offset, nth }: PlanInput): Answer =>
      offset === page && nth === 0
        ? { status: 429, delay: latency, headers: { 'retry-after-ms': '10' }, body: envelope('quota.limit_exceeded') }
        : { delay: latency };

  /** The index in `sends` of the retry of the rate-limited page. */
  function retryIndex(sends: readonly Send[], page: number): number {
    const index = sends.findIndex((s) => s.offset === page && s.attempt === 2);
    expect(index, 'the rate-limited page was retried').toBeGreaterThanOrEqual(0);
    return index;
  }

  /** The server's record of first requests for the given offsets, in the order sent. */
  function hitsFor(hits: readonly Hit[], sends: readonly Send[]): Hit[] {
    return sends.map((s) => hits.find((h) => h.offset === s.offset && h.nth === s.attempt - 1) as Hit);
  }

  it('a 429 on an early page: the next requests are sequential, later ones concurrent again, every item once in order', async (ctx) => {
    const unhandled = watchUnhandledRejections(ctx);
    const { client, hits, sends, maxOpen } = await pagedServer(ctx, total, limitedAt(30));
    const { items, error } = await collect(list(client, 10));
    expect(error).toBeUndefined();
    expect(items).toEqual(ids(total));
    expect(hits.filter((h) => h.status === 429)).toHaveLength(1);
    // Before the 429 the iterator ran 4 pages in flight, and never more.
    expect(maxOpen()).toBeGreaterThan(1);
    expect(maxOpen()).toBeLessThanOrEqual(4);
    expect(Math.max(...sends.map((s) => s.openAtSend))).toBeLessThanOrEqual(4);

    // Pages already in flight when the 429 came back finish; nothing new is sent until they are consumed, and then
    // one page at a time. Those pages count as clean, so at least 10 - 3 = 7 new pages go strictly one by one.
    // (The retry itself may overlap them: they were sent before the 429 was known.)
    const r = retryIndex(sends, 30);
    const sequential = sends.slice(r + 1, r + 8);
    expect(sequential).toHaveLength(7);
    expect(sequential.map((s) => s.openAtSend)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    // The server saw the same: each of them arrived after the one before had been answered.
    expect(strictlySequential(hitsFor(hits, sends.slice(r, r + 8)).slice(1))).toBe(true);
    // After enough clean pages (one step per 10) the iterator is concurrent again.
    const rest = sends.slice(r + 11);
    expect(Math.max(...rest.map((s) => s.openAtSend))).toBeGreaterThan(1);
    expect(maxOverlap(hitsFor(hits, rest))).toBeGreaterThan(1);
    expect(unhandled).toEqual([]);
  });

  it('recovers one step per 10 clean pages, not all at once', async (ctx) => {
    const { client, sends } = await pagedServer(ctx, total, limitedAt(30));
    const { items } = await collect(list(client, 10));
    expect(items).toEqual(ids(total));
    const r = retryIndex(sends, 30);
    // Whatever the pages in flight at the 429 counted for (0 to 3 clean pages), the 17 sends after the retry
    // fall in the stretches at 1 and 2 in flight: none of them sees more than 2 open.
    const early = sends.slice(r + 1, r + 18);
    expect(early).toHaveLength(17);
    expect(Math.max(...early.map((s) => s.openAtSend))).toBeLessThanOrEqual(2);
    // And it does step up to 2.
    expect(Math.max(...early.map((s) => s.openAtSend))).toBe(2);
  });

  it('a 429 on the first page also drops to one page in flight', async (ctx) => {
    const { client, hits, sends } = await pagedServer(ctx, total, limitedAt(0));
    const { items, error } = await collect(list(client, 10));
    expect(error).toBeUndefined();
    expect(items).toEqual(ids(total));
    // Nothing else was in flight: the 10 pages after the retried first page go one at a time.
    const r = retryIndex(sends, 0);
    expect(r).toBe(1);
    const next = sends.slice(r + 1, r + 11);
    expect(next.map((s) => s.openAtSend)).toEqual(Array.from({ length: 10 }, () => 1));
    expect(strictlySequential(hitsFor(hits, sends.slice(r, r + 11)))).toBe(true);
  });
});

describe('break and throw in the loop body cancel the prefetch', () => {
  /** Pages at offset >= 200 answer only after 5 s (or never, once the client closes the connection). */
  const slowAfter200 = ({ offset }: PlanInput): Answer => (offset >= 200 ? { delay: 5000 } : {});

  it('break: pages in flight are aborted, nothing more is sent, no unhandled rejection', async (ctx) => {
    const unhandled = watchUnhandledRejections(ctx);
    const { client, hits } = await pagedServer(ctx, 1000, slowAfter200);
    const items: string[] = [];
    for await (const item of list(client, 100)) {
      items.push(item.prompt_uuid);
      if (items.length === 150) {
        // Let the 3 prefetched requests reach the server before breaking, so there is something to abort.
        await vi.waitFor(() => expect(hits).toHaveLength(5));
        break;
      }
    }
    expect(items).toEqual(ids(150));
    const atBreak = hits.length;
    // The first page, the page being read, and the 3 prefetched behind it (pageConcurrency 4).
    expect(atBreak).toBe(5);
    await sleep(200);
    expect(hits).toHaveLength(atBreak);
    const slow = hits.filter((h) => h.offset >= 200);
    expect(slow.map((h) => h.offset)).toEqual([200, 300, 400]);
    for (const h of slow) {
      expect(h.end, `request at offset ${h.offset} still open`).toBeDefined();
      expect(h.aborted, `request at offset ${h.offset} was answered rather than aborted`).toBe(true);
    }
    expect(unhandled).toEqual([]);
  });

  it('a throw in the loop body: the error reaches the caller, pages in flight are aborted, nothing more is sent', async (ctx) => {
    const unhandled = watchUnhandledRejections(ctx);
    const { client, hits } = await pagedServer(ctx, 1000, slowAfter200);
    const boom = new Error('boom in the loop body');
    const items: string[] = [];
    const run = async () => {
      for await (const item of list(client, 100)) {
        items.push(item.prompt_uuid);
        if (items.length === 150) {
          await vi.waitFor(() => expect(hits).toHaveLength(5));
          throw boom;
        }
      }
    };
    await expect(run()).rejects.toBe(boom);
    expect(items).toEqual(ids(150));
    const atThrow = hits.length;
    expect(atThrow).toBe(5);
    await sleep(200);
    expect(hits).toHaveLength(atThrow);
    const slow = hits.filter((h) => h.offset >= 200);
    expect(slow).toHaveLength(3);
    for (const h of slow) {
      expect(h.end, `request at offset ${h.offset} still open`).toBeDefined();
      expect(h.aborted).toBe(true);
    }
    expect(unhandled).toEqual([]);
  });

  it('break with pageConcurrency 8: all 7 prefetched requests are aborted', async (ctx) => {
    const unhandled = watchUnhandledRejections(ctx);
    const { client, hits } = await pagedServer(ctx, 2000, slowAfter200, { pageConcurrency: 8 });
    let n = 0;
    for await (const _item of list(client, 100)) {
      if (++n === 101) {
        await vi.waitFor(() => expect(hits).toHaveLength(9));
        break;
      }
    }
    await sleep(200);
    const slow = hits.filter((h) => h.offset >= 200);
    expect(slow).toHaveLength(7);
    expect(slow.every((h) => h.aborted)).toBe(true);
    expect(hits).toHaveLength(9);
    expect(unhandled).toEqual([]);
  });
});

describe('an error on page k comes after every item of the pages before k', () => {
  const cases = [
    { status: 500, code: 'server.internal_error', errorClass: InternalServerError, options: { maxRetries: 0 } },
    { status: 404, code: 'resource.not_found', errorClass: NotFoundError, options: {} },
  ] as const;

  for (const { status, code, errorClass, options } of cases) {
    it(`offset 500 answers ${status} while later pages are fine: exactly 500 items, then ${errorClass.name}`, async (ctx) => {
      const unhandled = watchUnhandledRejections(ctx);
      // The failing page is slow, so the pages after it have been answered before its error arrives.
      const { client, hits, sends } = await pagedServer(ctx, 2000, ({ offset }) => (offset === 500 ? { status, delay: 150, body: envelope(code) } : {}), {
        pageConcurrency: 4,
        ...options,
      });
      const { items, error } = await collect(list(client, 100));
      expect(items).toEqual(ids(500));
      expect(error).toBeInstanceOf(errorClass);
      expect((error as InstanceType<typeof errorClass>).status).toBe(status);
      // Later pages were fetched (and answered) before the error surfaced: the order came from the iterator.
      const later = hits.filter((h) => h.offset > 500);
      expect(later.length).toBeGreaterThan(0);
      expect(later.some((h) => h.status === 200 && !h.aborted)).toBe(true);
      // The failing page was asked for once (no retry), and nothing was sent after the error.
      expect(hits.filter((h) => h.offset === 500)).toHaveLength(1);
      const count = sends.length;
      await sleep(100);
      expect(sends).toHaveLength(count);
      expect(unhandled).toEqual([]);
    });
  }

  it('an error on a page already answered is held until the pages before it are yielded', async (ctx) => {
    const unhandled = watchUnhandledRejections(ctx);
    // Offset 300 fails at once; offsets 100 and 200 are slow.
    const { client } = await pagedServer(ctx, 1000, ({ offset }) =>
      offset === 300 ? { status: 404, body: envelope('resource.not_found') } : offset > 0 && offset < 300 ? { delay: 60 } : {},
    );
    const { items, error } = await collect(list(client, 100));
    expect(items).toEqual(ids(300));
    expect(error).toBeInstanceOf(NotFoundError);
    await sleep(50);
    expect(unhandled).toEqual([]);
  });
});

describe('short pages and server caps', () => {
  it('a server that caps limit at 30: offsets follow 30, every item once, in order', async (ctx) => {
    const total = 250;
    const { client, hits } = await pagedServer(ctx, total, ({ offset }) => ({ items: slice(offset, Math.min(offset + 30, total)) }));
    const { items, error } = await collect(list(client, 100));
    expect(error).toBeUndefined();
    expect(items).toEqual(ids(total));
    expect(hits.map((h) => h.offset).sort((a, b) => a - b)).toEqual([0, 30, 60, 90, 120, 150, 180, 210, 240]);
  });

  it('a page short in the middle is completed: offset 300 returns 60 of 100, the iterator asks for 360 with limit 40', async (ctx) => {
    const total = 1000;
    const { client, hits } = await pagedServer(ctx, total, ({ offset, nth }) => (offset === 300 && nth === 0 ? { items: slice(300, 360) } : {}));
    const { items, error } = await collect(list(client, 100));
    expect(error).toBeUndefined();
    expect(items).toEqual(ids(total));
    const completion = hits.filter((h) => h.offset === 360);
    expect(completion).toHaveLength(1);
    expect(completion[0]?.limit).toBe(40);
    // Every other page asked for once.
    expect(hits.map((h) => h.offset).sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 360, 400, 500, 600, 700, 800, 900]);
  });

  it('a completion that comes back short itself is completed again', async (ctx) => {
    const total = 600;
    const { client, hits } = await pagedServer(ctx, total, ({ offset, nth }) =>
      offset === 200 && nth === 0 ? { items: slice(200, 250) } : offset === 250 && nth === 0 ? { items: slice(250, 270) } : {},
    );
    const { items, error } = await collect(list(client, 100));
    expect(error).toBeUndefined();
    expect(items).toEqual(ids(total));
    expect(hits.find((h) => h.offset === 250)?.limit).toBe(50);
    expect(hits.find((h) => h.offset === 270)?.limit).toBe(30);
  });

  it('a short first page followed by full pages repeats no item', async (ctx) => {
    // The first page comes back with 60 of the 100 asked for (a transient short page, not a cap), and the server
    // answers later requests in full. Offsets step by 60, so a later request for 100 items would overlap the next.
    const total = 600;
    const { client } = await pagedServer(ctx, total, ({ offset, nth }) => (offset === 0 && nth === 0 ? { items: slice(0, 60) } : {}));
    const { items, error } = await collect(list(client, 100));
    expect(error).toBeUndefined();
    expect(new Set(items).size).toBe(items.length);
    expect(items).toEqual(ids(total));
  });
});

describe('the count changes during the run', () => {
  it('first page says 1000, later pages say 500 (data shrank): 500 items, no duplicate', async (ctx) => {
    // The run holds 500 items; only the first answer reports the old count.
    const { client, hits } = await pagedServer(ctx, 500, ({ index }) => (index === 0 ? { count: 1000 } : {}));
    const { items, error } = await collect(list(client, 100));
    expect(error).toBeUndefined();
    expect(items).toEqual(ids(500));
    // The pages prefetched on the first count (100..400) all report 500: the iterator stops at the latest count
    // instead of asking for offsets past it.
    expect(hits.map((h) => h.offset).sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400]);
  });

  it('first page says 500, later pages say 700 (data grew): all 700 items, no duplicate, no gap', async (ctx) => {
    const { client, hits } = await pagedServer(ctx, 700, ({ index }) => (index === 0 ? { count: 500 } : {}));
    const { items, error } = await collect(list(client, 100));
    expect(error).toBeUndefined();
    expect(items).toEqual(ids(700));
    expect(hits.map((h) => h.offset).sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400, 500, 600]);
  });

  it('the count grows only on the last page in view: iteration goes on', async (ctx) => {
    // Pages before offset 400 report 500; the page at 400 reports 700.
    const { client } = await pagedServer(ctx, 700, ({ offset }) => (offset < 400 ? { count: 500 } : {}));
    const { items, error } = await collect(list(client, 100));
    expect(error).toBeUndefined();
    expect(items).toEqual(ids(700));
  });
});

describe('an empty page before count', () => {
  it('ends the iteration there, without an error', async (ctx) => {
    const unhandled = watchUnhandledRejections(ctx);
    const { client } = await pagedServer(ctx, 1000, ({ offset }) => (offset === 300 ? { items: [] } : {}));
    const { items, error } = await collect(list(client, 100));
    expect(error).toBeUndefined();
    expect(items).toEqual(ids(300));
    await sleep(50);
    expect(unhandled).toEqual([]);
  });
});
