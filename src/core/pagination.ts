import { APIPromise } from './api-promise.js';
import { handOver, withCaller } from './call-site.js';
import { AymaraError } from './errors.js';

/** The body of one page of a limit/offset list: its items and the list's total. */
export interface OffsetPageBody<Item> {
  /** The items of this page. */
  items: Item[];
  /** The number of items in the whole list, over all pages. */
  count: number;
}

/** Which page to fetch, and how. */
export interface PageRequest {
  offset: number;
  /** Overrides the caller's `limit` (to complete a short page). */
  limit?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Told of each retry, with the status that caused it: how the iterator hears of a 429. */
  onRetry?: ((status: number | undefined) => void) | undefined;
}

/** How a list is walked: given by the client; pages and the iterator only decide which offsets. */
export interface ListContext<Item, Body extends OffsetPageBody<Item>> {
  /** Fetches the page at an offset. */
  load: (request: PageRequest) => Promise<OffsetPage<Item, Body>>;
  /** Pages in flight while iterating. */
  concurrency: number;
  /** The `limit` the caller asked for, if any. */
  requestedLimit: number | undefined;
}

/** Pages one of whose attempts met a 429: an iteration from such a page starts with one page in flight. */
const rateLimitedPages = new WeakSet<object>();

/**
 * One page of a limit/offset list: its `items`, the list's total `count`, the whole parsed `body` (unknown top-level
 * fields included), and the way on. `for await (const item of page)` yields every item from this page on.
 */
export class OffsetPage<Item, Body extends OffsetPageBody<Item> = OffsetPageBody<Item>> implements AsyncIterable<Item> {
  /** The items of this page, in the API's order. */
  readonly items: Item[];
  /** The total number of items in the list (not in this page), as the API reported it. */
  readonly count: number;
  /** The whole parsed body of this page, unknown top-level fields included. */
  readonly body: Body;
  /** The offset this page was asked for. */
  readonly offset: number;
  readonly #list: ListContext<Item, Body>;

  /** @internal */
  constructor(body: Body, offset: number, list: ListContext<Item, Body>, rateLimited = false, items: Item[] = body.items) {
    this.body = body;
    this.items = items;
    this.count = body.count;
    this.offset = offset;
    this.#list = list;
    if (rateLimited) rateLimitedPages.add(this);
  }

  /** Whether the list goes on after this page: `offset + items.length < count`, and this page was not empty. */
  hasNextPage(): boolean {
    return this.items.length > 0 && this.offset + this.items.length < this.count;
  }

  /** Fetches the page after this one. Throws `AymaraError` when there is none (check `hasNextPage()`). */
  async getNextPage(): Promise<OffsetPage<Item, Body>> {
    if (!this.hasNextPage()) throw new AymaraError('No next page: check hasNextPage() first');
    return handOver(this.#list.load({ offset: this.offset + this.items.length }));
  }

  /** This page and every page after it, fetched ahead with up to `pageConcurrency` in flight, in order. */
  iterPages(): AsyncGenerator<OffsetPage<Item, Body>, void, undefined> {
    return iteratePages(this, this.#list);
  }

  /** Every item from this page on, in order, fetching pages as needed. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Item> {
    return itemsOf(this.iterPages());
  }

  /** @internal The same page with fewer items (the iterator trims overlaps). */
  _withItems(items: Item[]): OffsetPage<Item, Body> {
    return new OffsetPage(this.body, this.offset, this.#list, rateLimitedPages.has(this), items);
  }
}

/** Any page of any list. */
export type AnyPage = OffsetPage<unknown, OffsetPageBody<unknown>>;

/** The item type of a page type. */
export type ItemOf<Page> = Page extends {
  /** The page's items, whose type this is. */
  readonly items: readonly (infer Item)[];
}
  ? Item
  : never;

/**
 * The result of a list call, an `APIPromise` of its first page (typed by its name, `EvalRunsPage`...): `await` it for the page, `for await` it for every
 * item across pages, or `iterPages()` for page after page. The first page is requested at the call; iterating
 * reuses it and goes on from there.
 */
export class PagePromise<Page extends AnyPage> extends APIPromise<Page> implements AsyncIterable<ItemOf<Page>> {
  /** Every page from the first on, fetched ahead with up to `pageConcurrency` in flight, in order. */
  async *iterPages(): AsyncGenerator<Page, void, undefined> {
    // Every page of a list is of the list's one page type.
    yield* (await this).iterPages() as AsyncGenerator<Page, void, undefined>;
  }

  /** Every item of the list from the first page's offset on, in order, fetching pages as needed. */
  [Symbol.asyncIterator](): AsyncIterableIterator<ItemOf<Page>> {
    // A page's items are its item type by construction; the compiler cannot see through the generic.
    return itemsOf(this.iterPages() as AsyncGenerator<{ readonly items: readonly ItemOf<Page>[] }, void, undefined>);
  }

  /** `'PagePromise'`, for `Object.prototype.toString`. */
  override get [Symbol.toStringTag](): string {
    return 'PagePromise';
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The items of a sequence of pages, one by one. Written by hand rather than as an async generator: a generator
 * delegating to another costs several promise turns per item, CPU that a long walk pays for every item. Here an
 * item of a page already fetched is one resolved promise. Calls made
 * while a page is awaited wait their turn, so items keep their order however `next()` is called.
 */
function itemsOf<Item>(pages: AsyncGenerator<{ readonly items: readonly Item[] }, void, undefined>): AsyncIterableIterator<Item, undefined> {
  let items: readonly Item[] = [];
  let index = 0;
  /** The last call still waiting for a page, if any: later calls go after it. */
  let waiting: Promise<IteratorResult<Item, undefined>> | undefined;
  /** How many such calls were made: a call that ends as the last one made clears `waiting`. */
  let calls = 0;

  const advance = async (): Promise<IteratorResult<Item, undefined>> => {
    // Once the pages are done (or returned) their generator answers `done` at once, every time.
    while (index >= items.length) {
      const result = await pages.next();
      if (result.done) return DONE;
      items = result.value.items;
      index = 0;
    }
    return { done: false, value: items[index++] as Item };
  };

  // The promise of this async function is what the caller awaits, with no other reaction on it: that lets an error's
  // stack find the caller's code (see call-site.ts). Its bookkeeping is inside it for the same reason.
  async function step(previous: Promise<unknown> | undefined, call: number): Promise<IteratorResult<Item, undefined>> {
    try {
      if (previous) await previous.then(undefined, () => undefined);
      return await advance();
    } catch (error) {
      throw withCaller(error, step);
    } finally {
      if (call === calls) waiting = undefined;
    }
  }

  const iterator: AsyncIterableIterator<Item, undefined> = {
    next() {
      if (waiting === undefined && index < items.length) return Promise.resolve({ done: false, value: items[index++] as Item });
      waiting = step(waiting, ++calls);
      return waiting;
    },
    // `break` or a throw in a `for await` body: stop, which aborts the pages in flight.
    async return() {
      items = [];
      await pages.return(undefined);
      return DONE;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** A page being fetched by the iterator. The no-op catch keeps an early failure from being unhandled. */
interface Pending<Item, Body extends OffsetPageBody<Item>> {
  offset: number;
  promise: Promise<OffsetPage<Item, Body>>;
  /** How many 429 drops had happened when this page was asked for. */
  epoch: number;
}

/** After a 429 the iterator drops to one page in flight, then adds one back after each this many clean pages. */
const CLEAN_PAGES_PER_STEP = 10;

/**
 * Yields every page from `first` on, in order, with up to `concurrency` pages in flight.
 *
 * - Offsets follow the page size the server returned on the first page (a server may cap `limit`).
 * - At most `concurrency` pages are held: the one being yielded and those fetched or in flight after it.
 * - A short page before the end is completed by fetching its missing offsets, so nothing is skipped.
 * - A page is trimmed to the next offset already asked for and to its own `count`, so nothing is repeated.
 * - The iterator ends at the latest `count` a page reported, or at the first empty page.
 * - A 429 drops it to one page in flight; each 10 clean pages add one back, up to `concurrency`.
 * - An error on page k is thrown after every page before k.
 * - `break` (or a throw in the loop body) aborts the pages in flight and sends nothing more.
 *
 * When the data does not change while it runs, every item is yielded exactly once. When it does, the
 * iterator never yields an offset twice; items inserted or removed before the current offset shift what
 * later offsets hold, which no offset-based client can see.
 */
async function* iteratePages<Item, Body extends OffsetPageBody<Item>>(
  first: OffsetPage<Item, Body>,
  list: ListContext<Item, Body>,
): AsyncGenerator<OffsetPage<Item, Body>, void, undefined> {
  const { concurrency, load } = list;
  let page = first;
  // The first page is yielded whole, as `await` returns it; its count only decides what follows.
  yield page;
  if (!page.hasNextPage()) return;

  // The first page tells the page size the server really uses; ask for exactly that from now on.
  const pageSize = page.items.length;
  const pageLimit = pageSize === list.requestedLimit ? undefined : pageSize;
  let count = page.count;
  let nextOffset = page.offset + pageSize;
  let limit = rateLimitedPages.has(first) ? 1 : concurrency;
  let cleanPages = 0;
  let drops = 0;
  const controller = new AbortController();
  const queue: Pending<Item, Body>[] = [];

  const fetchAt = (offset: number, pageLimit?: number): Pending<Item, Body> => {
    const pending = { offset, epoch: drops } as Pending<Item, Body>;
    // The drop happens at once, while the page is still being retried; whether the page met a 429 is its own.
    const onRetry = (status: number | undefined) => {
      if (status !== 429) return;
      limit = 1;
      cleanPages = 0;
      drops += 1;
    };
    pending.promise = load({ offset, limit: pageLimit, signal: controller.signal, onRetry });
    pending.promise.catch(() => undefined);
    return pending;
  };

  try {
    for (;;) {
      while (queue.length < limit && nextOffset < count) {
        queue.push(fetchAt(nextOffset, pageLimit));
        nextOffset += pageSize;
      }
      const head = queue.shift();
      if (!head) return;
      try {
        page = await head.promise;
      } catch (error) {
        throw withCaller(error, iteratePages);
      }
      // Clean pages are those asked for since the last drop that met no 429 themselves.
      if (!rateLimitedPages.has(page) && head.epoch === drops && limit < concurrency && ++cleanPages >= CLEAN_PAGES_PER_STEP) {
        limit += 1;
        cleanPages = 0;
      }
      count = page.count;
      if (page.items.length === 0 || head.offset >= count) return;
      // Never past the next page already asked for, nor past the count the page itself reports.
      const expectedEnd = queue[0]?.offset ?? nextOffset;
      const stop = Math.min(expectedEnd, count) - head.offset;
      const trimmed = page.items.length > stop ? page._withItems(page.items.slice(0, stop)) : page;
      yield trimmed;
      const end = head.offset + trimmed.items.length;
      // A short page in the middle: fetch what it left out before moving on.
      if (end < expectedEnd && end < count) queue.unshift(fetchAt(end, expectedEnd - end));
    }
  } finally {
    controller.abort();
  }
}
