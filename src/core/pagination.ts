import { AymaraError } from './errors.js';

/** What a paginated call returns, with the raw response for those who log or trace. */
export interface WithResponse<T> {
  data: T;
  /** The HTTP response (headers readable; its body has been read). */
  response: Response;
  /** The `x-request-id` the API answered with, if any. */
  requestId: string | undefined;
}

/** Fetches the page at an offset. Given by the client; the page and the iterator only decide which offsets. */
export type PageLoader<Item> = (offset: number, signal?: AbortSignal) => Promise<WithResponse<OffsetPage<Item>>>;

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
    return (await this.#load(this.offset + this.items.length)).data;
  }
}

/**
 * The result of a list call: `await` it for the first page, or `for await` it for every item across pages.
 * Nothing is sent until one of them starts.
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
    return this.#firstPage().then((r) => r.data).then(onfulfilled, onrejected);
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

/** Walks the pages one after another. */
export async function* iterateSequentially<Item>(first: () => Promise<WithResponse<OffsetPage<Item>>>): AsyncGenerator<Item, void, undefined> {
  let page = (await first()).data;
  for (;;) {
    yield* page.items;
    if (!page.hasNextPage()) return;
    page = await page.getNextPage();
  }
}
