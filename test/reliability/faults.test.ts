/**
 * What the client does with each way the network or the server can misbehave: how many attempts, which
 * error at the end, how long it took, that a fault once followed by a good answer gives the right page,
 * and that the key shows up nowhere. Default undici transport against a real loopback server.
 */
import { afterAll, describe, it } from 'vitest';
import {
  AuthenticationError,
  AymaraAbortError,
  AymaraAI,
  AymaraAPIError,
  AymaraConnectionError,
  AymaraError,
  AymaraResponseValidationError,
  AymaraTimeoutError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  UnprocessableEntityError,
  type FetchLike,
  type RequestOptions,
} from 'aymara-ai';
import { F, startFaultServer, within, type Fault } from '../helpers/fault-server.js';
import { closedPortURL, rejectionOf } from '../helpers/server.js';
import { attemptCounter, faultSetup, leaksKey, printTable, SECRET_KEY, type FaultRow } from './support.js';

const TIMEOUT = 400;
const MAX_RETRIES = 1;
/** No call here may take longer than this, retries and waits included. */
const CALL_BOUND = 6_000;
const rows = new Map<string, FaultRow>();

type ErrorClass = abstract new (...args: never[]) => Error;

function envelope(code: string, requestId = ''): unknown {
  return { error: { code, message: `test error ${code}`, details: {} }, request_id: requestId };
}

/** The page the tests ask for and what it must contain. */
const PARAMS = { limit: 5, offset: 10 };
const EXPECTED_ITEMS = ['p-10', 'p-11', 'p-12', 'p-13', 'p-14'];

function list(client: AymaraAI, options?: RequestOptions) {
  return client.evals.runs.listResponses('run-1', PARAMS, options);
}

interface FailCase {
  name: string;
  fault: Fault;
  error: ErrorClass;
  /** The error's class must be exactly this one (not a subclass). */
  exact?: boolean;
  attempts: number;
  minMs?: number;
  maxMs?: number;
  check?: (error: unknown) => void;
}

const statusFault = (status: number, headers?: Record<string, string>, body: unknown = envelope('server.internal_error')): Fault => ({
  kind: 'status',
  status,
  headers,
  body,
});

/** Faults served on every attempt: the call must end in the right error after the right number of attempts. */
const PERSISTENT: FailCase[] = [
  { name: 'TCP reset before headers', fault: F.resetBeforeHeaders, error: AymaraConnectionError, exact: true, attempts: 2 },
  { name: 'connection closed before headers', fault: F.closeBeforeHeaders, error: AymaraConnectionError, exact: true, attempts: 2 },
  { name: 'TCP reset mid-body', fault: F.resetMidBody, error: AymaraConnectionError, exact: true, attempts: 2 },
  { name: 'connection closed mid-body (short of content-length)', fault: F.closeMidBody, error: AymaraConnectionError, exact: true, attempts: 2 },
  { name: 'stall before headers', fault: F.stallBeforeHeaders, error: AymaraTimeoutError, attempts: 2, minMs: 2 * TIMEOUT - 50 },
  { name: 'stall mid-body', fault: F.stallMidBody, error: AymaraTimeoutError, attempts: 2, minMs: 2 * TIMEOUT - 50 },
  {
    name: 'body dripped 1 byte / 20 ms (slower than the timeout allows)',
    fault: { kind: 'drip', intervalMs: 20 },
    error: AymaraTimeoutError,
    attempts: 2,
    minMs: 2 * TIMEOUT - 50,
  },
  {
    name: '200 with truncated JSON',
    fault: F.truncatedJSON,
    error: AymaraResponseValidationError,
    attempts: 1,
    check: (e) => {
      const error = e as AymaraResponseValidationError;
      if (error.path !== '$' || error.status !== 200 || error.requestId !== 'req-truncated')
        throw new Error(`wrong details: ${error.path} ${error.status} ${error.requestId}`);
    },
  },
  { name: '200 with invalid JSON (HTML)', fault: F.invalidJSON, error: AymaraResponseValidationError, attempts: 1 },
  {
    name: '200 with the wrong schema',
    fault: F.wrongSchema,
    error: AymaraResponseValidationError,
    attempts: 1,
    check: (e) => {
      const error = e as AymaraResponseValidationError;
      if (error.path !== '$.items[0].prompt_uuid' || error.requestId !== 'req-schema') throw new Error(`wrong details: ${error.path} ${error.requestId}`);
    },
  },
  // Backoff for the first retry is 0.5 s shortened by up to 25%: 375-500 ms.
  { name: '429 without Retry-After', fault: statusFault(429, undefined, envelope('quota.limit_exceeded')), error: RateLimitError, attempts: 2, minMs: 370 },
  {
    name: '429 Retry-After: 1',
    fault: statusFault(429, { 'retry-after': '1' }, envelope('quota.limit_exceeded')),
    error: RateLimitError,
    attempts: 2,
    minMs: 980,
    maxMs: 2_500,
  },
  {
    name: '429 retry-after-ms: 30',
    fault: statusFault(429, { 'retry-after-ms': '30' }, envelope('quota.limit_exceeded')),
    error: RateLimitError,
    attempts: 2,
    maxMs: 350,
  },
  {
    name: '429 Retry-After: 120 (over 60 s: backoff instead)',
    fault: statusFault(429, { 'retry-after': '120' }, envelope('quota.limit_exceeded')),
    error: RateLimitError,
    attempts: 2,
    minMs: 370,
    maxMs: 2_000,
  },
  {
    name: '429 Retry-After: garbage (backoff instead)',
    fault: statusFault(429, { 'retry-after': 'soon' }, envelope('quota.limit_exceeded')),
    error: RateLimitError,
    attempts: 2,
    minMs: 370,
    maxMs: 2_000,
  },
  { name: '500 server.internal_error', fault: statusFault(500), error: InternalServerError, exact: true, attempts: 2 },
  {
    name: '502 HTML page from a proxy',
    fault: statusFault(502, { 'content-type': 'text/html' }, '<html>Bad gateway</html>'),
    error: InternalServerError,
    exact: true,
    attempts: 2,
    check: (e) => {
      if (!(e as Error).message.includes('502')) throw new Error(`message does not name the status: ${(e as Error).message}`);
    },
  },
  { name: '503 without Retry-After', fault: statusFault(503, undefined, ''), error: ServiceUnavailableError, attempts: 2, minMs: 370 },
  {
    name: '503 retry-after-ms: -1 (invalid: backoff, not an instant retry)',
    fault: statusFault(503, { 'retry-after-ms': '-1' }, ''),
    error: ServiceUnavailableError,
    attempts: 2,
    minMs: 370,
    maxMs: 2_000,
  },
  { name: '503 Retry-After: 0', fault: statusFault(503, { 'retry-after': '0' }, ''), error: ServiceUnavailableError, attempts: 2, maxMs: 350 },
  { name: '504 empty body', fault: statusFault(504, undefined, ''), error: InternalServerError, exact: true, attempts: 2 },
  { name: '408', fault: statusFault(408, undefined, ''), error: AymaraAPIError, exact: true, attempts: 2 },
  { name: '409 resource.conflict', fault: statusFault(409, undefined, envelope('resource.conflict')), error: ConflictError, attempts: 2 },
  {
    name: '503 carrying auth.invalid_key (class from the code, retry from the status)',
    fault: statusFault(503, { 'retry-after-ms': '5' }, envelope('auth.invalid_key', 'req-503')),
    error: AuthenticationError,
    attempts: 2,
    check: (e) => {
      const error = e as AuthenticationError;
      if (error.status !== 503 || error.requestId !== 'req-503') throw new Error(`status ${error.status}, request id ${error.requestId}`);
    },
  },
  { name: '400', fault: statusFault(400, undefined, envelope('validation.invalid_request')), error: BadRequestError, exact: true, attempts: 1 },
  { name: '401', fault: statusFault(401, undefined, envelope('auth.invalid_key')), error: AuthenticationError, attempts: 1 },
  { name: '403', fault: statusFault(403, undefined, envelope('auth.insufficient_permissions')), error: PermissionDeniedError, attempts: 1 },
  { name: '404', fault: statusFault(404, undefined, envelope('resource.not_found')), error: NotFoundError, attempts: 1 },
  { name: '422', fault: statusFault(422, undefined, envelope('validation.invalid_format')), error: UnprocessableEntityError, attempts: 1 },
  {
    name: '401 carrying server.internal_error (not retried: the status decides)',
    fault: statusFault(401, undefined, envelope('server.internal_error')),
    error: InternalServerError,
    attempts: 1,
  },
  {
    name: '300 (not a redirect status the client follows)',
    fault: statusFault(300, { location: '/elsewhere' }, ''),
    error: AymaraAPIError,
    exact: true,
    attempts: 1,
  },
  { name: '302 without Location', fault: statusFault(302, undefined, ''), error: AymaraAPIError, exact: true, attempts: 1 },
];

function record(row: FaultRow): void {
  rows.set(row.fault, row);
}

afterAll(() => {
  const order = [
    ...PERSISTENT.map((c) => c.name),
    'connection refused (closed port)',
    'same-origin redirect loop',
    'cross-origin redirect (another loopback port)',
  ];
  const sorted = [...rows.values()].sort((a, b) => order.indexOf(a.fault) - order.indexOf(b.fault));
  printTable('Faults served on every attempt (timeout 400 ms, maxRetries 1)', sorted);
});

describe.concurrent('a fault on every attempt ends in the right error after the right attempts', () => {
  for (const c of PERSISTENT) {
    it(c.name, async (ctx) => {
      const { server, client, counter } = await faultSetup(ctx, { plan: () => c.fault }, { timeout: TIMEOUT, maxRetries: MAX_RETRIES });
      const started = performance.now();
      const error = await within(rejectionOf(list(client)), CALL_BOUND);
      const ms = Math.round(performance.now() - started);
      const leaked = leaksKey(error);
      record({ fault: c.name, attempts: counter.attempts, served: server.requests.length, outcome: (error as Error).name, ms, leaked });
      ctx.expect(error).toBeInstanceOf(c.error);
      ctx.expect(error).toBeInstanceOf(AymaraError);
      if (c.exact) ctx.expect((error as Error).constructor).toBe(c.error);
      ctx.expect(counter.attempts).toBe(c.attempts);
      ctx.expect(server.requests).toHaveLength(c.attempts);
      if (c.minMs !== undefined) ctx.expect(ms).toBeGreaterThanOrEqual(c.minMs);
      ctx.expect(ms).toBeLessThan(c.maxMs ?? 4_000);
      ctx.expect(leaked).toBe(false);
      c.check?.(error);
    });
  }

  it('connection refused (closed port)', async (ctx) => {
    const counter = attemptCounter();
    const client = new AymaraAI({
      apiKey: SECRET_KEY,
      baseURL: await closedPortURL(),
      logLevel: 'off',
      timeout: TIMEOUT,
      maxRetries: MAX_RETRIES,
      middleware: [counter.middleware],
    });
    ctx.onTestFinished(() => client.close());
    const started = performance.now();
    const error = await within(rejectionOf(list(client)), CALL_BOUND);
    const ms = Math.round(performance.now() - started);
    const leaked = leaksKey(error);
    record({ fault: 'connection refused (closed port)', attempts: counter.attempts, served: 0, outcome: (error as Error).name, ms, leaked });
    ctx.expect((error as Error).constructor).toBe(AymaraConnectionError);
    ctx.expect((error as Error).message).toMatch(/ECONNREFUSED/);
    ctx.expect(counter.attempts).toBe(2);
    ctx.expect(ms).toBeGreaterThanOrEqual(370);
    ctx.expect(leaked).toBe(false);
  });
});

const RECOVERABLE: { name: string; fault: Fault }[] = [
  { name: 'TCP reset before headers', fault: F.resetBeforeHeaders },
  { name: 'connection closed before headers', fault: F.closeBeforeHeaders },
  { name: 'TCP reset mid-body', fault: F.resetMidBody },
  { name: 'connection closed mid-body', fault: F.closeMidBody },
  { name: 'stall before headers', fault: F.stallBeforeHeaders },
  { name: 'stall mid-body', fault: F.stallMidBody },
  { name: 'slow drip', fault: { kind: 'drip', intervalMs: 20 } },
  { name: '408', fault: statusFault(408, { 'retry-after-ms': '5' }, '') },
  { name: '409', fault: statusFault(409, { 'retry-after-ms': '5' }, envelope('resource.conflict')) },
  { name: '429 Retry-After: 0', fault: statusFault(429, { 'retry-after': '0' }, envelope('quota.limit_exceeded')) },
  { name: '500', fault: statusFault(500, { 'retry-after-ms': '5' }) },
  { name: '502 HTML', fault: statusFault(502, { 'content-type': 'text/html', 'retry-after-ms': '5' }, '<html>bad gateway</html>') },
  { name: '503', fault: statusFault(503, undefined, '') },
  { name: '504', fault: statusFault(504, { 'retry-after-ms': '5' }, '') },
];

describe.concurrent('a fault once, then a good answer: the call returns the right page', () => {
  for (const c of RECOVERABLE) {
    it(c.name, async (ctx) => {
      const { server, client, counter } = await faultSetup(ctx, { queue: [c.fault] }, { timeout: TIMEOUT, maxRetries: MAX_RETRIES });
      const page = await within(list(client), CALL_BOUND);
      ctx.expect(page.items.map((r) => r.prompt_uuid)).toEqual(EXPECTED_ITEMS);
      ctx.expect(page.count).toBe(1_000);
      ctx.expect(counter.attempts).toBe(2);
      ctx.expect(server.served).toEqual([c.fault.kind, 'ok']);
      // Both attempts asked for the same page, with the key.
      ctx.expect(server.requests[1]?.url).toBe(server.requests[0]?.url);
      ctx.expect(server.requests.map((r) => r.headers['x-api-key'])).toEqual([SECRET_KEY, SECRET_KEY]);
    });
  }

  it('connection refused, then the server comes back', async (ctx) => {
    const { server, client, counter } = await faultSetup(
      ctx,
      {},
      {
        timeout: TIMEOUT,
        maxRetries: MAX_RETRIES,
        middleware: [
          async (request, next) => {
            try {
              return await next(request);
            } catch (error) {
              // The first attempt met a refused connection: bring the server back before the retry.
              if (request.attempt === 1) await server.startListening();
              throw error;
            }
          },
        ],
      },
    );
    await server.stopListening();
    const page = await within(list(client), CALL_BOUND);
    ctx.expect(page.items.map((r) => r.prompt_uuid)).toEqual(EXPECTED_ITEMS);
    ctx.expect(counter.attempts).toBe(2);
    ctx.expect(server.requests).toHaveLength(1);
  });

  it('a body dripped within the timeout is not a timeout: the deadline is total, the page arrives whole', async (ctx) => {
    // ~170 bytes at 1 byte / 2 ms, well inside 1.5 s.
    const { server, client, counter } = await faultSetup(ctx, { plan: () => ({ kind: 'drip', intervalMs: 2 }) }, { timeout: 1_500, maxRetries: 0 });
    const page = await within(client.evals.runs.listResponses('run-1', { limit: 2, offset: 10 }), CALL_BOUND);
    ctx.expect(page.items.map((r) => r.prompt_uuid)).toEqual(['p-10', 'p-11']);
    ctx.expect(counter.attempts).toBe(1);
    ctx.expect(server.requests).toHaveLength(1);
  });
});

describe.concurrent('redirects', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`a same-origin ${status} is followed with the key and gives the right page`, async (ctx) => {
      const { server, client } = await faultSetup(ctx, {
        queue: [{ kind: 'redirect', status, location: '/v2/eval-runs/run-1/responses?limit=5&offset=10&moved=1' }],
      });
      const page = await within(list(client), CALL_BOUND);
      ctx.expect(page.items.map((r) => r.prompt_uuid)).toEqual(EXPECTED_ITEMS);
      ctx
        .expect(server.requests.map((r) => r.url))
        .toEqual(['/v2/eval-runs/run-1/responses?limit=5&offset=10', '/v2/eval-runs/run-1/responses?limit=5&offset=10&moved=1']);
      ctx.expect(server.requests.map((r) => r.headers['x-api-key'])).toEqual([SECRET_KEY, SECRET_KEY]);
    });
  }

  it('a same-origin redirect loop ends after 5 hops in AymaraAPIError', async (ctx) => {
    const { server, client } = await faultSetup(ctx, { plan: (n) => ({ kind: 'redirect', location: `/v2/eval-runs/run-1/responses?hop=${n}` }) });
    const started = performance.now();
    const error = await within(rejectionOf(list(client)), CALL_BOUND);
    const leaked = leaksKey(error);
    record({
      fault: 'same-origin redirect loop',
      attempts: server.requests.length,
      served: server.requests.length,
      outcome: (error as Error).name,
      ms: Math.round(performance.now() - started),
      leaked,
    });
    ctx.expect((error as Error).constructor).toBe(AymaraAPIError);
    ctx.expect((error as AymaraAPIError).status).toBe(302);
    ctx.expect((error as Error).message).toMatch(/more than 5 redirects/);
    ctx.expect(server.requests).toHaveLength(6);
    ctx.expect(leaked).toBe(false);
  });

  it('a cross-origin redirect is not followed: AymaraAPIError naming the other origin; the other server sees nothing', async (ctx) => {
    const other = await startFaultServer();
    ctx.onTestFinished(() => other.close());
    const { server, client, counter } = await faultSetup(
      ctx,
      { plan: () => ({ kind: 'redirect', status: 307, location: `${other.url}/v2/eval-runs/run-1/responses` }) },
      { maxRetries: 2 },
    );
    const started = performance.now();
    const error = await within(rejectionOf(list(client)), CALL_BOUND);
    const leaked = leaksKey(error);
    record({
      fault: 'cross-origin redirect (another loopback port)',
      attempts: counter.attempts,
      served: server.requests.length,
      outcome: `${(error as Error).name} ${(error as AymaraAPIError).status}`,
      ms: Math.round(performance.now() - started),
      leaked,
    });
    ctx.expect((error as Error).constructor).toBe(AymaraAPIError);
    ctx.expect((error as AymaraAPIError).status).toBe(307);
    ctx.expect((error as Error).message).toContain(other.url);
    ctx.expect(server.requests).toHaveLength(1);
    ctx.expect(other.requests).toHaveLength(0);
    ctx.expect(counter.attempts).toBe(1);
    ctx.expect(leaked).toBe(false);
  });

  it('a redirect to the same port under another host name is another origin: not followed', async (ctx) => {
    // http://localhost:PORT reaches this very server, so a followed redirect would show up in its requests.
    const { server, client } = await faultSetup(ctx, {
      plan: () => ({ kind: 'redirect', location: `http://localhost:${new URL(server.url).port}/v2/eval-runs/run-1/responses` }),
    });
    const error = await within(rejectionOf(list(client)), CALL_BOUND);
    ctx.expect((error as Error).constructor).toBe(AymaraAPIError);
    ctx.expect((error as Error).message).toContain('http://localhost:');
    ctx.expect(server.requests).toHaveLength(1);
    ctx.expect(leaksKey(error)).toBe(false);
  });

  it('a redirect to an unparseable Location is an AymaraAPIError with the 3xx status', async (ctx) => {
    const { server, client } = await faultSetup(ctx, { plan: () => ({ kind: 'redirect', location: 'http://[::1' }) });
    const error = await within(rejectionOf(list(client)), CALL_BOUND);
    ctx.expect(error).toBeInstanceOf(AymaraAPIError);
    ctx.expect((error as AymaraAPIError).status).toBe(302);
    ctx.expect(server.requests).toHaveLength(1);
  });

  it('a same-origin redirect to a 503 that then recovers: redirect followed, retry on the new URL, right page', async (ctx) => {
    const { server, client, counter } = await faultSetup(
      ctx,
      { queue: [{ kind: 'redirect', location: '/v2/eval-runs/run-1/responses?limit=5&offset=10&moved=1' }, statusFault(503, { 'retry-after-ms': '5' }, '')] },
      { maxRetries: 1 },
    );
    const page = await within(list(client), CALL_BOUND);
    ctx.expect(page.items.map((r) => r.prompt_uuid)).toEqual(EXPECTED_ITEMS);
    ctx.expect(server.served).toEqual(['redirect', 'status', 'ok']);
    ctx.expect(server.requests.slice(1).every((r) => r.url.endsWith('&moved=1'))).toBe(true);
    ctx.expect(counter.attempts).toBe(3);
  });
});

describe.concurrent('a user `fetch` that ignores its AbortSignal still cannot outlive the timeout', () => {
  /** A fetch that never settles and never looks at its signal (a wrapper that drops `init.signal`, say). */
  const deaf: FetchLike = () => new Promise<Response>(() => undefined);
  /** A fetch whose Response body sends half a page, then nothing, whatever the signal says. */
  const stalledBody: FetchLike = async () =>
    new Response(
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"items":[{"prompt_uuid":"p-1"}'));
        },
      }),
      { status: 200 },
    );

  for (const [name, fetchFn] of [
    ['a fetch that never settles', deaf],
    ['a fetch whose body never ends', stalledBody],
  ] as const) {
    it(`${name}: AymaraTimeoutError after each attempt's deadline`, async (ctx) => {
      const counter = attemptCounter();
      const client = new AymaraAI({
        apiKey: SECRET_KEY,
        baseURL: 'http://127.0.0.1:9',
        fetch: fetchFn,
        logLevel: 'off',
        timeout: 300,
        maxRetries: 1,
        middleware: [counter.middleware],
      });
      const started = performance.now();
      const error = await within(rejectionOf(list(client)), CALL_BOUND);
      const ms = Math.round(performance.now() - started);
      ctx.expect(error).toBeInstanceOf(AymaraTimeoutError);
      ctx.expect(counter.attempts).toBe(2);
      ctx.expect(ms).toBeGreaterThanOrEqual(2 * 300 - 50);
      ctx.expect(ms).toBeLessThan(3_000);
    });

    it(`${name}: a user abort ends the call at once`, async (ctx) => {
      const client = new AymaraAI({ apiKey: SECRET_KEY, baseURL: 'http://127.0.0.1:9', fetch: fetchFn, logLevel: 'off', timeout: 60_000, maxRetries: 2 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = performance.now();
      const error = await within(rejectionOf(list(client, { signal: controller.signal })), CALL_BOUND);
      ctx.expect(error).toBeInstanceOf(AymaraAbortError);
      ctx.expect(performance.now() - started).toBeLessThan(1_000);
    });
  }
});
