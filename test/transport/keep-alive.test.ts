/**
 * A server (or load balancer) that closes idle keep-alive connections after 50 ms without announcing it: a call
 * sent on a connection the server is closing at that very moment gets no answer. The transport sends it again at
 * once on a new connection, without using a retry, so even with `maxRetries: 0` no call fails. That free replay is
 * only for a connection the pool could have reused: a server that cuts off or resets requests on fresh connections
 * gets exactly `maxRetries + 1` requests per call.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { AymaraAI } from 'aymara-ai';
import { within } from '../helpers/fault-server.js';
import { outcomeOf, sleep, startIdleClosingServer, startRawServer, stubNoProxyEnv } from './helpers.js';

const KEY = 'keep-alive-test-key';
const IDLE_MS = 50;
const CALLS = 500;
const PAGE = JSON.stringify({ items: [{ prompt_uuid: 'p-1' }], count: 1 });

beforeEach(stubNoProxyEnv);
afterEach(() => {
  vi.unstubAllEnvs();
});

/**
 * Gaps between calls. Most sit around the server's idle timeout, where a reused connection is most likely to be
 * the one being closed; the rest are spread over 0-100 ms. A fixed seed keeps runs comparable.
 */
function gaps(count: number): number[] {
  let seed = 0x9e3779b9;
  const random = () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return seed / 2 ** 32;
  };
  return Array.from({ length: count }, (_, i) => (i % 4 === 3 ? Math.floor(random() * 100) : IDLE_MS - 3 + Math.floor(random() * 7)));
}

it(
  `${CALLS} calls against a server that silently closes connections idle for ${IDLE_MS} ms: none fails, with maxRetries: 0`,
  { timeout: 60_000 },
  async (ctx) => {
    const server = await startIdleClosingServer(IDLE_MS, PAGE);
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, maxRetries: 0, timeout: 5_000, logLevel: 'off' });
    ctx.onTestFinished(async () => {
      await client.close();
      await server.close();
    });

    const failures: string[] = [];
    const started = performance.now();
    for (const [i, gap] of gaps(CALLS).entries()) {
      try {
        const page = await within(client.evals.runs.listResponses('run-1'), 6_000, `call ${i + 1}`);
        if (page.items.length !== 1) failures.push(`call ${i + 1}: ${page.items.length} items`);
      } catch (error) {
        failures.push(`call ${i + 1} (after ${gap} ms idle): ${(error as Error).name}: ${(error as Error).message}`);
      }
      await sleep(gap);
    }
    const elapsed = performance.now() - started;

    expect(failures, `${failures.length} of ${CALLS} calls failed; ${server.raced} requests raced the server's close`).toEqual([]);
    expect(server.answered).toBe(CALLS);
    // The test did exercise what it is about: the server closed idle connections, the client opened new ones, and
    // some requests were sent on a connection the server was closing (about 20-30 of 500 here; 0.1.0 failed each one).
    expect(server.connections).toBeGreaterThan(CALLS / 10);
    expect(server.raced).toBeGreaterThan(0);
    ctx.annotate(`${server.raced} requests sent on a connection the server was closing; ${server.connections} connections; ${Math.round(elapsed)} ms`);
  },
);

const OK_REPLY = (connection: 'keep-alive' | 'close') =>
  `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${PAGE.length}\r\nconnection: ${connection}\r\n\r\n${PAGE}`;

it.for([
  { what: 'part of a status line', partial: 'HTTP/1.1 2' },
  { what: 'a status line and one header', partial: 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n' },
])('a fresh connection cut off after $what is not replayed: maxRetries + 1 requests, for 0 and 2', async ({ partial }, ctx) => {
  let requests = 0;
  const server = await startRawServer((socket) => {
    socket.on('data', () => {
      requests += 1;
      socket.end(partial);
    });
  });
  ctx.onTestFinished(() => server.close());
  for (const maxRetries of [0, 2]) {
    requests = 0;
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, maxRetries, timeout: 5_000, logLevel: 'off' });
    ctx.onTestFinished(() => client.close());
    // A new client: no connection of its own could have been reused, so every failure is a real one.
    const outcome = await outcomeOf(within(client.evals.runs.listResponses('run-1'), 10_000, 'call'));
    expect(outcome.ok).toBe(false);
    expect(requests, `maxRetries ${maxRetries}`).toBe(maxRetries + 1);
  }
});

it('after an answer that closed its connection, a reset on the next (fresh) connection is not replayed', async (ctx) => {
  let requests = 0;
  let connections = 0;
  const server = await startRawServer((socket) => {
    const first = ++connections === 1;
    socket.on('data', () => {
      requests += 1;
      if (first) socket.end(OK_REPLY('close'));
      else socket.resetAndDestroy();
    });
  });
  const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, maxRetries: 0, timeout: 5_000, logLevel: 'off' });
  ctx.onTestFinished(async () => {
    await client.close();
    await server.close();
  });
  expect((await client.evals.runs.listResponses('run-1')).items).toHaveLength(1);
  const outcome = await outcomeOf(within(client.evals.runs.listResponses('run-1'), 10_000, 'call 2'));
  expect(outcome).toMatchObject({ ok: false, name: 'AymaraConnectionError' });
  expect(requests).toBe(2);
});

it('a reused connection the server reset as the request went out is replayed once, free, even with maxRetries 0', async (ctx) => {
  let requests = 0;
  const server = await startRawServer((socket) => {
    let served = 0;
    socket.on('data', () => {
      requests += 1;
      // The first connection answers once, keeps the connection, then resets it under the next request.
      if (served++ === 0) socket.write(OK_REPLY('keep-alive'));
      else socket.resetAndDestroy();
    });
  });
  const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, maxRetries: 0, timeout: 5_000, logLevel: 'off' });
  ctx.onTestFinished(async () => {
    await client.close();
    await server.close();
  });
  for (let call = 1; call <= 3; call++) expect((await within(client.evals.runs.listResponses('run-1'), 10_000, `call ${call}`)).items).toHaveLength(1);
  // Each later call met a reset on the connection the previous answer left open, and its replay went through.
  expect(requests).toBe(5);
  expect(server.connections).toBe(3);
});
