/**
 * `close()` ends the client: calls in flight reject at once with `AymaraAbortError` ("the client was closed"),
 * backoff waits included; nothing more is sent; a call made after it rejects at once saying the client is closed.
 */
import type { IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AymaraAbortError, AymaraAI, AymaraError } from 'aymara-ai';
import { within } from '../helpers/fault-server.js';
import { startServer } from '../helpers/server.js';
import { eventually, sleep, startRawServer, stubNoProxyEnv } from './helpers.js';

const KEY = 'close-test-key';
const PAGE = JSON.stringify({ items: [{ prompt_uuid: 'p-1' }], count: 1 });

beforeEach(stubNoProxyEnv);
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Settles every promise; returns what each rejected with (or a plain Error when one resolved). */
function rejections(promises: PromiseLike<unknown>[]): Promise<unknown[]> {
  return Promise.all(
    promises.map((p) =>
      Promise.resolve(p).then(
        () => new Error('resolved'),
        (error: unknown) => error,
      ),
    ),
  );
}

/** A server answering every request with a one-item page. */
const pageServer = () =>
  startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(PAGE);
  });

/** A server that reads requests and never answers; counts request heads as they arrive. */
async function stallingServer(backlog = 4_096) {
  let requests = 0;
  const server = await startRawServer(
    (socket) =>
      socket.on('data', (chunk: Buffer) => {
        // GETs without bodies: one head per `\r\n\r\n`.
        requests += chunk.toString('latin1').split('\r\n\r\n').length - 1;
      }),
    { backlog },
  );
  return Object.defineProperty(server, 'requests', { get: () => requests, enumerable: true }) as typeof server & { readonly requests: number };
}

describe('close() with 1,000 calls in flight on a stalling server', () => {
  it(
    'every call rejects within 1 s with AymaraAbortError, close() is prompt, nothing is sent after it, later calls reject at once',
    { timeout: 60_000 },
    async (ctx) => {
      const CALLS = 1_000;
      const server = await stallingServer();
      const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, timeout: 30_000, maxRetries: 2, logLevel: 'off' });
      ctx.onTestFinished(() => server.close());

      const settledAt: number[] = [];
      const calls = Array.from({ length: CALLS }, (_, i) =>
        client.evals.runs.listResponses(`run-${i}`).finally(() => {
          settledAt.push(performance.now());
        }),
      );
      const errors = rejections(calls);

      // Let the requests reach the server: wait until no new one has arrived for 300 ms (at most 15 s).
      let last = -1;
      await eventually(
        () => {
          const stable = server.requests === last && server.requests > 0;
          last = server.requests;
          return stable;
        },
        15_000,
        300,
      );
      expect(settledAt, 'calls settled before close()').toEqual([]);

      const requestsAtClose = server.requests;
      const connectionsAtClose = server.connections;
      const closedAt = performance.now();
      await within(client.close(), 1_000, 'close()');
      const closeTook = performance.now() - closedAt;

      const all = await within(errors, 2_000, 'the calls in flight');
      const lastSettled = Math.max(...settledAt) - closedAt;
      expect(
        all
          .filter((e) => !(e instanceof AymaraAbortError))
          .map(String)
          .slice(0, 5),
        'not AymaraAbortError',
      ).toEqual([]);
      expect((all[0] as Error).message).toMatch(/client was closed/i);
      expect(lastSettled, `the last call settled ${Math.round(lastSettled)} ms after close()`).toBeLessThan(1_000);
      expect(closeTook).toBeLessThan(1_000);

      // A call after close() rejects at once and sends nothing.
      const started = performance.now();
      const after = await within(rejections([client.evals.runs.listResponses('run-after')]), 1_000, 'a call after close()');
      expect(after[0]).toBeInstanceOf(AymaraError);
      expect((after[0] as Error).message).toMatch(/client is closed/i);
      expect(performance.now() - started).toBeLessThan(500);

      // No request reaches the server after close(): no retry, no replay, nothing queued. (Connections are not
      // counted: Node's bundled undici, behind the global fetch, reconnects once for each request aborted in flight,
      // then closes the socket without sending anything. That is the runtime's pool, not the SDK's.)
      await sleep(1_200);
      expect(server.requests - requestsAtClose, 'requests sent after close()').toBe(0);
      ctx.annotate(
        `${requestsAtClose} requests in flight at close(); close() took ${Math.round(closeTook)} ms; the last call settled ${Math.round(lastSettled)} ms after it; ` +
          `${server.connections - connectionsAtClose} connections accepted after it, with no request`,
      );
    },
  );
});

describe('close() and retries', () => {
  it('close() during a backoff wait (Retry-After: 30) rejects the call at once; the retry is never sent', async (ctx) => {
    const server = await startServer((_req: IncomingMessage, res) => {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '30', 'content-length': 2 });
      res.end('{}');
    });
    ctx.onTestFinished(() => server.close());
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, maxRetries: 2, logLevel: 'off' });
    const [error] = [rejections([client.evals.runs.listResponses('run-1')])];
    expect(await eventually(() => server.requests.length === 1, 5_000)).toBe(true);
    await sleep(100); // now in the 30 s wait
    const closedAt = performance.now();
    await within(client.close(), 1_000, 'close()');
    const [reason] = await within(error as Promise<unknown[]>, 1_000, 'the call waiting to retry');
    expect(reason).toBeInstanceOf(AymaraAbortError);
    expect((reason as Error).message).toMatch(/client was closed/i);
    expect(performance.now() - closedAt).toBeLessThan(1_000);
    await sleep(300);
    expect(server.requests).toHaveLength(1);
  });

  it('close() during exponential backoff after connection resets rejects at once', async (ctx) => {
    const server = await startRawServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    ctx.onTestFinished(() => server.close());
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, maxRetries: 5, logLevel: 'off' });
    const error = rejections([client.evals.runs.listResponses('run-1')]);
    expect(await eventually(() => server.connections >= 1, 5_000)).toBe(true);
    await sleep(50);
    const connections = server.connections;
    const closedAt = performance.now();
    await within(client.close(), 1_000, 'close()');
    const [reason] = await within(error, 1_000, 'the call in backoff');
    expect(reason).toBeInstanceOf(AymaraAbortError);
    expect(performance.now() - closedAt).toBeLessThan(1_000);
    await sleep(1_000);
    // A replay of a reset request on a fresh connection happens at once, before close(); nothing after it.
    expect(server.connections).toBe(connections);
  });
});

describe('close() and the connections of the calls in flight', () => {
  it("close() aborts the fetches in flight: the server sees each request's connection close at once, not at the timeout", async (ctx) => {
    // Requests the server holds open and never answers, and for each a promise of its socket's 'close' (an
    // 'error' first, a reset, still ends in 'close').
    const socketsClosed: Promise<void>[] = [];
    const server = await startServer((req: IncomingMessage) => {
      socketsClosed.push(new Promise<void>((resolve) => req.socket.once('close', () => resolve())));
    });
    ctx.onTestFinished(() => server.close());
    // A 30 s timeout: a fetch that close() forgets to abort keeps its connection open that long.
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, timeout: 30_000, maxRetries: 0, logLevel: 'off' });
    // A client made by withOptions() shares the parent's close(): its fetch must be aborted too.
    const child = client.withOptions({ defaultHeaders: { 'x-tenant': 'b' } });
    const calls = rejections([client.evals.runs.listResponses('run-1'), client.evals.runs.get('run-2'), child.evals.runs.listResponses('run-3')]);
    expect(await eventually(() => server.requests.length === 3, 5_000), 'the three requests reached the server').toBe(true);
    expect(server.connections, 'one connection per request held open').toBe(3);

    await within(client.close(), 1_000, 'close()');
    // Normally a few milliseconds after close() resolves; the bound only has to be far under the 30 s timeout.
    await within(Promise.all(socketsClosed), 1_000, "the server seeing the requests' connections closed after close()");
    for (const error of await within(calls, 1_000, 'the calls in flight')) expect(error).toBeInstanceOf(AymaraAbortError);
  });
});

describe('close() in general', () => {
  it('close() on a client that never sent anything resolves; twice is fine; calls then reject', async () => {
    const server = await startServer((_req, res) => res.end(PAGE));
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off' });
    await within(client.close(), 1_000, 'close()');
    await within(client.close(), 1_000, 'close() again');
    const [error] = await within(rejections([client.evals.runs.listResponses('run-1')]), 1_000, 'a call after close()');
    expect(error).toBeInstanceOf(AymaraError);
    expect((error as Error).message).toMatch(/client is closed/i);
    expect(server.requests).toHaveLength(0);
    await server.close();
  });

  it('a call made after close() rejects even on a client with a finished call behind it', async () => {
    const server = await pageServer();
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off' });
    await within(client.evals.runs.listResponses('run-1'), 5_000);
    await within(client.close(), 1_000, 'close()');
    const [error] = await within(rejections([client.evals.runs.listResponses('run-1')]), 1_000, 'a call after close()');
    expect(error).toBeInstanceOf(AymaraError);
    expect((error as Error).message).toMatch(/client is closed/i);
    expect(server.requests).toHaveLength(1);
    await server.close();
  });

  it('calls made in the same tick as close(), just before it, reject as closed and are never sent', async () => {
    const server = await pageServer();
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off' });
    // A first call opens the connection and loads fetch, so later calls have nothing left to wait for.
    await within(client.evals.runs.listResponses('run-1'), 5_000);
    const calls = [client.evals.runs.listResponses('run-2'), client.evals.runs.get('run-3'), client.evals.runs.listResponses('run-4', { limit: 5 })];
    const closing = client.close();
    const errors = await within(rejections(calls), 1_000, 'the calls');
    await within(closing, 1_000, 'close()');
    for (const error of errors) {
      expect(error).toBeInstanceOf(AymaraAbortError);
      expect((error as Error).message).toMatch(/client was closed/i);
    }
    await sleep(50);
    expect(server.requests.map((r) => r.url)).toEqual(['/v2/eval-runs/run-1/responses']);
    await server.close();
  });

  it('closing the parent closes clients made by withOptions(): their calls in flight reject too', async (ctx) => {
    const server = await stallingServer();
    ctx.onTestFinished(() => server.close());
    const parent = new AymaraAI({ apiKey: KEY, baseURL: server.url, timeout: 30_000, logLevel: 'off' });
    const child = (parent as unknown as { withOptions(o: object): AymaraAI }).withOptions({ defaultHeaders: { 'x-tenant': 'b' } });
    const inFlight = rejections([child.evals.runs.listResponses('run-1')]);
    expect(await eventually(() => server.requests === 1, 5_000)).toBe(true);
    await within(parent.close(), 1_000, 'close()');
    const [error] = await within(inFlight, 1_000, "the child's call");
    expect(error).toBeInstanceOf(AymaraAbortError);
    const [later] = await within(rejections([child.evals.runs.listResponses('run-2')]), 1_000, "a child's call after close()");
    expect(later).toBeInstanceOf(AymaraError);
    expect((later as Error).message).toMatch(/client is closed/i);
  });
});
