import type { APIPromise } from './api-promise.js';
import type { RequestOptions } from './config.js';
import type { OffsetPageBody, PagePromise } from './pagination.js';
import type { checkParams, parseBody } from './validate.js';

/**
 * How a resource describes one endpoint: what it is, not how HTTP is done. The client checks the path
 * parameters and the parameters before anything is sent, builds the request, and parses the answer with
 * `responseSchema`.
 */
export interface EndpointSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path template, `{name}` for each path parameter. */
  path: string;
  /** Values for the template; each is checked and percent-encoded into one segment. */
  pathParams: Record<string, unknown>;
  /** The caller's query parameters, and the schema that checks them (strictly: unknown names are refused). */
  params: unknown;
  paramsSchema: Parameters<typeof checkParams>[0];
  /** A JSON request body, for methods that send one. */
  body?: unknown;
  /** The schema of a successful answer's body. */
  responseSchema: Parameters<typeof parseBody>[0];
}

/** What resources need from the client. `T` is the model type the endpoint's schema produces. */
export interface APIClient {
  /** @internal One call, one answer. */
  _request<T>(spec: EndpointSpec, options: RequestOptions | undefined): APIPromise<T>;
  /** @internal A limit/offset list: the first page, and the way through the rest. */
  _requestPage<Item, Body extends OffsetPageBody<Item>>(spec: EndpointSpec, options: RequestOptions | undefined): PagePromise<Item, Body>;
}
