import { describe, expect, it, type TestContext } from 'vitest';
import {
  AuthenticationError,
  AymaraAbortError,
  AymaraAI,
  AymaraAPIError,
  AymaraConnectionError,
  AymaraTimeoutError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  UnprocessableEntityError,
  type ClientOptions,
  type RequestOptions,
} from 'aymara-ai';
import { backoffDelay, retryAfterDelay } from '../src/core/retry.js';
import { closedPortURL, json, rejectionOf, response, startServer, type TestServer } from './helpers/server.js';

const KEY = 'retry-test-key';
const PAGE = { items: [response(1)], count: 1 };
const RUN = 'run-1';

type Handler = Parameters<typeof startServer>[0];
type Ctx = Pick<TestContext, 'onTestFinished'>;

function envelope(code: string, requestId = ''): unknown {
  return { error: { code, message: `test error ${code}`, details: {} }, request_id: requestId };
}

/** A loopback server and a client for it (default undici transport), both closed when the test ends. */
async function setup(ctx: Ctx, handler: Handler, options: ClientOptions = {}): Promise<{ server: TestServer; client: AymaraAI }> {
  const server = await startServer(handler);
  const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off', ...options });
  ctx.onTestFinished(async () => {
    await server.close();
    await client.close();
  });
  return { server, client };
}

function list(client: AymaraAI, options?: RequestOptions) {
  return client.evals.runs.listResponses(RUN, undefined, options);
}

/** Answers `first` to the first request (status + headers), then the page; records when each request arrived. */
function thenPage(status: number, headers: Record<string, string>, arrivals: number[]): Handler {
  return (_req, res, seen) => {
    arrivals.push(performance.now());
    if (seen.length === 1) json(res, status, envelope('server.internal_error'), headers);
    else json(res, 200, PAGE);
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('which statuses are retried (status decides)', () => {
  // Each retried case waits out the default backoff (~0.4 s + ~0.9 s), so they run side by side.
  describe.concurrent('retried: 3 requests with maxRetries 2, then the typed error of the last answer', () => {
    it.for([
      { status: 408, body: 'Request Timeout', type: 'text/plain', cls: AymaraAPIError },
      { status: 409, body: envelope('resource.conflict'), type: 'application/json', cls: ConflictError },
      { status: 429, body: envelope('quota.limit_exceeded'), type: 'application/json', cls: RateLimitError },
      { status: 500, body: envelope('server.internal_error'), type: 'application/json', cls: InternalServerError },
      { status: 502, body: '<html><body>Bad gateway</body></html>', type: 'text/html', cls: InternalServerError },
      { status: 503, body: '', type: 'text/plain', cls: ServiceUnavailableError },
      { status: 504, body: envelope('gateway.some_new_code'), type: 'application/json', cls: InternalServerError },
    ])('$status', async ({ status, body, type, cls }, ctx) => {
      const { server, client } = await setup(
        ctx,
        (_req, res, seen) => json(res, status, body, { 'content-type': type, 'x-request-id': `req-${seen.length}` }),
        { maxRetries: 2 },
      );
      const error = await rejectionOf(list(client));
      ctx.expect(error).toBeInstanceOf(cls);
      ctx.expect((error as object).constructor).toBe(cls);
      ctx.expect(error).toMatchObject({ status, requestId: 'req-3' });
      ctx.expect(server.requests).toHaveLength(3);
    });

    it('a 503 carrying auth.invalid_key is still retried, and ends in AuthenticationError with status 503', async (ctx) => {
      const { server, client } = await setup(ctx, (_req, res) => json(res, 503, envelope('auth.invalid_key', 'req-body')), { maxRetries: 2 });
      const error = await rejectionOf(list(client));
      ctx.expect(error).toBeInstanceOf(AuthenticationError);
      ctx.expect(error).toMatchObject({ status: 503, code: 'auth.invalid_key', requestId: 'req-body' });
      ctx.expect(server.requests).toHaveLength(3);
    });

    it('the default maxRetries is 2: 3 requests in all', async (ctx) => {
      const { server, client } = await setup(ctx, (_req, res) => json(res, 500, envelope('server.internal_error')));
      ctx.expect(await rejectionOf(list(client))).toBeInstanceOf(InternalServerError);
      ctx.expect(server.requests).toHaveLength(3);
    });

    it('a retry that then succeeds returns the page, after backing off, with the key on every attempt', async (ctx) => {
      const arrivals: number[] = [];
      const { server, client } = await setup(
        ctx,
        (_req, res, seen) => {
          arrivals.push(performance.now());
          if (seen.length === 1) json(res, 503, '');
          else if (seen.length === 2) json(res, 429, envelope('quota.limit_exceeded'));
          else json(res, 200, PAGE);
        },
        { maxRetries: 2 },
      );
      const page = await list(client);
      ctx.expect(page.items.map((r) => r.prompt_uuid)).toEqual(['p-1']);
      ctx.expect(server.requests).toHaveLength(3);
      for (const req of server.requests) ctx.expect(req.headers['x-api-key']).toBe(KEY);
      // Backoff of at least 0.375 s then 0.75 s (0.5 s and 1 s less up to 25% jitter): no hammering.
      ctx.expect((arrivals[2] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(1_050);
    });
  });

  describe('not retried: exactly 1 request, then the typed error', () => {
    it.for([
      { status: 400, body: envelope('validation.invalid_request'), cls: BadRequestError },
      { status: 401, body: envelope('auth.invalid_key'), cls: AuthenticationError },
      { status: 403, body: envelope('auth.insufficient_permissions'), cls: PermissionDeniedError },
      { status: 404, body: envelope('resource.not_found'), cls: NotFoundError },
      { status: 422, body: envelope('validation.invalid_format'), cls: UnprocessableEntityError },
      { status: 410, body: '', cls: AymaraAPIError },
    ])('$status', async ({ status, body, cls }, ctx) => {
      // retry-after-ms: 0 would make a wrong retry instant; the request count still catches it.
      const { server, client } = await setup(ctx, (_req, res) => json(res, status, body, { 'retry-after-ms': '0' }), { maxRetries: 2 });
      const error = await rejectionOf(list(client));
      expect(error).toBeInstanceOf(cls);
      expect((error as object).constructor).toBe(cls);
      expect(error).toMatchObject({ status });
      expect(server.requests).toHaveLength(1);
    });

    it('a 401 carrying server.internal_error is not retried (status decides), class from the code', async (ctx) => {
      const { server, client } = await setup(ctx, (_req, res) => json(res, 401, envelope('server.internal_error')), { maxRetries: 2 });
      const error = await rejectionOf(list(client));
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error).toMatchObject({ status: 401 });
      expect(server.requests).toHaveLength(1);
    });
  });
});

describe.concurrent('network faults are retried', () => {
  it('a connection reset before headers is retried, ending in AymaraConnectionError', async (ctx) => {
    const { server, client } = await setup(ctx, (req) => req.socket.destroy(), { maxRetries: 2 });
    const error = await rejectionOf(list(client));
    ctx.expect(error).toBeInstanceOf(AymaraConnectionError);
    ctx.expect(error).not.toBeInstanceOf(AymaraTimeoutError);
    ctx.expect(server.requests).toHaveLength(3);
  });

  it('a refused connection is retried with backoff, ending in AymaraConnectionError', async (ctx) => {
    let attempts = 0;
    const client = new AymaraAI({
      apiKey: KEY,
      baseURL: await closedPortURL(),
      logLevel: 'off',
      maxRetries: 2,
      middleware: [(request, next) => (attempts++, next(request))],
    });
    ctx.onTestFinished(() => client.close());
    const started = performance.now();
    const error = await rejectionOf(list(client));
    ctx.expect(error).toBeInstanceOf(AymaraConnectionError);
    ctx.expect(attempts).toBe(3);
    ctx.expect(performance.now() - started).toBeGreaterThanOrEqual(1_050);
  });

  it.for([0, 1, 3])('maxRetries %i: maxRetries + 1 attempts reach the server', async (maxRetries, ctx) => {
    const { server, client } = await setup(ctx, (req) => req.socket.destroy(), { maxRetries });
    ctx.expect(await rejectionOf(list(client))).toBeInstanceOf(AymaraConnectionError);
    ctx.expect(server.requests).toHaveLength(maxRetries + 1);
  });

  it("a per-request maxRetries overrides the client's, both ways", async (ctx) => {
    const fail: Handler = (_req, res) => json(res, 500, envelope('server.internal_error'), { 'retry-after-ms': '0' });
    const fewer = await setup(ctx, fail, { maxRetries: 3 });
    ctx.expect(await rejectionOf(list(fewer.client, { maxRetries: 0 }))).toBeInstanceOf(InternalServerError);
    ctx.expect(fewer.server.requests).toHaveLength(1);

    const more = await setup(ctx, fail, { maxRetries: 0 });
    ctx.expect(await rejectionOf(list(more.client, { maxRetries: 2 }))).toBeInstanceOf(InternalServerError);
    ctx.expect(more.server.requests).toHaveLength(3);
  });
});

describe.concurrent('Retry-After and retry-after-ms', () => {
  /** The wait between the first and the second request, as the server saw it, for a 503 with these headers. */
  async function waitFor(ctx: Ctx, headers: Record<string, string>): Promise<number> {
    const arrivals: number[] = [];
    const { server, client } = await setup(ctx, thenPage(503, headers, arrivals), { maxRetries: 1 });
    const page = await list(client);
    expect(page.items).toHaveLength(1);
    expect(server.requests).toHaveLength(2);
    return (arrivals[1] ?? 0) - (arrivals[0] ?? 0);
  }

  it('Retry-After in seconds is honoured (1 s, longer than the first backoff of at most 0.5 s)', async (ctx) => {
    ctx.expect(await waitFor(ctx, { 'retry-after': '1' })).toBeGreaterThanOrEqual(900);
  });

  it('Retry-After as an HTTP date 1-2 s ahead is honoured', async (ctx) => {
    // toUTCString drops the milliseconds, so this lands between 1 s and 2 s from now.
    const wait = await waitFor(ctx, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() });
    ctx.expect(wait).toBeGreaterThanOrEqual(800);
  });

  it('retry-after-ms is honoured and beats Retry-After', async (ctx) => {
    // Retry-After alone would mean no wait at all.
    ctx.expect(await waitFor(ctx, { 'retry-after-ms': '1500', 'retry-after': '0' })).toBeGreaterThanOrEqual(1_350);
  });

  it('a short retry-after-ms beats a long Retry-After', async (ctx) => {
    // Retry-After alone would mean 30 s.
    ctx.expect(await waitFor(ctx, { 'retry-after-ms': '50', 'retry-after': '30' })).toBeLessThan(3_000);
  });

  it.for<Record<string, string>>([
    { 'retry-after': '3600' },
    { 'retry-after': '61' },
    { 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() },
    { 'retry-after-ms': '120000' },
  ])('a wait over 60 s (%o) falls back to the backoff', async (headers, ctx) => {
    const wait = await waitFor(ctx, headers);
    ctx.expect(wait).toBeLessThan(3_000);
    ctx.expect(wait).toBeGreaterThanOrEqual(300);
  });

  it.for(['soon', '-1', 'later 2', '1.2.3'])('an invalid Retry-After (%j) falls back to the backoff, not to no wait', async (value, ctx) => {
    const wait = await waitFor(ctx, { 'retry-after': value });
    ctx.expect(wait).toBeLessThan(3_000);
    ctx.expect(wait).toBeGreaterThanOrEqual(300);
  });
});

describe('retryAfterDelay', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  it('reads Retry-After seconds', () => {
    expect(retryAfterDelay({ 'retry-after': '1' }, now)).toBe(1_000);
    expect(retryAfterDelay({ 'retry-after': '0' }, now)).toBe(0);
    expect(retryAfterDelay({ 'retry-after': '60' }, now)).toBe(60_000);
  });

  it('reads Retry-After as an HTTP date, relative to now', () => {
    expect(retryAfterDelay({ 'retry-after': 'Wed, 21 Oct 2015 07:28:30 GMT' }, now)).toBe(30_000);
    // The obsolete forms RFC 9110 still asks recipients to accept: RFC 850 and asctime (both GMT).
    expect(retryAfterDelay({ 'retry-after': 'Wednesday, 21-Oct-15 07:28:20 GMT' }, now)).toBe(20_000);
    expect(retryAfterDelay({ 'retry-after': 'Wed Oct 21 07:28:10 2015' }, now)).toBe(10_000);
    // A date already past means: retry now.
    expect(retryAfterDelay({ 'retry-after': 'Wed, 21 Oct 2015 07:27:00 GMT' }, now)).toBe(0);
  });

  it('prefers retry-after-ms', () => {
    expect(retryAfterDelay({ 'retry-after-ms': '50', 'retry-after': '10' }, now)).toBe(50);
    expect(retryAfterDelay({ 'retry-after-ms': '1500' }, now)).toBe(1_500);
  });

  it('gives undefined (use the backoff) when absent, over 60 s or invalid', () => {
    expect(retryAfterDelay({}, now)).toBeUndefined();
    expect(retryAfterDelay({ 'retry-after': '61' }, now)).toBeUndefined();
    expect(retryAfterDelay({ 'retry-after': '3600' }, now)).toBeUndefined();
    expect(retryAfterDelay({ 'retry-after': 'Wed, 21 Oct 2015 07:29:01 GMT' }, now)).toBeUndefined();
    expect(retryAfterDelay({ 'retry-after-ms': '60001' }, now)).toBeUndefined();
    for (const value of ['', 'soon', '-1', '+5', 'later 2', '1.2.3', 'Infinity', 'NaN']) {
      expect(retryAfterDelay({ 'retry-after': value }, now), JSON.stringify(value)).toBeUndefined();
    }
  });
});

describe('backoffDelay', () => {
  it('starts at 0.5 s and doubles up to an 8 s cap (no jitter)', () => {
    const none = () => 0;
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((retry) => backoffDelay(retry, none))).toEqual([500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 8_000]);
  });

  it('jitter shortens each delay by at most 25%', () => {
    const most = () => 0.999_999;
    expect(backoffDelay(1, most)).toBeCloseTo(375, 0);
    expect(backoffDelay(5, most)).toBeCloseTo(6_000, 0);
    for (const retry of [1, 2, 3, 4, 5, 9]) {
      const base = Math.min(500 * 2 ** (retry - 1), 8_000);
      for (let i = 0; i < 200; i++) {
        const delay = backoffDelay(retry);
        expect(delay).toBeGreaterThanOrEqual(base * 0.75);
        expect(delay).toBeLessThanOrEqual(base);
      }
    }
  });
});

describe('user abort', () => {
  it('an abort during a backoff wait rejects at once with AymaraAbortError, and nothing more is sent', async (ctx) => {
    const controller = new AbortController();
    const reason = new Error('user gave up');
    const { server, client } = await setup(
      ctx,
      (_req, res) => {
        json(res, 503, envelope('server.internal_error'), { 'retry-after': '10' });
        setTimeout(() => controller.abort(reason), 100);
      },
      { maxRetries: 2 },
    );
    const started = performance.now();
    const error = await rejectionOf(list(client, { signal: controller.signal }));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(AymaraAbortError);
    expect((error as Error).cause).toBe(reason);
    await sleep(300);
    expect(server.requests).toHaveLength(1);
  });

  it('an already-aborted signal sends nothing', async (ctx) => {
    const { server, client } = await setup(ctx, (_req, res) => json(res, 200, PAGE));
    const error = await rejectionOf(list(client, { signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(AymaraAbortError);
    await sleep(100);
    expect(server.requests).toHaveLength(0);
  });
});
