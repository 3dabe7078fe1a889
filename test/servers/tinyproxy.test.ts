/**
 * The SDK's default transport and proxy variables (SPEC 5), against a real tinyproxy: with HTTP_PROXY or
 * http_proxy set when a client sends its first request, undici's EnvHttpProxyAgent forwards http:// requests
 * through the proxy (loopback included: undici does not bypass it by default); NO_PROXY bypasses it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AymaraAI } from 'aymara-ai';
import { generateResponses, startMockServer, type MockServer } from 'aymara-ai/testing';
import { clearProxyEnv, freePort, startTinyproxy, waitFor, type Tinyproxy } from './helpers.js';

const KEY = 'tinyproxy-test-key';
const RUN = 'run-1';

let restoreOuterEnv: () => void;
let mock: MockServer;
let proxy: Tinyproxy;
const clients: AymaraAI[] = [];

beforeAll(async () => {
  restoreOuterEnv = clearProxyEnv();
  [mock, proxy] = await Promise.all([startMockServer({ fixtures: { apiKey: KEY, runs: { [RUN]: { responses: generateResponses(2) } } } }), startTinyproxy()]);
});

afterAll(async () => {
  await Promise.all([proxy?.stop(), mock?.close()]);
  restoreOuterEnv?.();
});

// Every test starts with no proxy variable at all, and leaves none behind.
let restoreEnv: () => void;
beforeEach(() => {
  restoreEnv = clearProxyEnv();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  restoreEnv();
});

/** A client for the mock API. The transport picks Agent or EnvHttpProxyAgent at its first request. */
function client(): AymaraAI {
  const c = new AymaraAI({ apiKey: KEY, baseURL: mock.url, maxRetries: 0, timeout: 10_000 });
  clients.push(c);
  return c;
}

/** The request line tinyproxy logs for a forwarded GET to the mock API (absolute-form: no CONNECT tunnel). */
const forwardedLine = () => `GET ${mock.url}/v2/eval-runs/${RUN}/responses`;

/** Lines tinyproxy logged after `offset` that mention the mock API's port. */
function proxyLinesSince(offset: number): string[] {
  return proxy
    .log()
    .slice(offset)
    .split('\n')
    .filter((line) => line.includes(`127.0.0.1:${mock.port}`));
}

/** Sends one listResponses; returns what the mock saw and what tinyproxy logged about it. */
async function send(c: AymaraAI): Promise<{ via: string | undefined; key: string | undefined; proxyLines: string[] }> {
  const logOffset = proxy.log().length;
  const before = mock.api.requests.length;
  const page = await c.evals.runs.listResponses(RUN);
  expect(page.items).toHaveLength(2);
  const seen = mock.api.requests.slice(before);
  expect(seen).toHaveLength(1);
  const via = seen[0]?.headers.via;
  // tinyproxy logs the request line when it reads it, before forwarding; a proxied call is logged by the time it returns.
  if (via !== undefined) await waitFor('the request in tinyproxy log', () => proxyLinesSince(logOffset).length > 0, 2_000);
  return { via, key: seen[0]?.headers['x-api-key'], proxyLines: proxyLinesSince(logOffset) };
}

function expectProxied(result: Awaited<ReturnType<typeof send>>): void {
  expect(result.via).toContain(proxy.viaName);
  expect(result.key).toBe(KEY);
  expect(result.proxyLines.some((line) => line.includes(forwardedLine()))).toBe(true);
}

function expectDirect(result: Awaited<ReturnType<typeof send>>): void {
  expect(result.via).toBeUndefined();
  expect(result.key).toBe(KEY);
  expect(result.proxyLines).toEqual([]);
}

describe('HTTP_PROXY / http_proxy', () => {
  it('HTTP_PROXY sends http:// requests to loopback through the proxy (loopback is not bypassed by default)', async () => {
    process.env.HTTP_PROXY = proxy.url;
    expectProxied(await send(client()));
  });

  it('lower-case http_proxy works the same', async () => {
    process.env.http_proxy = proxy.url;
    expectProxied(await send(client()));
  });

  it('without proxy variables the request goes direct', async () => {
    expectDirect(await send(client()));
  });

  it('HTTPS_PROXY alone does not apply to an http:// base URL', async () => {
    process.env.HTTPS_PROXY = proxy.url;
    expectDirect(await send(client()));
  });

  it('a client keeps the proxy choice it made when it was created; a new client reads the variables again', async () => {
    const early = client();
    expectDirect(await send(early));
    process.env.HTTP_PROXY = proxy.url;
    expectDirect(await send(early));
    expectProxied(await send(client()));
  });
});

describe('NO_PROXY', () => {
  it('NO_PROXY=127.0.0.1 bypasses the proxy: the call succeeds and tinyproxy logs nothing', async () => {
    process.env.HTTP_PROXY = proxy.url;
    process.env.NO_PROXY = '127.0.0.1';
    expectDirect(await send(client()));
  });

  it('NO_PROXY with the exact host:port bypasses it; lower-case no_proxy too', async () => {
    process.env.HTTP_PROXY = proxy.url;
    process.env.NO_PROXY = `127.0.0.1:${mock.port}`;
    expectDirect(await send(client()));
    delete process.env.NO_PROXY;
    process.env.no_proxy = `example.invalid, 127.0.0.1:${mock.port}`;
    expectDirect(await send(client()));
  });

  it('NO_PROXY for another port, or for localhost, does not bypass 127.0.0.1:PORT', async () => {
    process.env.HTTP_PROXY = proxy.url;
    process.env.NO_PROXY = `127.0.0.1:${await freePort()}`;
    expectProxied(await send(client()));
    process.env.NO_PROXY = 'localhost';
    expectProxied(await send(client()));
  });
});
