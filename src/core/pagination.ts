import { AymaraError } from './errors.js';

/** What a paginated call returns, with the raw response for those who log or trace. */
export interface WithResponse<T> {
  data: T;
  /** The HTTP response (headers readable; its body has been read). */
  response: Response;
  /** The `x-request-id` the API answered with, if any. */
  requestId: string | undefined;
}

/** Which page to fetch, and how. */
export interface PageRequest {
  offset: number;
  /** Overrides the caller's `limit` (to complete a short page). */
  limit?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Told of each retry, with the status that caused it. */
  onRetry?: ((status: number | undefined) => void) | undefined;
}

/** Fetches a page. Given by the client; pages and the iterator only decide which offsets. */
export type PageLoader<Item> = (request: PageRequest) => Promise<WithResponse<OffsetPage<Item>>>;

/** One page of a limit/offset list: its `items`, the list's total `count`, and the way to the next page. */
export class OffsetPage<Item> {
  /** The items of this page, in the API's order. */
  readonly items: Item[];
  /** The total number of items in the list (not in this page), as the API reported it. */
  readonly count: number;
  /** The offset this page was asked for. */
  readonly offset: number;
  readonly #load: PageLoader<Item>;

  constructor(body: { items: Item[]; count: number }, offset: number, load: PageLoader<Item>) {
    this.items = body.items;
    this.count = body.count;
    this.offset = offset;
    this.#load = load;
  }

  /** Whether the list goes on after this page: `offset + items.length < count`, and this page was not empty. */
  hasNextPage(): boolean {
    return this.items.length > 0 && this.offset + this.items.length < this.count;
  }

  /** Fetches the page after this one. Throws `AymaraError` when there is none (check `hasNextPage()`). */
  async getNextPage(): Promise<OffsetPage<Item>> {
    if (!this.hasNextPage()) throw new AymaraError('No next page: check hasNextPage() first');
    return (await this.#load({ offset: this.offset + this.items.length })).data;
  }
}

/**
 * The result of a list call: `await` it for the first page, or `for await` it for every item across pages.
 * The first page is requested at the call; `for await` reuses it and goes on from there.
 */
export class PagePromise<Item> implements PromiseLike<OffsetPage<Item>>, AsyncIterable<Item> {
  readonly #start: () => Promise<WithResponse<OffsetPage<Item>>>;
  readonly #iterate: (first: () => Promise<WithResponse<OffsetPage<Item>>>) => AsyncGenerator<Item, void, undefined>;
  #first: Promise<WithResponse<OffsetPage<Item>>> | undefined;

  /** @internal */
  constructor(
    start: () => Promise<WithResponse<OffsetPage<Item>>>,
    iterate: (first: () => Promise<WithResponse<OffsetPage<Item>>>) => AsyncGenerator<Item, void, undefined>,
  ) {
    this.#start = start;
    this.#iterate = iterate;
    // Sent at the call, like a plain promise, so context the caller holds (AsyncLocalStorage, tracing) goes with it.
    // A result nobody reads is dropped quietly rather than crashing the process as an unhandled rejection.
    this.#firstPage().catch(() => undefined);
  }

  #firstPage(): Promise<WithResponse<OffsetPage<Item>>> {
    return (this.#first ??= this.#start());
  }

  /** The first page, the HTTP response and the request id. */
  withResponse(): Promise<WithResponse<OffsetPage<Item>>> {
    return this.#firstPage();
  }

  then<R1 = OffsetPage<Item>, R2 = never>(
    onfulfilled?: ((value: OffsetPage<Item>) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#firstPage().then(
      onfulfilled ? (r) => onfulfilled(r.data) : (r) => r.data as R1,
      onrejected,
    );
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<OffsetPage<Item> | R> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<OffsetPage<Item>> {
    return this.then().finally(onfinally);
  }

  /** Every item of the list from the first page's offset on, in order, fetching pages as needed. */
  [Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    return this.#iterate(() => this.#firstPage());
  }

  get [Symbol.toStringTag](): string {
    return 'PagePromise';
  }
}

/** A page being fetched by the iterator. The no-op catch keeps an early failure from being unhandled. */
interface Pending<Item> {
  offset: number;
  promise: Promise<WithResponse<OffsetPage<Item>>>;
  /** Whether any attempt for this page met a 429. */
  rateLimited: boolean;
  /** How many 429 drops had happened when this page was asked for. */
  epoch: number;
}

/** After a 429 the iterator drops to one page in flight, then adds one back after each this many clean pages. */
const CLEAN_PAGES_PER_STEP = 10;

/**
 * Yields every item from the first page on, in order, with up to `concurrency` pages in flight (SPEC 8).
 *
 * - Offsets follow the page size the server returned on the first page (a server may cap `limit`).
 * - At most `concurrency` pages are held: the one being yielded and those fetched or in flight after it.
 * - A short page before the end is completed by fetching its missing offsets, so nothing is skipped.
 * - The iterator ends at the latest `count` a page reported, or at the first empty page.
 * - A 429 drops it to one page in flight; each 10 clean pages add one back, up to `concurrency`.
 * - An error on page k is thrown after every item of the pages before k.
 * - `break` (or a throw in the loop body) aborts the pages in flight and sends nothing more.
 *
 * When the data does not change while it runs, every item is yielded exactly once. When it does, the
 * iterator never yields an offset twice; items inserted or removed before the current offset shift what
 * later offsets hold, which no offset-based client can see.
 */
export async function* iterateOffsetPages<Item>(
  first: () => Promise<WithResponse<OffsetPage<Item>>>,
  load: PageLoader<Item>,
  options: { concurrency: number; requestedLimit: number | undefined; firstPageRateLimited: () => boolean },
): AsyncGenerator<Item, void, undefined> {
  const { concurrency } = options;
  let page = (await first()).data;
  // The first page is yielded whole, as `await` returns it; its count only decides what follows.
  yield* page.items;
  if (!page.hasNextPage()) return;

  // The first page tells the page size the server really uses; ask for exactly that from now on.
  const pageSize = page.items.length;
  const pageLimit = pageSize === options.requestedLimit ? undefined : pageSize;
  let count = page.count;
  let nextOffset = page.offset + pageSize;
  let limit = options.firstPageRateLimited() ? 1 : concurrency;
  let cleanPages = 0;
  let drops = 0;
  const controller = new AbortController();
  const queue: Pending<Item>[] = [];

  const fetchAt = (offset: number, pageLimit?: number): Pending<Item> => {
    const pending = { offset, rateLimited: false, epoch: drops } as Pending<Item>;
    const onRetry = (status: number | undefined) => {
      if (status !== 429) return;
      pending.rateLimited = true;
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
      page = (await head.promise).data;
      // Clean pages are those asked for since the last drop that met no 429 themselves.
      if (!head.rateLimited && head.epoch === drops && limit < concurrency && ++cleanPages >= CLEAN_PAGES_PER_STEP) {
        limit += 1;
        cleanPages = 0;
      }
      count = page.count;
      if (page.items.length === 0 || head.offset >= count) return;
      // Never past the next page already asked for, nor past the count the page itself reports.
      const expectedEnd = queue[0]?.offset ?? nextOffset;
      const stop = Math.min(expectedEnd, count) - head.offset;
      const items = page.items.length > stop ? page.items.slice(0, stop) : page.items;
      yield* items;
      const end = head.offset + items.length;
      // A short page in the middle: fetch what it left out before moving on.
      if (end < expectedEnd && end < count) queue.unshift(fetchAt(end, expectedEnd - end));
    }
  } finally {
    controller.abort();
  }
}
