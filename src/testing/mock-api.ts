import type { ErrorCode } from '../index.js';
import { lowerCaseKeys } from '../internal/headers.js';
import { sleep } from '../internal/sleep.js';
import { validateFixtures, type MockEval, type MockFixtures, type MockRun } from './fixtures.js';

/**
 * Which requests a fault applies to: a predicate, or fields that must all equal the request's
 * (`{ eval_run_uuid: 'run-1', offset: 100 }` is the page at offset 100 of run-1; `{ route: 'run' }` every read of a run).
 */
export type MockFaultMatch =
  ((request: MockRequest) => boolean) | Partial<Pick<MockRequest, 'method' | 'route' | 'eval_run_uuid' | 'eval_uuid' | 'offset' | 'limit' | 'workspace_uuid'>>;

/**
 * A fault to inject into the mock API's answers. Combine fields: `{ status: 503, times: 1, headers: { 'retry-after': '1' } }`,
 * `{ latencyMs: 200, match: { offset: 100 } }`, `{ reset: true, times: 2 }`.
 */
export interface MockFault {
  /** Answer with this error status (300-599) and the API's error envelope instead of the real answer. */
  status?: number | undefined;
  /**
   * The envelope's `error.code`. Default: the status's documented code (401 `auth.invalid_key`, 403
   * `auth.insufficient_permissions`, 400 and 422 `validation.invalid_request`, 404 `resource.not_found`, 409
   * `resource.conflict`, 429 `quota.limit_exceeded`, 500 `server.internal_error`), else `mock.injected_fault`, a code
   * the SDK does not know, so the error's class follows the status (503: `ServiceUnavailableError`).
   */
  code?: ErrorCode | undefined;
  /** The envelope's `error.message`; default: `Injected fault: status N`. */
  message?: string | undefined;
  /** A raw body in place of the envelope (with `status`) or of the page (without): an HTML 502, broken JSON... */
  body?: string | undefined;
  /** Extra response headers, on an error or a normal answer: `{ 'retry-after': '1' }`, `{ 'retry-after-ms': '50' }`. */
  headers?: Record<string, string> | undefined;
  /** Wait this long (ms) before answering (or resetting). */
  latencyMs?: number | undefined;
  /** Close the connection without answering (the loopback server); msw answers a network error. */
  reset?: boolean | undefined;
  /** How many requests this fault applies to; unlimited when absent. Counts down as it applies. */
  times?: number | undefined;
  /** Apply only to the requests this matches; every request when absent. */
  match?: MockFaultMatch | undefined;
}

/** A request the mock API received, as recorded in `api.requests`. */
export interface MockRequest {
  /** `GET`, ... */
  method: string;
  /** The full URL as received, query included. */
  url: URL;
  /** Request headers, lower-case names. */
  headers: Record<string, string>;
  /** Which endpoint the path names (see `MockRouteName`), or undefined for no route. */
  route: MockRouteName | undefined;
  /** The path's parameters, by the names of the route's path (`{ eval_run_uuid: 'run-1' }`), decoded; `{}` for no route. */
  params: Record<string, string>;
  /** The run the path names (`params.eval_run_uuid`), for faults' `match`. */
  eval_run_uuid: string | undefined;
  /** The eval the path names (`params.eval_uuid`), for faults' `match`; not the `eval_uuid` query of the runs list. */
  eval_uuid: string | undefined;
  /** The `offset` asked for; 0 when absent (NaN when not a number). */
  offset: number;
  /** The `limit` query parameter as sent; undefined when absent (NaN when not a number). */
  limit: number | undefined;
  /** The `workspace_uuid` query parameter; undefined when absent. */
  workspace_uuid: string | undefined;
  /** The loopback server only: which TCP connection carried the request (1, 2, ...), to check keep-alive reuse. */
  connection?: number | undefined;
  /** When the request arrived (`Date.now()`). */
  receivedAt: number;
}

/** An answer of the mock API, independent of any HTTP library. */
export interface MockAnswer {
  /** The HTTP status. */
  status: number;
  /** Response headers: `content-type`, `x-request-id` and a fault's `headers`. */
  headers: Record<string, string>;
  /** The body: a page `{ items, count }`, the error envelope, or a fault's `body`. */
  body: string;
}

/** What `MockAymaraAPI.respond()` resolves to: an answer to send, or `'reset'` to close the connection without one. */
export type MockOutcome = MockAnswer | 'reset';

const USUAL_CODE: Record<number, ErrorCode> = {
  400: 'validation.invalid_request',
  401: 'auth.invalid_key',
  403: 'auth.insufficient_permissions',
  404: 'resource.not_found',
  409: 'resource.conflict',
  422: 'validation.invalid_request',
  429: 'quota.limit_exceeded',
  500: 'server.internal_error',
};

/** The page size when a request sends no `limit`, as the real API documents. */
export const DEFAULT_LIMIT = 100;
/** The largest page the mock serves: a larger `limit` is capped to this, as a real server might. */
export const MAX_LIMIT = 500;

/** A run `findRun()` found: its `eval_run_uuid` and its fixture. */
export interface FoundRun {
  uuid: string;
  run: MockRun;
}

/** An eval `findEval()` found: its `eval_uuid` and its fixture. */
export interface FoundEval {
  uuid: string;
  eval: MockEval;
}

/** What a route answers from. */
export interface MockRouteContext {
  /** The request; its decoded path parameters are `request.params`. */
  readonly request: MockRequest;
  /** The data served. */
  readonly fixtures: MockFixtures;
  /**
   * A run as `GET /v2/eval-runs/{uuid}` serves it now: its status and totals. `read: true` counts this as a read of
   * the run itself, which moves a `finishAfter: { polls }` run on; a run seen in a list is not polled.
   */
  runBody(found: FoundRun, options?: { read?: boolean }): Record<string, unknown>;
}

/**
 * One endpoint: the method and the path it answers (`:name` segments are path parameters, given decoded in
 * `request.params`), and the JSON body of its 200. A route does its own lookups, and answers an error by throwing
 * one (the helpers below throw a 404 or a 422 with the API's error envelope).
 */
interface MockRoute {
  readonly name: string;
  readonly method: 'GET';
  readonly path: string;
  answer(ctx: MockRouteContext): unknown;
}

/** An answer other than 200, thrown by a route or a helper and answered with the API's error envelope. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A path parameter the route's path names; its absence is a bug in the route table, not a client's mistake. */
function param(ctx: MockRouteContext, name: string): string {
  const value = ctx.request.params[name];
  if (value === undefined) throw new Error(`route ${String(ctx.request.route)} has no path parameter :${name}`);
  return value;
}

/** Whether something in `workspace` is visible to the request: any workspace when it names none. */
function inWorkspace(request: MockRequest, workspace: string | undefined): boolean {
  return request.workspace_uuid === undefined || request.workspace_uuid === workspace;
}

function notFound(what: string, request: MockRequest): Refusal {
  const where = request.workspace_uuid !== undefined ? ` in workspace ${request.workspace_uuid}` : '';
  return new Refusal(404, 'resource.not_found', `${what} not found${where}`);
}

/**
 * The page `{ items, count }` of `items` the request asks for: `limit` items (default 100, capped at 500) from
 * `offset`, `count` all of them. A bad `limit` or `offset` is a 422 `validation.invalid_request`.
 */
export function page<T>(request: MockRequest, items: readonly T[]): { items: T[]; count: number } {
  const limit = request.limit ?? DEFAULT_LIMIT;
  const { offset } = request;
  if (!Number.isInteger(limit) || limit < 1) throw new Refusal(422, 'validation.invalid_request', 'limit must be an integer >= 1');
  if (!Number.isInteger(offset) || offset < 0) throw new Refusal(422, 'validation.invalid_request', 'offset must be an integer >= 0');
  return { items: items.slice(offset, offset + Math.min(limit, MAX_LIMIT)), count: items.length };
}

/** The run the path's `:eval_run_uuid` names; a 404 `resource.not_found` when there is none in the request's workspace. */
export function findRun(ctx: MockRouteContext): FoundRun {
  const uuid = param(ctx, 'eval_run_uuid');
  const run = Object.hasOwn(ctx.fixtures.runs, uuid) ? ctx.fixtures.runs[uuid] : undefined;
  if (!run || !inWorkspace(ctx.request, run.workspace_uuid)) throw notFound(`Eval run ${uuid}`, ctx.request);
  return { uuid, run };
}

/** The eval the path's `:eval_uuid` names; a 404 `resource.not_found` when there is none in the request's workspace. */
export function findEval(ctx: MockRouteContext): FoundEval {
  const uuid = param(ctx, 'eval_uuid');
  const { evals = {} } = ctx.fixtures;
  const evaluation = Object.hasOwn(evals, uuid) ? evals[uuid] : undefined;
  if (!evaluation || !inWorkspace(ctx.request, evaluation.workspace_uuid)) throw notFound(`Eval ${uuid}`, ctx.request);
  return { uuid, eval: evaluation };
}

/** The eval a run belongs to: its fixture's `eval_uuid`, else `eval-{eval_run_uuid}`. */
export function evalOfRun({ uuid, run }: FoundRun): string {
  return run.eval_uuid ?? `eval-${uuid}`;
}

/**
 * The runs the request may see, as `GET /v2/eval-runs/{uuid}` serves each (not counted as reads), in fixture order:
 * those of `evalUUID` when given, in the request's workspace when it names one (`*`: every workspace).
 */
export function runsOf(ctx: MockRouteContext, evalUUID: string | undefined): Record<string, unknown>[] {
  const everywhere = ctx.request.workspace_uuid === '*';
  return Object.entries(ctx.fixtures.runs)
    .map(([uuid, run]) => ({ uuid, run }))
    .filter((found) => (everywhere || inWorkspace(ctx.request, found.run.workspace_uuid)) && (evalUUID === undefined || evalOfRun(found) === evalUUID))
    .map((found) => ctx.runBody(found));
}

/**
 * An eval as `GET /v2/evals/{uuid}` serves it: the fixture's fields, with the fields the API always sends filled in
 * when missing (`eval_uuid`, `ai_description`, `eval_type`) and `num_prompts` counted from its prompts.
 */
export function evalBody({ uuid, eval: evaluation }: FoundEval): Record<string, unknown> {
  const { prompts, ...fields } = evaluation;
  return {
    eval_uuid: uuid,
    ai_description: `The AI system under test in eval ${uuid}`,
    eval_type: 'safety',
    num_prompts: prompts.length,
    ...fields,
  };
}

/**
 * The mock's route table: each endpoint it serves, one row each. A row finds what the path names with `findRun()` or
 * `findEval()` (each answers its own 404) and serves it, a list through `page()`.
 */
const ROUTES = [
  { name: 'responses', method: 'GET', path: '/v2/eval-runs/:eval_run_uuid/responses', answer: (ctx) => page(ctx.request, findRun(ctx).run.responses) },
  { name: 'run', method: 'GET', path: '/v2/eval-runs/:eval_run_uuid', answer: (ctx) => ctx.runBody(findRun(ctx), { read: true }) },
  { name: 'eval', method: 'GET', path: '/v2/evals/:eval_uuid', answer: (ctx) => evalBody(findEval(ctx)) },
  { name: 'prompts', method: 'GET', path: '/v2/evals/:eval_uuid/prompts', answer: (ctx) => page(ctx.request, findEval(ctx).eval.prompts) },
  {
    name: 'runs',
    method: 'GET',
    path: '/v2/eval-runs',
    answer: (ctx) => page(ctx.request, runsOf(ctx, ctx.request.url.searchParams.get('eval_uuid') ?? undefined)),
  },
] as const satisfies readonly MockRoute[];

/** The endpoints the mock serves, by the `name`s of its route table (`'responses'`, `'run'`, ...). */
export type MockRouteName = (typeof ROUTES)[number]['name'];

/** The parameters of a path that matches the route path `pattern`, decoded; undefined when it does not match. */
function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const parts = pattern.split('/');
  const segments = path.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] ?? '';
    if (!part.startsWith(':')) {
      if (segment !== part) return undefined;
      continue;
    }
    if (segment === '') return undefined;
    try {
      params[part.slice(1)] = decodeURIComponent(segment);
    } catch {
      // Not percent-encoded UTF-8: no resource can have that name, so no route serves it.
      return undefined;
    }
  }
  return params;
}

function fail(message: string): never {
  throw new TypeError(`aymara-ai/testing: ${message}`);
}

/** Checks a fault when it is added, so a typo fails where it was written, not as a puzzling answer later. */
function checkFault(fault: MockFault, where: string): MockFault {
  if (typeof fault !== 'object' || fault === null) fail(`${where} must be an object`);
  const { status, times, latencyMs, headers, match, body, code, message } = fault;
  if (status !== undefined && !(Number.isInteger(status) && status >= 300 && status <= 599))
    fail(`${where}.status must be an error status from 300 to 599; got ${String(status)}`);
  if (times !== undefined && !(Number.isInteger(times) && times >= 0)) fail(`${where}.times must be an integer >= 0; got ${String(times)}`);
  if (latencyMs !== undefined && !(Number.isFinite(latencyMs) && latencyMs >= 0))
    fail(`${where}.latencyMs must be a number of milliseconds >= 0; got ${String(latencyMs)}`);
  if (headers !== undefined && (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string')))
    fail(`${where}.headers must be an object of header names to strings`);
  if (match !== undefined && typeof match !== 'function' && (typeof match !== 'object' || match === null))
    fail(`${where}.match must be a function or an object of request fields`);
  if (body !== undefined && typeof body !== 'string') fail(`${where}.body must be a string`);
  if (code !== undefined && typeof code !== 'string') fail(`${where}.code must be a string`);
  if (message !== undefined && typeof message !== 'string') fail(`${where}.message must be a string`);
  return { ...fault };
}

function matches(match: MockFaultMatch | undefined, request: MockRequest): boolean {
  if (match === undefined) return true;
  if (typeof match === 'function') return match(request);
  return Object.entries(match).every(([field, value]) => value === undefined || Object.is(request[field as keyof MockRequest], value));
}

/** Options of `new MockAymaraAPI(...)`. */
export interface MockAymaraAPIOptions {
  /** Faults in effect from the start, first match wins. */
  faults?: readonly MockFault[] | undefined;
  /** A path prefix the API lives under (`/aymara` for a base URL `https://proxy.test/aymara`); default none. */
  basePath?: string | undefined;
}

/**
 * The mock Aymara API, free of any HTTP library: the loopback server (`startMockServer`) and the msw handlers
 * (`mockAymaraHandlers`) both answer with it. From the fixtures it serves, under `basePath`:
 * - `GET /v2/eval-runs/{eval_run_uuid}`: the run, its status (which can move from `processing` to `finished`, see
 *   `finishAfter` and `setRunStatus`) and its totals;
 * - `GET /v2/eval-runs/{eval_run_uuid}/responses`: a page `{ items, count }` of the run's responses.
 * - `GET /v2/eval-runs`: a page of runs, each as the run endpoint serves it (listing is not a poll), only an eval's
 *   with `eval_uuid`, every workspace's with `workspace_uuid=*`;
 * - `GET /v2/evals/{eval_uuid}`: the eval, with `eval_uuid`, `ai_description` and `eval_type` filled in when the
 *   fixture leaves them out;
 * - `GET /v2/evals/{eval_uuid}/prompts`: a page of the eval's prompts.
 *
 * A list honours `limit` (default 100, capped at 500) and `offset`. Every endpoint honours `workspace_uuid` (a run
 * or eval in another workspace is a 404 `resource.not_found`, as is an unknown one) and the key (a wrong or missing
 * `x-api-key` is a 401 `auth.invalid_key`). It records every request it receives and answers with the faults
 * injected.
 *
 * @throws TypeError when the fixtures or a fault are malformed (e.g. a response without a string `prompt_uuid`).
 */
export class MockAymaraAPI {
  /** The data served. You may add runs or responses between requests; they are not re-validated. */
  readonly fixtures: MockFixtures;
  /** The path prefix the API lives under, without a trailing slash ('' for none). */
  readonly basePath: string;
  /** Every request received so far, in order: answered, failed by a fault, or reset. */
  readonly requests: MockRequest[] = [];
  readonly #faults: MockFault[] = [];
  readonly #runs = new Map<string, { polls: number; status: string | undefined }>();
  readonly #startedAt = Date.now();
  #requestCounter = 0;

  constructor(fixtures: MockFixtures, options: MockAymaraAPIOptions = {}) {
    validateFixtures(fixtures);
    this.fixtures = fixtures;
    const { faults = [], basePath = '' } = options;
    if (typeof basePath !== 'string' || (basePath !== '' && !basePath.startsWith('/')))
      fail(`basePath must be a path that starts with "/"; got ${JSON.stringify(basePath)}`);
    this.basePath = basePath.replace(/\/+$/, '');
    faults.forEach((fault, i) => this.#faults.push(checkFault(fault, `faults[${i}]`)));
  }

  /** Adds a fault. It applies to later requests, before faults added earlier that also match. */
  inject(fault: MockFault): void {
    this.#faults.unshift(checkFault(fault, 'fault'));
  }

  /** Removes every fault. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** Removes every fault and forgets the recorded requests; the fixtures stay. Handy in `afterEach`. */
  reset(): void {
    this.clearFaults();
    this.requests.length = 0;
  }

  /** Describes a request for `requests` and for faults' `match`. Does not record it. */
  describeRequest(method: string, url: URL, headers: Record<string, string>, connection?: number): MockRequest {
    const matched = this.#match(url);
    const params = matched?.params ?? {};
    const query = url.searchParams;
    return {
      method,
      url,
      headers,
      route: matched?.route.name,
      params,
      eval_run_uuid: params.eval_run_uuid,
      eval_uuid: params.eval_uuid,
      offset: query.has('offset') ? Number(query.get('offset')) : 0,
      limit: query.has('limit') ? Number(query.get('limit')) : undefined,
      workspace_uuid: query.get('workspace_uuid') ?? undefined,
      ...(connection !== undefined ? { connection } : {}),
      receivedAt: Date.now(),
    };
  }

  /** The route the URL's path names under `basePath`, with its parameters. */
  #match(url: URL): { route: (typeof ROUTES)[number]; params: Record<string, string> } | undefined {
    const path = url.pathname;
    if (this.basePath && !(path === this.basePath || path.startsWith(`${this.basePath}/`))) return undefined;
    for (const route of ROUTES) {
      const params = matchPath(route.path, path.slice(this.basePath.length));
      if (params) return { route, params };
    }
    return undefined;
  }

  /** Records a request and picks the fault for it, counting down the fault's `times`. Call once per request. */
  receive(request: MockRequest): MockFault | undefined {
    this.requests.push(request);
    const fault = this.#faults.find((f) => (f.times === undefined || f.times > 0) && matches(f.match, request));
    if (fault?.times !== undefined) fault.times -= 1;
    return fault;
  }

  /**
   * Receives a request and settles it: waits the fault's latency (cut short when `signal` aborts), then resolves to
   * `'reset'` or to the answer.
   */
  async respond(request: MockRequest, signal?: AbortSignal): Promise<MockOutcome> {
    const fault = this.receive(request);
    if (fault?.latencyMs) await sleep(fault.latencyMs, signal);
    if (fault?.reset) return 'reset';
    return this.answer(request, fault);
  }

  #error(status: number, code: ErrorCode, message: string, extra: Record<string, string> = {}): MockAnswer {
    const requestId = this.#nextRequestId();
    return {
      status,
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...extra },
      body: JSON.stringify({ error: { code, message, details: {} }, request_id: requestId }),
    };
  }

  #nextRequestId(): string {
    this.#requestCounter += 1;
    return `req_mock_${String(this.#requestCounter).padStart(6, '0')}`;
  }

  /** The answer to a received request, with the fault's status, body and headers applied (latency and reset are `respond()`'s). */
  answer(request: MockRequest, fault?: MockFault): MockAnswer {
    const extra = lowerCaseKeys(fault?.headers);
    const raw = (answer: MockAnswer): MockAnswer =>
      fault?.body === undefined ? answer : { status: answer.status, headers: { ...answer.headers, 'content-type': 'text/plain', ...extra }, body: fault.body };
    if (fault?.status !== undefined) {
      const code = fault.code ?? USUAL_CODE[fault.status] ?? 'mock.injected_fault';
      return raw(this.#error(fault.status, code, fault.message ?? `Injected fault: status ${fault.status}`, extra));
    }
    if (request.headers['x-api-key'] !== this.fixtures.apiKey) return this.#error(401, 'auth.invalid_key', 'Invalid or missing API key');
    const route = ROUTES.find((r) => r.name === request.route);
    if (!route) return this.#error(404, 'resource.not_found', `No route for ${request.method} ${request.url.pathname}`);
    if (request.method !== route.method) return this.#error(405, 'validation.invalid_request', `Method ${request.method} not allowed`);
    let body: unknown;
    try {
      body = route.answer(this.#context(request));
    } catch (error) {
      if (error instanceof Refusal) return this.#error(error.status, error.code, error.message);
      throw error;
    }
    const answer = this.#ok(body);
    return raw({ ...answer, headers: { ...answer.headers, ...extra } });
  }

  #context(request: MockRequest): MockRouteContext {
    return { request, fixtures: this.fixtures, runBody: (found, options) => this.#runBody(found, options?.read === true) };
  }

  /** A run: its status (which may move on with each read, see `finishAfter`) and totals. */
  #runBody(found: FoundRun, read: boolean): Record<string, unknown> {
    const { uuid, run } = found;
    const state = this.#runState(uuid);
    if (read) state.polls += 1;
    const { status, progress } = this.#status(run, state);
    const { responses, workspace_uuid, eval_uuid: _evalUUID, name, created_at, status: _status, finishAfter: _finishAfter, ...fields } = run;
    const total = responses.length;
    const scored = responses.filter((r) => typeof r.is_passed === 'boolean' && r.exclude_from_scoring !== true);
    const passed = scored.filter((r) => r.is_passed === true).length;
    const finished = status === 'finished';
    return {
      eval_run_uuid: uuid,
      eval_uuid: evalOfRun(found),
      name: name ?? `Eval run ${uuid}`,
      created_at: created_at ?? new Date(this.#startedAt).toISOString(),
      updated_at: new Date().toISOString(),
      workspace_uuid: workspace_uuid ?? null,
      is_sandbox: false,
      num_prompts: total,
      num_responses_scored: finished ? total : Math.min(total, Math.floor(total * progress)),
      pass_rate: finished && scored.length > 0 ? passed / scored.length : null,
      ...fields,
      status,
    };
  }

  /**
   * Sets a run's status by hand, from now on (`'processing'`, `'finished'`, `'failed'`, or any other string); `undefined`
   * goes back to the fixture's.
   */
  setRunStatus(runUUID: string, status: string | undefined): void {
    this.#runState(runUUID).status = status;
  }

  #runState(runUUID: string): { polls: number; status: string | undefined } {
    let state = this.#runs.get(runUUID);
    if (!state) this.#runs.set(runUUID, (state = { polls: 0, status: undefined }));
    return state;
  }

  /** A run's status now, and how far its scoring has gone (0 to 1) while it is processing. */
  #status(run: MockRun, state: { polls: number; status: string | undefined }): { status: string; progress: number } {
    if (state.status !== undefined) return { status: state.status, progress: state.status === 'finished' ? 1 : 0 };
    const status = run.status ?? 'finished';
    const { finishAfter } = run;
    if (status !== 'processing' || !finishAfter) return { status, progress: status === 'finished' ? 1 : 0 };
    const byPolls = finishAfter.polls !== undefined ? state.polls / (finishAfter.polls + 1) : 0;
    const byTime = finishAfter.ms !== undefined ? (Date.now() - this.#startedAt) / finishAfter.ms : 0;
    const pollsDone = finishAfter.polls !== undefined && state.polls > finishAfter.polls;
    const timeDone = finishAfter.ms !== undefined && Date.now() - this.#startedAt >= finishAfter.ms;
    return pollsDone || timeDone ? { status: 'finished', progress: 1 } : { status, progress: Math.max(byPolls, byTime) };
  }

  #ok(body: unknown): MockAnswer {
    return { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': this.#nextRequestId() }, body: JSON.stringify(body) };
  }
}
