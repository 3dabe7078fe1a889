import type { z } from 'zod';
import type { RequestOptions } from './config.js';
import type { PagePromise } from './pagination.js';

/** How a resource describes a limit/offset list endpoint: what it is, not how HTTP is done. */
export interface OffsetListSpec<Params extends z.ZodType, PageSchema extends z.ZodType<{ items: unknown[]; count: number }>> {
  /** Path template, `{name}` for each path parameter. */
  path: string;
  /** Values for the template; each is checked and percent-encoded into one segment. */
  pathParams: Record<string, unknown>;
  /** The caller's query parameters and their schema. */
  params: unknown;
  paramsSchema: Params;
  /** The schema of one page's body. */
  pageSchema: PageSchema;
}

/** What resources need from the client. */
export interface APIClient {
  /** @internal */
  _listOffsetPage<Params extends z.ZodType, PageSchema extends z.ZodType<{ items: unknown[]; count: number }>>(
    spec: OffsetListSpec<Params, PageSchema>,
    options: RequestOptions | undefined,
  ): PagePromise<z.output<PageSchema>['items'][number]>;
}
