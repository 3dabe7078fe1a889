import type { ServerResponse } from 'node:http';
import { describe, it, type TestContext } from 'vitest';
import { AymaraAbortError, AymaraAI, AymaraConnectionError, AymaraTimeoutError, type ClientOptions, type RequestOptions } from 'aymara-ai';
import { json, rejectionOf, response, startServer, type TestServer } from './helpers/server.js';

const KEY = 'timeout-test-key';
const PAGE = { items: [response(1)], count: 1 };

type Handler = Parameters<typeof startServer>[0];
type Ctx = Pick<TestContext, 'onTestFinished'>;

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
  return client.evals.runs.listResponses('run-1', undefined, options);
}

/** Sends the status line and headers and the start of the body at once, then never finishes. */
function headersThenStall(_req: unknown, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.flushHeaders();
  res.write('{"items":[{"prompt_uuid":"p-1"}');
}

/** Never answers at all. */
const silent: Handler = () => {};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Every test here waits on a real timer; they are independent, so they run side by side.
describe.concurrent('timeout per attempt', () => {
  it('a server that sends headers and part of the body, then stalls, times out', async (ctx) => {
    const { server, client } = await setup(ctx, headersThenStall, { timeout: 300, maxRetries: 0 });
    const started = performance.now();
    const error = await rejectionOf(list(client));
    const elapsed = performance.now() - started;
    ctx.expect(error).toBeInstanceOf(AymaraTimeoutError);
    ctx.expect(error).toBeInstanceOf(AymaraConnectionError);
    ctx.expect(elapsed).toBeGreaterThanOrEqual(250);
    ctx.expect(elapsed).toBeLessThan(3_000);
    ctx.expect(server.requests).toHaveLength(1);
  });

  it('a server that stalls before sending headers times out', async (ctx) => {
    const { server, client } = await setup(ctx, silent, { timeout: 300, maxRetries: 0 });
    const started = performance.now();
    const error = await rejectionOf(list(client));
    ctx.expect(error).toBeInstanceOf(AymaraTimeoutError);
    ctx.expect(performance.now() - started).toBeLessThan(3_000);
    ctx.expect(server.requests).toHaveLength(1);
  });

  it('the deadline covers the whole body: a server that keeps dripping bytes still times out', async (ctx) => {
    const { client } = await setup(
      ctx,
      (_req, res) => {
        headersThenStall(_req, res);
        const drip = setInterval(() => res.write(' '), 50);
        res.on('close', () => clearInterval(drip));
      },
      { timeout: 400, maxRetries: 0 },
    );
    const started = performance.now();
    ctx.expect(await rejectionOf(list(client))).toBeInstanceOf(AymaraTimeoutError);
    ctx.expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('a timeout is retried: with maxRetries 1, 2 requests reach the server', async (ctx) => {
    const { server, client } = await setup(ctx, headersThenStall, { timeout: 300, maxRetries: 1 });
    ctx.expect(await rejectionOf(list(client))).toBeInstanceOf(AymaraTimeoutError);
    ctx.expect(server.requests).toHaveLength(2);
  });

  it('a timed-out attempt followed by a good one returns the page', async (ctx) => {
    const { server, client } = await setup(ctx, (req, res, seen) => (seen.length === 1 ? headersThenStall(req, res) : json(res, 200, PAGE)), {
      timeout: 300,
      maxRetries: 1,
    });
    const page = await list(client);
    ctx.expect(page.items.map((r) => r.prompt_uuid)).toEqual(['p-1']);
    ctx.expect(server.requests).toHaveLength(2);
  });

  it("a per-request timeout overrides the client's (shorter)", async (ctx) => {
    // The client would wait 60 s (the default).
    const { client } = await setup(ctx, silent, { maxRetries: 0 });
    const started = performance.now();
    ctx.expect(await rejectionOf(list(client, { timeout: 300 }))).toBeInstanceOf(AymaraTimeoutError);
    ctx.expect(performance.now() - started).toBeLessThan(3_000);
  });

  it("a per-request timeout overrides the client's (longer)", async (ctx) => {
    // The answer takes 800 ms: too slow for the client's 300 ms, fine for the call's 5 s.
    const { server, client } = await setup(ctx, (_req, res) => void setTimeout(() => json(res, 200, PAGE), 800), { timeout: 300, maxRetries: 0 });
    const page = await list(client, { timeout: 5_000 });
    ctx.expect(page.items).toHaveLength(1);
    ctx.expect(server.requests).toHaveLength(1);
  });

  it('a user abort while a request is in flight gives AymaraAbortError, not a timeout, and is not retried', async (ctx) => {
    const { server, client } = await setup(ctx, headersThenStall, { timeout: 5_000, maxRetries: 2 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const started = performance.now();
    const error = await rejectionOf(list(client, { signal: controller.signal }));
    ctx.expect(performance.now() - started).toBeLessThan(2_000);
    ctx.expect(error).toBeInstanceOf(AymaraAbortError);
    ctx.expect(error).not.toBeInstanceOf(AymaraConnectionError);
    await sleep(700);
    ctx.expect(server.requests).toHaveLength(1);
  });

  it('a user abort before headers arrive gives AymaraAbortError and is not retried', async (ctx) => {
    const { server, client } = await setup(ctx, silent, { timeout: 5_000, maxRetries: 2 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const error = await rejectionOf(list(client, { signal: controller.signal }));
    ctx.expect(error).toBeInstanceOf(AymaraAbortError);
    await sleep(700);
    ctx.expect(server.requests).toHaveLength(1);
  });
});
