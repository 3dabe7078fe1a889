/**
 * Auto-pagination under faults: every page fails at least once before it succeeds, and a full `for await`
 * still yields every response exactly once, in order.
 */
import { describe, expect, it } from 'vitest';
import { AymaraAI, AymaraError } from 'aymara-ai';
import { pageBody, within, type Fault } from '../helpers/fault-server.js';
import { json, startServer } from '../helpers/server.js';
import { faultSetup, type Ctx } from './support.js';

const TOTAL = 3_000;
const LIMIT = 100;
const PAGES = TOTAL / LIMIT;
const BOUND_MS = 25_000;

const expectedIds = Array.from({ length: TOTAL }, (_, i) => `p-${i}`);

/** Serves `faultFor(page)` on the first request for each offset, a valid page after that. */
function oncePerPage(faultFor: (page: number) => Fault) {
  const seen = new Map<number, number>();
  const plan = (_n: number, _req: unknown, url: URL): Fault | undefined => {
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const times = (seen.get(offset) ?? 0) + 1;
    seen.set(offset, times);
    return times === 1 ? faultFor(offset / LIMIT) : undefined;
  };
  return { plan, seen };
}

async function collect(iterable: AsyncIterable<{ prompt_uuid: string }>): Promise<string[]> {
  const ids: string[] = [];
  for await (const r of iterable) ids.push(r.prompt_uuid);
  return ids;
}

describe.concurrent('pagination under faults', () => {
  it(`every page fails once (503 and reset, alternating): ${TOTAL.toLocaleString('en')} responses, each exactly once, in order`, async (ctx) => {
    const { plan, seen } = oncePerPage((page): Fault => (page % 2 === 0 ? { kind: 'status', status: 503, body: '' } : { kind: 'reset-before-headers' }));
    const { server, client, counter } = await faultSetup(ctx, { total: TOTAL, plan }, { timeout: 5_000 });
    const started = performance.now();
    const ids = await within(collect(client.evals.runs.listResponses('run-1', { limit: LIMIT })), BOUND_MS, 'for await');
    const ms = Math.round(performance.now() - started);
    console.log(
      `PAGINATION ${JSON.stringify({ faults: '503/reset alternating, once per page', responses: ids.length, pages: PAGES, requests: server.requests.length, attempts: counter.attempts, ms })}`,
    );
    expect(ids).toEqual(expectedIds);
    expect(new Set(ids).size).toBe(TOTAL);
    // Each page: one failed attempt, one good one; no offset asked for a third time.
    expect(server.requests).toHaveLength(2 * PAGES);
    expect([...seen.values()].every((n) => n === 2)).toBe(true);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: PAGES }, (_, i) => i * LIMIT));
  });

  it('every page fails once with a different fault (429, 500, reset, cut body, stall): still every response once, in order', async (ctx) => {
    const faults: Fault[] = [
      { kind: 'status', status: 429, headers: { 'retry-after-ms': '5' }, body: '' },
      { kind: 'status', status: 500, headers: { 'retry-after-ms': '5' }, body: '' },
      { kind: 'reset-mid-body' },
      { kind: 'close-mid-body' },
      { kind: 'stall-mid-body' },
      { kind: 'close-before-headers' },
    ];
    const { plan, seen } = oncePerPage((page) => faults[page % faults.length] as Fault);
    const { server, client } = await faultSetup(ctx, { total: TOTAL, plan }, { timeout: 600 });
    const started = performance.now();
    const ids = await within(collect(client.evals.runs.listResponses('run-1', { limit: LIMIT })), BOUND_MS, 'for await');
    console.log(
      `PAGINATION ${JSON.stringify({ faults: '429/500/reset/cut/stall, once per page', responses: ids.length, requests: server.requests.length, ms: Math.round(performance.now() - started) })}`,
    );
    expect(ids).toEqual(expectedIds);
    expect([...seen.values()].every((n) => n === 2)).toBe(true);
  });

  it('a page that keeps failing ends the loop with a typed error after every response before it, each once', async (ctx) => {
    // Page 7 (offset 700) answers 503 on every attempt.
    const { server, client } = await faultSetup(
      ctx,
      {
        total: TOTAL,
        plan: (_n, _req, url) =>
          url.searchParams.get('offset') === '700' ? { kind: 'status', status: 503, headers: { 'retry-after-ms': '5' }, body: '' } : undefined,
      },
      { timeout: 5_000 },
    );
    const ids: string[] = [];
    let caught: unknown;
    try {
      await within(
        (async () => {
          for await (const r of client.evals.runs.listResponses('run-1', { limit: LIMIT })) ids.push(r.prompt_uuid);
        })(),
        BOUND_MS,
        'for await',
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AymaraError);
    expect((caught as Error).name).toBe('ServiceUnavailableError');
    expect(ids).toEqual(expectedIds.slice(0, 700));
    // 3 attempts at offset 700; the pages in flight after it were cut short, and nothing was asked for again.
    expect(server.requests.filter((r) => r.url.includes('offset=700'))).toHaveLength(3);
    const settled = server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server.requests.length).toBe(settled);
  });
});

describe.concurrent('a 429 drops auto-pagination to one page in flight (SPEC 8)', () => {
  /**
   * A server that answers 429 (retry-after-ms 5) once at `offset429`, and every page after 30 ms, recording how
   * many requests were in flight when each request arrived.
   */
  async function run(ctx: Ctx, offset429: number) {
    const total = 2_000;
    let inFlight = 0;
    let limited = false;
    const arrivals: { offset: number; inFlight: number }[] = [];
    const server = await startServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const offset = Number(url.searchParams.get('offset') ?? 0);
      inFlight += 1;
      arrivals.push({ offset, inFlight });
      res.on('close', () => (inFlight -= 1));
      if (offset === offset429 && !limited) {
        limited = true;
        json(res, 429, '', { 'retry-after-ms': '5' });
        return;
      }
      setTimeout(() => json(res, 200, pageBody(url, total)), 30);
    });
    const client = new AymaraAI({ apiKey: 'sk-pagination-429', baseURL: server.url, logLevel: 'off' });
    ctx.onTestFinished(async () => {
      await client.close();
      await server.close();
    });
    const ids = await within(collect(client.evals.runs.listResponses('run-1', { limit: 100 })), BOUND_MS, 'for await');
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => `p-${i}`));
    // Requests that arrived after the 429's retry, up to 10 clean pages later: one at a time.
    const retryIndex = arrivals.findIndex((a, i) => a.offset === offset429 && i > arrivals.findIndex((b) => b.offset === offset429));
    const after = arrivals.slice(retryIndex + 1, retryIndex + 1 + 9);
    return { arrivals, after };
  }

  it('after a 429 on a later page, the next pages are fetched one at a time', async (ctx) => {
    const { after } = await run(ctx, 300);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.max(...after.map((a) => a.inFlight))).toBe(1);
  });

  it('after a 429 on the first page, the next pages are fetched one at a time too', async (ctx) => {
    const { after } = await run(ctx, 0);
    expect(after.length).toBeGreaterThan(0);
    expect(Math.max(...after.map((a) => a.inFlight))).toBe(1);
  });
});
