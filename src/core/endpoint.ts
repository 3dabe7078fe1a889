// How a resource describes an endpoint: what it is, not how HTTP is done. The client checks what the caller gave
// against it before anything is sent, and the answer is parsed with its response schema, whose output type is the
// call's result type: a resource cannot promise a type its schema does not produce.
import type * as z from 'zod/mini';
import type { APIPromise } from './api-promise.js';
import type { RequestOptions } from './config.js';
import type { OffsetPage, OffsetPageBody, PagePromise } from './pagination.js';
import { checkPathParam, type ParamsSchema } from './validate.js';

/**
 * One path parameter as the `path` tag takes it: `{ name: value }`, one entry. The name is what an input error
 * calls a bad value.
 */
export type PathParam = Readonly<Record<string, unknown>>;

/** A path with its parameters still unchecked: built by the `path` tag, resolved by the client when it sends. */
export interface Path {
  readonly literals: readonly string[];
  readonly params: readonly PathParam[];
}

/**
 * Tags an endpoint's path: `` path`/v2/eval-runs/${{ eval_run_uuid: id }}/responses` ``. Each parameter is checked
 * (a non-empty, well-formed string other than `.` and `..`) and percent-encoded into one segment when the call is
 * made, so a value can never change which path is requested, and no endpoint can forget to encode.
 */
export function path(literals: TemplateStringsArray, ...params: PathParam[]): Path {
  return { literals, params };
}

/** The path with each parameter checked and encoded. @throws AymaraInputError naming the parameter. */
export function resolvePath({ literals, params }: Path): string {
  let out = literals[0] ?? '';
  params.forEach((param, i) => {
    const [name, value] = Object.entries(param)[0] ?? ['path parameter', undefined];
    out += encodeURIComponent(checkPathParam(name, value)) + (literals[i + 1] ?? '');
  });
  return out;
}

/** A GET endpoint with one answer. `T` is what its response schema produces. */
export interface Endpoint<T> {
  method: 'GET';
  path: Path;
  /** The caller's query parameters, checked strictly against `paramsSchema` (an unknown name is refused). */
  params: unknown;
  paramsSchema: ParamsSchema;
  /** Parses a 2xx body; its output is the call's result. */
  responseSchema: z.core.$ZodType<T>;
}

/**
 * A limit/offset list endpoint: each answer is one page `{ items, count }` (its response schema is built from the
 * item's schema), walked by the one page type, `OffsetPage`.
 */
export type ListEndpoint<Item, Body extends OffsetPageBody<Item>> = Endpoint<Body>;

/** What resources need from the client: one way to make a call and one to walk a list. */
export interface APIClient {
  /** @internal */
  _request<T>(endpoint: Endpoint<T>, options: RequestOptions | undefined): APIPromise<T>;
  /** @internal */
  _requestPage<Item, Body extends OffsetPageBody<Item>>(
    endpoint: ListEndpoint<Item, Body>,
    options: RequestOptions | undefined,
  ): PagePromise<OffsetPage<Item, Body>>;
}
