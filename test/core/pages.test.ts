/**
 * Pages as users walk them: `for await` over a page (from itself on) and over the call, `iterPages()` page by
 * page, `getNextPage()`, and `page.body` with the fields this SDK version does not know.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AymaraError, type AymaraAI } from 'aymara-ai';
import { generateResponses } from 'aymara-ai/testing';
import { BACKENDS, rejectionOf, uuidsOf, type Backend } from './backends.js';

const RUN = 'run-pages';
const RESPONSES = generateResponses(250, 42);
const UUIDS = RESPONSES.map((r) => r.prompt_uuid as string);

describe.each(BACKENDS)('pages against the $name', ({ start }) => {
  let backend: Backend;
  let client: AymaraAI;

  beforeAll(async () => {
    backend = await start({ apiKey: 'core-key', runs: { [RUN]: { responses: RESPONSES } } });
    client = backend.client({ maxRetries: 0 });
  });
  afterEach(() => backend.api.reset());
  afterAll(() => backend.close());

  /** The offsets the mock was asked for, in order of offset (pages are fetched ahead, so arrival order may vary). */
  const offsetsAsked = () => backend.api.requests.map((r) => r.offset).sort((a, b) => a - b);

  it('for await over an awaited page yields every item of the run, in order', async () => {
    const items: string[] = [];
    for await (const r of await client.evals.runs.listResponses(RUN, { limit: 100 })) items.push(r.prompt_uuid);
    expect(items).toEqual(UUIDS);
    expect(offsetsAsked()).toEqual([0, 100, 200]);
  });

  it('a page iterates from itself on: the page at offset 100 yields items 100 to 249', async () => {
    const page = await client.evals.runs.listResponses(RUN, { limit: 100, offset: 100 });
    expect(await uuidsOf(page)).toEqual(UUIDS.slice(100));
    expect(offsetsAsked()).toEqual([100, 200]);
  });

  it('a page can be iterated twice, and the second walk yields the same items', async () => {
    const page = await client.evals.runs.listResponses(RUN, { limit: 100, offset: 150 });
    expect(await uuidsOf(page)).toEqual(UUIDS.slice(150));
    expect(await uuidsOf(page)).toEqual(UUIDS.slice(150));
  });

  it('for await over the call itself (a PagePromise) yields every item, the first page requested once', async () => {
    expect(await uuidsOf(client.evals.runs.listResponses(RUN, { limit: 100 }))).toEqual(UUIDS);
    expect(offsetsAsked()).toEqual([0, 100, 200]);
  });

  it('iterPages() on the call yields the 3 pages in order, each with items, offset, count and body', async () => {
    const pages = [];
    for await (const page of client.evals.runs.listResponses(RUN, { limit: 100 }).iterPages()) pages.push(page);
    expect(pages.map((p) => p.offset)).toEqual([0, 100, 200]);
    expect(pages.map((p) => p.items.length)).toEqual([100, 100, 50]);
    expect(pages.flatMap((p) => p.items.map((r) => r.prompt_uuid))).toEqual(UUIDS);
    for (const page of pages) {
      expect(page.count).toBe(250);
      expect(page.body.count).toBe(250);
      expect(page.body.items.map((r) => r.prompt_uuid)).toEqual(page.items.map((r) => r.prompt_uuid));
    }
    expect(pages.map((p) => p.hasNextPage())).toEqual([true, true, false]);
    expect(offsetsAsked()).toEqual([0, 100, 200]);
  });

  it('iterPages() on a page yields it and the pages after it', async () => {
    const second = await client.evals.runs.listResponses(RUN, { limit: 100, offset: 100 });
    const offsets: number[] = [];
    for await (const page of second.iterPages()) offsets.push(page.offset);
    expect(offsets).toEqual([100, 200]);
  });

  it('breaking out of iterPages() sends nothing more once the pages in flight settle', async () => {
    for await (const page of client.evals.runs.listResponses(RUN, { limit: 10 }, { pageConcurrency: 1 }).iterPages()) {
      if (page.offset === 20) break;
    }
    expect(offsetsAsked()).toEqual([0, 10, 20]);
  });

  it('next() called 260 times at once still yields every item once, in order, then done', async () => {
    const iterator = client.evals.runs.listResponses(RUN, { limit: 100 })[Symbol.asyncIterator]();
    const results = await Promise.all(Array.from({ length: 260 }, () => iterator.next()));
    expect(results.slice(0, 250).map((r) => r.value?.prompt_uuid)).toEqual(UUIDS);
    expect(results.slice(250).every((r) => r.done === true && r.value === undefined)).toBe(true);
    expect(offsetsAsked()).toEqual([0, 100, 200]);
  });

  it('breaking out of for await over items sends nothing more, and the iterator then reports done', async () => {
    const iterator = client.evals.runs.listResponses(RUN, { limit: 10 }, { pageConcurrency: 1 })[Symbol.asyncIterator]();
    const seen: string[] = [];
    for await (const r of { [Symbol.asyncIterator]: () => iterator }) {
      seen.push(r.prompt_uuid);
      if (seen.length === 15) break;
    }
    expect(seen).toEqual(UUIDS.slice(0, 15));
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(offsetsAsked()).toEqual([0, 10]);
  });

  it('a failing later page: for await yields the items before it, then throws the error; the iterator is then done', async () => {
    backend.api.inject({ status: 500, match: { offset: 200 } });
    const iterator = client.evals.runs.listResponses(RUN, { limit: 100 })[Symbol.asyncIterator]();
    const seen: string[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const r of { [Symbol.asyncIterator]: () => iterator }) seen.push(r.prompt_uuid);
      })(),
    );
    expect(seen).toEqual(UUIDS.slice(0, 200));
    expect((error as { status?: number }).status).toBe(500);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('getNextPage() walks page by page; past the last page it rejects with AymaraError', async () => {
    const first = await client.evals.runs.listResponses(RUN, { limit: 100 });
    const second = await first.getNextPage();
    expect(second.offset).toBe(100);
    expect(second.items.map((r) => r.prompt_uuid)).toEqual(UUIDS.slice(100, 200));
    const third = await second.getNextPage();
    expect(third.offset).toBe(200);
    expect(third.items.map((r) => r.prompt_uuid)).toEqual(UUIDS.slice(200));
    expect(third.hasNextPage()).toBe(false);
    const error = await rejectionOf(third.getNextPage());
    expect(error).toBeInstanceOf(AymaraError);
    expect((error as Error).message).toMatch(/no next page/i);
    // The caller's limit goes with each next page.
    expect(backend.api.requests.map((r) => [r.offset, r.limit])).toEqual([
      [0, 100],
      [100, 100],
      [200, 100],
    ]);
  });

  it('page.body keeps a top-level field this SDK does not know (next_cursor), next to items and count', async () => {
    const body = { items: RESPONSES.slice(0, 2), count: 250, next_cursor: 'cursor-abc', facets: { passed: 1 } };
    backend.api.inject({ body: JSON.stringify(body), times: 1 });
    const page = await client.evals.runs.listResponses(RUN, { limit: 2 });
    expect(page.items.map((r) => r.prompt_uuid)).toEqual(UUIDS.slice(0, 2));
    expect(page.count).toBe(250);
    const raw = page.body as unknown as Record<string, unknown>;
    expect(raw.next_cursor).toBe('cursor-abc');
    expect(raw.facets).toEqual({ passed: 1 });
  });

  it('an empty run is one empty page: for await yields nothing, iterPages() yields that page', async () => {
    backend.api.fixtures.runs['run-empty'] = { responses: [] };
    expect(await uuidsOf(client.evals.runs.listResponses('run-empty'))).toEqual([]);
    const pages = [];
    for await (const page of client.evals.runs.listResponses('run-empty').iterPages()) pages.push(page);
    expect(pages).toHaveLength(1);
    expect(pages[0]?.items).toEqual([]);
    expect(pages[0]?.hasNextPage()).toBe(false);
  });
});
