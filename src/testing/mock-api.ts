import type { ErrorCode } from '../index.js';
import type { MockFixtures } from './fixtures.js';

/** A fault to inject into the mock API's answers. */
export interface MockFault {
  /** Answer with this status and the API's error envelope (code from `code`, or the status's usual one). */
  status?: number | undefined;
  code?: ErrorCode | undefined;
  /** Extra response headers, e.g. `{ 'retry-after': '1' }`. */
  headers?: Record<string, string> | undefined;
  /** Wait this long before answering. */
  latencyMs?: number | undefined;
  /** Close the connection without answering (the loopback server; msw answers a network error). */
  reset?: boolean | undefined;
  /** How many requests this fault applies to; unlimited when absent. */
  times?: number | undefined;
  /** Apply only to requests this returns true for. */
  match?: ((request: MockRequest) => boolean) | undefined;
}

export interface MockRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
}

export interface MockAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

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

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;
const ROUTE = /^\/v2\/eval-runs\/([^/]+)\/responses$/;

/**
 * The mock Aymara API, free of any HTTP library: the loopback server and the msw handlers both answer with it.
 */
export class MockAymaraAPI {
  readonly fixtures: MockFixtures;
  readonly #faults: MockFault[] = [];
  #requestCounter = 0;
  /** Every request answered so far, in order. */
  readonly requests: MockRequest[] = [];

  constructor(fixtures: MockFixtures, faults: readonly MockFault[] = []) {
    this.fixtures = fixtures;
    this.#faults.push(...faults.map((f) => ({ ...f })));
  }

  /** Adds a fault; it applies to later requests (before earlier ones that also match). */
  inject(fault: MockFault): void {
    this.#faults.unshift({ ...fault });
  }

  /** Removes every fault. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** Picks the fault for a request, counting down its `times`. */
  takeFault(request: MockRequest): MockFault | undefined {
    const index = this.#faults.findIndex((f) => (f.times === undefined || f.times > 0) && (!f.match || f.match(request)));
    const fault = this.#faults[index];
    if (fault?.times !== undefined) fault.times -= 1;
    return fault;
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

  /** Answers one request (after faults other than latency and reset, which the server applies). */
  answer(request: MockRequest, fault?: MockFault): MockAnswer {
    this.requests.push(request);
    if (fault?.status !== undefined) {
      return this.#error(fault.status, fault.code ?? USUAL_CODE[fault.status] ?? 'server.internal_error', `Injected fault: status ${fault.status}`, fault.headers);
    }
    if (request.headers['x-api-key'] !== this.fixtures.apiKey) return this.#error(401, 'auth.invalid_key', 'Invalid or missing API key');
    const match = ROUTE.exec(request.url.pathname);
    if (!match?.[1]) return this.#error(404, 'resource.not_found', `No route for ${request.method} ${request.url.pathname}`);
    if (request.method !== 'GET') return this.#error(405, 'validation.invalid_request', `Method ${request.method} not allowed`);
    const runUUID = decodeURIComponent(match[1]);
    const run = this.fixtures.runs[runUUID];
    const query = request.url.searchParams;
    const workspace = query.get('workspace_uuid');
    if (!run || (workspace !== null && workspace !== run.workspace_uuid)) return this.#error(404, 'resource.not_found', `Eval run ${runUUID} not found`);
    const limit = query.has('limit') ? Number(query.get('limit')) : DEFAULT_LIMIT;
    const offset = query.has('offset') ? Number(query.get('offset')) : 0;
    if (!Number.isInteger(limit) || limit < 1) return this.#error(422, 'validation.invalid_request', 'limit must be an integer >= 1');
    if (!Number.isInteger(offset) || offset < 0) return this.#error(422, 'validation.invalid_request', 'offset must be an integer >= 0');
    const items = run.responses.slice(offset, offset + Math.min(limit, MAX_LIMIT));
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-request-id': this.#nextRequestId(), ...fault?.headers },
      body: JSON.stringify({ items, count: run.responses.length }),
    };
  }
}
