/**
 * Every request of a client goes the same way, so the first call and the second behave alike: same bodies
 * parsed, same headers accepted or refused, same errors for answers the SDK cannot use, and nothing hangs past
 * the timeout. Real servers on 127.0.0.1; a default client (no `fetch`, no `dispatcher`).
 */
import { afterEach, beforeEach, describe, expect, it, vi, type TestContext } from 'vitest';
import { AymaraAbortError, AymaraAI, AymaraError, AymaraInputError, NotFoundError, type ClientOptions } from 'aymara-ai';
import { within } from '../helpers/fault-server.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { outcomeOf, startReplyServer, stubNoProxyEnv, type Outcome } from './helpers.js';

const KEY = 'one-path-test-key';
const RUN = 'run-1';
const PAGE = { items: [{ prompt_uuid: 'p-1' }, { prompt_uuid: 'p-2' }], count: 2 };
const BOM = '\uFEFF';

beforeEach(stubNoProxyEnv);
afterEach(() => {
  vi.unstubAllEnvs();
});

type Ctx = Pick<TestContext, 'onTestFinished'>;

function client(ctx: Ctx, baseURL: string, options: ClientOptions = {}): AymaraAI {
  const c = new AymaraAI({ apiKey: KEY, baseURL, logLevel: 'off', ...options });
  ctx.onTestFinished(() => c.close());
  return c;
}

async function server(ctx: Ctx, handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  ctx.onTestFinished(() => s.close());
  return s;
}

/** Two calls, one after the other, on the same client: the first request of the client and a later one. */
async function twoCalls(c: AymaraAI, options?: Parameters<AymaraAI['evals']['runs']['listResponses']>[2]): Promise<[Outcome, Outcome]> {
  const call = (what: string) =>
    outcomeOf(
      within(
        c.evals.runs.listResponses(RUN, undefined, options).then((page) => page.items),
        5_000,
        what,
      ),
    );
  const first = await call('call 1');
  const second = await call('call 2');
  return [first, second];
}

/** The prompt UUIDs of the items a call resolved with, or how it failed (so a failure shows in the assertion's diff). */
const uuidsOf = (outcome: Outcome) => (outcome.ok ? (outcome.data as { prompt_uuid: string }[]).map((item) => item.prompt_uuid) : outcome);

/** What the call rejected with; a plain Error saying so when it resolved or did not settle in time. */
function errorOf(promise: PromiseLike<unknown>, ms: number, what: string): Promise<unknown> {
  return within(
    Promise.resolve(promise).then(
      () => new Error(`${what} resolved`),
      (error: unknown) => error,
    ),
    ms,
    what,
  ).catch((error: unknown) => error);
}

describe('a UTF-8 byte order mark before the JSON', () => {
  it('is ignored on the first call and on the second call of a client', async (ctx) => {
    const s = await server(ctx, (_req, res) => {
      const body = Buffer.from(BOM + JSON.stringify(PAGE), 'utf8');
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
    });
    const [first, second] = await twoCalls(client(ctx, s.url));
    expect(uuidsOf(first)).toEqual(['p-1', 'p-2']);
    expect(uuidsOf(second)).toEqual(['p-1', 'p-2']);
    expect(s.requests).toHaveLength(2);
  });

  it('is ignored in an error body too: the envelope is read, code and request id included, on both calls', async (ctx) => {
    const envelope = { error: { code: 'resource.not_found', message: 'No such run' }, request_id: 'req-bom' };
    const s = await server(ctx, (_req, res) => {
      const body = Buffer.from(BOM + JSON.stringify(envelope), 'utf8');
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
    const c = client(ctx, s.url);
    for (const call of [1, 2]) {
      const error = await errorOf(c.evals.runs.listResponses(RUN), 5_000, `call ${call}`);
      expect(error, `call ${call}`).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).code, `call ${call}`).toBe('resource.not_found');
      expect((error as NotFoundError).requestId, `call ${call}`).toBe('req-bom');
    }
  });
});

describe('an `expect: 100-continue` header', () => {
  // fetch refuses any `expect` header (undici: "expect header not supported") before anything is sent. What the
  // SDK must guarantee is that call 1 and call 2 agree: both succeed, or both fail with the same typed input
  // error and nothing reaches the server. (Refusing the header when the client is created is just as consistent.)
  async function check(ctx: Ctx, options: ClientOptions, perCall?: Record<string, string>): Promise<void> {
    const s = await server(ctx, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(PAGE));
    });
    // Node's server answers `expect: 100-continue` itself (checkContinue): a request that got through is served.
    let c: AymaraAI;
    try {
      c = client(ctx, s.url, options);
    } catch (error) {
      expect(error).toBeInstanceOf(AymaraInputError);
      expect(s.requests).toHaveLength(0);
      return;
    }
    const [first, second] = await twoCalls(c, perCall ? { headers: perCall } : undefined);
    expect(second).toEqual(first);
    if (!first.ok) {
      expect(first.name).toBe('AymaraInputError');
      expect(first.message).toMatch(/expect/i);
      expect(s.requests).toHaveLength(0);
    } else {
      expect(uuidsOf(first)).toEqual(['p-1', 'p-2']);
      expect(s.requests).toHaveLength(2);
    }
  }

  it('in defaultHeaders: call 1 and call 2 behave the same', async (ctx) => {
    await check(ctx, { defaultHeaders: { expect: '100-continue' } });
  });

  it('in per-call headers (any case): call 1 and call 2 behave the same', async (ctx) => {
    await check(ctx, {}, { Expect: '100-continue' });
  });
});

/** A raw HTTP/1.1 answer with a JSON body and its exact length. */
const rawJSON = (statusLine: string, body: string) =>
  `${statusLine}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const EMPTY_PAGE = '{"items":[],"count":0}';

/** Answers the SDK cannot use. Each is sent raw, to every request, and the connection is left open. */
const UNUSABLE: { name: string; reply: string }[] = [
  { name: 'a 101 Switching Protocols and then nothing', reply: 'HTTP/1.1 101 Switching Protocols\r\n\r\n' },
  { name: 'a 101 with upgrade headers and then nothing', reply: 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n' },
  { name: 'a 101 and then garbage', reply: 'HTTP/1.1 101 Switching Protocols\r\n\r\n\u0000\u0001garbage \u00ff{"items":' },
  { name: 'a status above 599 (700)', reply: rawJSON('HTTP/1.1 700 Weird', EMPTY_PAGE) },
  { name: 'a status of 600', reply: rawJSON('HTTP/1.1 600 Odd', EMPTY_PAGE) },
  { name: 'a status below 100 (099)', reply: rawJSON('HTTP/1.1 099 Low', EMPTY_PAGE) },
  { name: 'a 102 Processing with no final response', reply: 'HTTP/1.1 102 Processing\r\n\r\n' },
  { name: 'a 103 Early Hints with no final response', reply: 'HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n' },
  { name: 'an unsolicited 100 Continue with no final response', reply: 'HTTP/1.1 100 Continue\r\n\r\n' },
];

const TIMEOUT = 500;
/** How far past `timeout` a call may settle: event-loop and connection slack on a busy 2-core machine. */
const SLACK = 1_000;

// Each waits on real timers; they are independent, so they run side by side.
describe.concurrent('answers the SDK cannot use end within the timeout as a typed error, on call 1 and call 2', () => {
  it.for(UNUSABLE)('$name', async ({ reply }, ctx) => {
    const s = await startReplyServer(reply);
    ctx.onTestFinished(() => s.close());
    const c = client(ctx, s.url, { timeout: TIMEOUT, maxRetries: 0 });
    const errors: unknown[] = [];
    for (const call of [1, 2]) {
      const started = performance.now();
      const error = await errorOf(c.evals.runs.listResponses(RUN), TIMEOUT + 3_000, `call ${call}`);
      const elapsed = performance.now() - started;
      // Typed: an AymaraError subclass, never a bare TypeError, RangeError or a promise that never settles.
      ctx.expect(error, `call ${call}: ${String(error)}`).toBeInstanceOf(AymaraError);
      ctx.expect(elapsed, `call ${call} took ${Math.round(elapsed)} ms`).toBeLessThan(TIMEOUT + SLACK);
      errors.push(error);
    }
    const [first, second] = errors as AymaraError[];
    ctx.expect({ name: second?.name, message: second?.message }, 'call 2 ends like call 1').toEqual({ name: first?.name, message: first?.message });
    ctx.expect(s.requests).toBe(2);
  });

  it("the caller's signal ends a call stuck after a 1xx at once, whatever the timeout", async (ctx) => {
    const s = await startReplyServer('HTTP/1.1 102 Processing\r\n\r\n');
    ctx.onTestFinished(() => s.close());
    const c = client(ctx, s.url, { timeout: 30_000, maxRetries: 0 });
    for (const call of [1, 2]) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const started = performance.now();
      const error = await errorOf(c.evals.runs.listResponses(RUN, undefined, { signal: controller.signal }), 5_000, `call ${call}`);
      ctx.expect(error, `call ${call}: ${String(error)}`).toBeInstanceOf(AymaraAbortError);
      ctx.expect(performance.now() - started).toBeLessThan(200 + SLACK);
    }
  });

  it("the caller's signal ends a call stuck after a 101 at once, whatever the timeout", async (ctx) => {
    const s = await startReplyServer('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n');
    ctx.onTestFinished(() => s.close());
    const c = client(ctx, s.url, { timeout: 30_000, maxRetries: 0 });
    for (const call of [1, 2]) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const started = performance.now();
      const error = await errorOf(c.evals.runs.listResponses(RUN, undefined, { signal: controller.signal }), 5_000, `call ${call}`);
      // Either the abort or an earlier typed error ends it; never a hang.
      ctx.expect(error, `call ${call}: ${String(error)}`).toBeInstanceOf(AymaraError);
      ctx.expect(performance.now() - started).toBeLessThan(200 + SLACK);
    }
  });
});
