import type { ErrorCode } from '../index.js';
import { validateFixtures, type MockFixtures, type MockRun } from './fixtures.js';

/**
 * Which requests a fault applies to: a predicate, or fields that must all equal the request's
 * (`{ eval_run_uuid: 'run-1', offset: 100 }` is the page at offset 100 of run-1).
 */
export type MockFaultMatch =
  ((request: MockRequest) => boolean) | Partial<Pick<MockRequest, 'method' | 'route' | 'eval_run_uuid' | 'offset' | 'limit' | 'workspace_uuid'>>;

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
  /** Which endpoint the path names: `'responses'` (the list), `'run'` (one run), or undefined for no route. */
  route: MockRouteName | undefined;
  /** The run the path names (decoded). */
  eval_run_uuid: string | undefined;
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

/** The endpoints the mock serves. */
export type MockRouteName = 'responses' | 'run';

/**
 * The mock's route table: a path pattern (its one group is the run's uuid) and how to answer a GET for a run that
 * exists, in the right workspace, with the right key. A new endpoint is one row here.
 */
const ROUTES: readonly {
  name: MockRouteName;
  pattern: RegExp;
  answer: (api: MockAymaraAPI, request: MockRequest, runUUID: string, run: MockRun) => MockAnswer;
}[] = [
  { name: 'responses', pattern: /^\/v2\/eval-runs\/([^/]+)\/responses$/, answer: (api, request, _uuid, run) => api.answerPage(request, run) },
  { name: 'run', pattern: /^\/v2\/eval-runs\/([^/]+)$/, answer: (api, request, uuid, run) => api.answerRun(request, uuid, run) },
];

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

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers) for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
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
 * (`mockAymaraHandlers`) both answer with it. It serves `GET {basePath}/v2/eval-runs/{eval_run_uuid}` (the run, its
 * status and totals) and `GET {basePath}/v2/eval-runs/{eval_run_uuid}/responses` from the fixtures, honouring `limit` (default 100, capped at 500), `offset`, `workspace_uuid` (a run in another
 * workspace is a 404 `resource.not_found`) and the key (a wrong or missing `x-api-key` is a 401 `auth.invalid_key`),
 * and records every request it receives.
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

  constructor(fixtures: MockFixtures, options: MockAymaraAPIOptions | readonly MockFault[] = {}) {
    validateFixtures(fixtures);
    this.fixtures = fixtures;
    const { faults = [], basePath = '' } = Array.isArray(options) ? { faults: options as readonly MockFault[] } : (options as MockAymaraAPIOptions);
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
    const route = this.#route(url);
    const query = url.searchParams;
    return {
      method,
      url,
      headers,
      route: route?.name,
      eval_run_uuid: route?.runUUID,
      offset: query.has('offset') ? Number(query.get('offset')) : 0,
      limit: query.has('limit') ? Number(query.get('limit')) : undefined,
      workspace_uuid: query.get('workspace_uuid') ?? undefined,
      ...(connection !== undefined ? { connection } : {}),
      receivedAt: Date.now(),
    };
  }

  /** The route the URL names under `basePath`, with the decoded run uuid. */
  #route(url: URL): { name: MockRouteName; runUUID: string } | undefined {
    const path = url.pathname;
    if (this.basePath && !(path === this.basePath || path.startsWith(`${this.basePath}/`))) return undefined;
    for (const { name, pattern } of ROUTES) {
      const match = pattern.exec(path.slice(this.basePath.length));
      if (!match?.[1]) continue;
      try {
        return { name, runUUID: decodeURIComponent(match[1]) };
      } catch {
        return undefined;
      }
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
    if (fault?.latencyMs) await wait(fault.latencyMs, signal);
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
    const runUUID = request.eval_run_uuid;
    if (!route || runUUID === undefined) return this.#error(404, 'resource.not_found', `No route for ${request.method} ${request.url.pathname}`);
    if (request.method !== 'GET') return this.#error(405, 'validation.invalid_request', `Method ${request.method} not allowed`);
    const run = Object.hasOwn(this.fixtures.runs, runUUID) ? this.fixtures.runs[runUUID] : undefined;
    const workspace = request.workspace_uuid;
    if (!run || (workspace !== undefined && workspace !== run.workspace_uuid)) {
      return this.#error(404, 'resource.not_found', `Eval run ${runUUID} not found${workspace !== undefined ? ` in workspace ${workspace}` : ''}`);
    }
    const answer = route.answer(this, request, runUUID, run);
    return answer.status === 200 ? raw({ ...answer, headers: { ...answer.headers, ...extra } }) : answer;
  }

  /** @internal A page of a run's responses, honouring `limit` (default 100, capped at 500) and `offset`. */
  answerPage(request: MockRequest, run: MockRun): MockAnswer {
    const limit = request.limit ?? DEFAULT_LIMIT;
    const { offset } = request;
    if (!Number.isInteger(limit) || limit < 1) return this.#error(422, 'validation.invalid_request', 'limit must be an integer >= 1');
    if (!Number.isInteger(offset) || offset < 0) return this.#error(422, 'validation.invalid_request', 'offset must be an integer >= 0');
    const items = run.responses.slice(offset, offset + Math.min(limit, MAX_LIMIT));
    return this.#ok({ items, count: run.responses.length });
  }

  /** @internal The run itself: its status (which may move on with each read, see `finishAfter`) and totals. */
  answerRun(_request: MockRequest, runUUID: string, run: MockRun): MockAnswer {
    const state = this.#runState(runUUID);
    state.polls += 1;
    const { status, progress } = this.#status(run, state);
    const { responses, workspace_uuid, status: _status, finishAfter: _finishAfter, ...fields } = run;
    const total = responses.length;
    const scored = responses.filter((r) => typeof r.is_passed === 'boolean' && r.exclude_from_scoring !== true);
    const passed = scored.filter((r) => r.is_passed === true).length;
    const finished = status === 'finished';
    return this.#ok({
      eval_run_uuid: runUUID,
      eval_uuid: `eval-${runUUID}`,
      name: `Eval run ${runUUID}`,
      created_at: new Date(this.#startedAt).toISOString(),
      updated_at: new Date().toISOString(),
      workspace_uuid: workspace_uuid ?? null,
      is_sandbox: false,
      num_prompts: total,
      num_responses_scored: finished ? total : Math.min(total, Math.floor(total * progress)),
      pass_rate: finished && scored.length > 0 ? passed / scored.length : null,
      ...fields,
      status,
    });
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
