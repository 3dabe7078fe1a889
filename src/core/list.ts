import { OffsetPage, PagePromise, type ListContext, type OffsetPageBody, type PageRequest } from './pagination.js';
import type { AymaraResponse } from './pipeline.js';

/** A list call as the client hands it over: how to send one page's request, and how to parse its answer. */
export interface ListCall<Body> {
  /** The caller's parameters, checked. */
  params: Readonly<Record<string, unknown>>;
  /** Pages in flight while iterating. */
  concurrency: number;
  /** Sends the request for one page with these parameters; `onRetry` hears the status of each retry. */
  send(params: Readonly<Record<string, unknown>>, signal: AbortSignal | undefined, onRetry: (status: number | undefined) => void): Promise<AymaraResponse>;
  parse(response: AymaraResponse): Body;
}

/**
 * Starts a limit/offset list: requests its first page now and gives the pages what they need to fetch the rest.
 * Each page remembers whether one of its attempts met a 429, so the iteration that starts from it starts slow.
 */
export function requestList<Item, Body extends OffsetPageBody<Item>>(call: ListCall<Body>): PagePromise<OffsetPage<Item, Body>> {
  const firstOffset = (call.params.offset as number | undefined) ?? 0;
  const requestedLimit = call.params.limit as number | undefined;

  const send = (request: PageRequest) => {
    let rateLimited = false;
    const onRetry = (status: number | undefined) => {
      if (status === 429) rateLimited = true;
      request.onRetry?.(status);
    };
    const { offset, limit } = request;
    // Only the parameters the caller gave, plus the offset (and a limit) the iterator asks for.
    const params = offset === firstOffset && limit === undefined ? call.params : { ...call.params, offset, limit: limit ?? requestedLimit };
    const response = call.send(params, request.signal, onRetry);
    return { response, toPage: (r: AymaraResponse) => new OffsetPage<Item, Body>(call.parse(r), offset, list, rateLimited) };
  };

  const list: ListContext<Item, Body> = {
    concurrency: call.concurrency,
    requestedLimit,
    load: (request) => {
      const { response, toPage } = send(request);
      return response.then(toPage);
    },
  };
  const { response, toPage } = send({ offset: firstOffset });
  return new PagePromise<OffsetPage<Item, Body>>(response, toPage);
}
