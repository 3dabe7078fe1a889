/**
 * Proxy variables against a real tinyproxy. Read when a client is created: with HTTP_PROXY or http_proxy set,
 * undici's EnvHttpProxyAgent forwards http:// requests through the proxy and NO_PROXY bypasses it; a loopback
 * base URL always goes direct, so the key never crosses a proxy in clear text. The proxied cases therefore use a
 * server on this machine's non-loopback address (still never off the machine). A tinyproxy that requires Basic
 * authentication answers 407, which the SDK reports as the proxy asking for credentials.
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AymaraAI, AymaraAPIError, type ClientOptions } from 'aymara-ai';
import { freePort, NOT_LOOPBACK_HOST, startPageServer, startTinyproxy, waitFor, type PageServer, type Tinyproxy } from './helpers.js';

const KEY = 'tinyproxy-test-key';
const RUN = 'run-1';
const PROXY_USER = 'aymara';
const PROXY_PASSWORD = 'tinyproxy-s3cret';
const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

/** A server on a non-loopback address (proxy variables apply to it) and one on 127.0.0.1 (they never do). */
let remote: PageServer;
let loopback: PageServer;
let proxy: Tinyproxy;
let authProxy: Tinyproxy;
const clients: AymaraAI[] = [];

beforeAll(async () => {
  [remote, loopback, proxy, authProxy] = await Promise.all([
    startPageServer(NOT_LOOPBACK_HOST),
    startPageServer('127.0.0.1'),
    startTinyproxy(),
    startTinyproxy({ basicAuth: { user: PROXY_USER, password: PROXY_PASSWORD } }),
  ]);
});

afterAll(async () => {
  await Promise.all([proxy?.stop(), authProxy?.stop(), remote?.close(), loopback?.close()]);
});

// Every test starts with no proxy variable at all (a CI machine may set some), and leaves none behind.
beforeEach(() => {
  for (const name of PROXY_VARIABLES) vi.stubEnv(name, undefined);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  vi.unstubAllEnvs();
});

/** A client for `server`. The proxy choice is made here, from the variables set now. */
function client(server: PageServer, options: ClientOptions = {}): AymaraAI {
  const c = new AymaraAI({ apiKey: KEY, baseURL: server.url, allowInsecureHTTP: true, maxRetries: 0, timeout: 10_000, logLevel: 'off', ...options });
  clients.push(c);
  return c;
}

/** The lines `proxy` logged after `offset` that mention `server`'s host:port. */
function proxyLinesSince(p: Tinyproxy, server: PageServer, offset: number): string[] {
  return p
    .log()
    .slice(offset)
    .split('\n')
    .filter((line) => line.includes(`${server.host}:${server.port}`));
}

/** Sends one listResponses to `server`; returns what the server saw and what tinyproxy logged about it. */
async function send(c: AymaraAI, server: PageServer): Promise<{ via: string | undefined; key: string | undefined; proxyLines: string[] }> {
  const logOffset = proxy.log().length;
  const before = server.requests.length;
  const page = await c.evals.runs.listResponses(RUN);
  expect(page.items).toHaveLength(2);
  const seen = server.requests.slice(before);
  expect(seen).toHaveLength(1);
  const via = seen[0]?.headers.via;
  // tinyproxy logs the request line when it reads it, before forwarding; a proxied call is logged by the time it returns.
  if (via !== undefined) await waitFor('the request in tinyproxy log', () => proxyLinesSince(proxy, server, logOffset).length > 0, 2_000);
  else await new Promise((resolve) => setTimeout(resolve, 100)); // anything tinyproxy might still write about it
  const key = seen[0]?.headers['x-api-key'];
  return { via, key: Array.isArray(key) ? key.join(', ') : key, proxyLines: proxyLinesSince(proxy, server, logOffset) };
}

function expectProxied(result: Awaited<ReturnType<typeof send>>, server: PageServer): void {
  expect(result.via).toContain(proxy.viaName);
  expect(result.key).toBe(KEY);
  // absolute-form request line: forwarded, not tunnelled
  expect(result.proxyLines.some((line) => line.includes(`GET ${server.url}/v2/eval-runs/${RUN}/responses`))).toBe(true);
}

function expectDirect(result: Awaited<ReturnType<typeof send>>): void {
  expect(result.via).toBeUndefined();
  expect(result.key).toBe(KEY);
  expect(result.proxyLines).toEqual([]);
}

describe('a loopback base URL goes direct, whatever the proxy variables say', () => {
  it('HTTP_PROXY set to tinyproxy: a request to http://127.0.0.1 never reaches the proxy', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.url);
    const c = client(loopback);
    expectDirect(await send(c, loopback));
    expectDirect(await send(c, loopback));
  });

  it('lower-case http_proxy and HTTPS_PROXY too, and http://localhost', async () => {
    vi.stubEnv('http_proxy', proxy.url);
    vi.stubEnv('HTTPS_PROXY', proxy.url);
    expectDirect(await send(client(loopback), loopback));
    const viaLocalhost = { ...loopback, url: loopback.url.replace('127.0.0.1', 'localhost') };
    expectDirect(await send(client(viaLocalhost), loopback));
  });
});

describe('HTTP_PROXY / http_proxy', () => {
  it('HTTP_PROXY sends http:// requests to a non-loopback host through the proxy, key included', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.url);
    expectProxied(await send(client(remote), remote), remote);
  });

  it('lower-case http_proxy works the same', async () => {
    vi.stubEnv('http_proxy', proxy.url);
    expectProxied(await send(client(remote), remote), remote);
  });

  it('without proxy variables the request goes direct', async () => {
    expectDirect(await send(client(remote), remote));
  });

  it('HTTPS_PROXY alone does not apply to an http:// base URL', async () => {
    vi.stubEnv('HTTPS_PROXY', proxy.url);
    expectDirect(await send(client(remote), remote));
  });

  it('a client keeps the proxy choice it made when it was created; a new client reads the variables again', async () => {
    const early = client(remote);
    expectDirect(await send(early, remote));
    vi.stubEnv('HTTP_PROXY', proxy.url);
    expectDirect(await send(early, remote));
    expectProxied(await send(client(remote), remote), remote);
  });
});

describe('NO_PROXY', () => {
  it('NO_PROXY with the host bypasses the proxy: the call succeeds and tinyproxy logs nothing', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.url);
    vi.stubEnv('NO_PROXY', remote.host);
    expectDirect(await send(client(remote), remote));
  });

  it('NO_PROXY with the exact host:port bypasses it; lower-case no_proxy too', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.url);
    vi.stubEnv('NO_PROXY', `${remote.host}:${remote.port}`);
    expectDirect(await send(client(remote), remote));
    vi.stubEnv('NO_PROXY', undefined);
    vi.stubEnv('no_proxy', `example.invalid, ${remote.host}:${remote.port}`);
    expectDirect(await send(client(remote), remote));
  });

  it('NO_PROXY for another port, or for localhost, does not bypass HOST:PORT', async () => {
    vi.stubEnv('HTTP_PROXY', proxy.url);
    vi.stubEnv('NO_PROXY', `${remote.host}:${await freePort()}`);
    expectProxied(await send(client(remote), remote), remote);
    vi.stubEnv('NO_PROXY', 'localhost');
    expectProxied(await send(client(remote), remote), remote);
  });
});

describe('a proxy that requires authentication (tinyproxy BasicAuth)', () => {
  it('without credentials: AymaraAPIError 407 saying the proxy asked for credentials; the server sees nothing', async () => {
    vi.stubEnv('HTTP_PROXY', authProxy.url);
    const before = remote.requests.length;
    const error = await client(remote, { maxRetries: 2 })
      .evals.runs.listResponses(RUN)
      .then(
        () => new Error('resolved'),
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AymaraAPIError);
    expect((error as AymaraAPIError).status).toBe(407);
    expect((error as Error).message).toMatch(/proxy/i);
    expect((error as Error).message).toMatch(/credential/i);
    expect(remote.requests.length).toBe(before);
  });

  it('HTTPS_PROXY for an https:// base URL: the CONNECT gets the 407, reported the same way', async () => {
    vi.stubEnv('HTTPS_PROXY', authProxy.url);
    const c = new AymaraAI({ apiKey: KEY, baseURL: 'https://api.aymara.test', maxRetries: 2, timeout: 10_000, logLevel: 'off' });
    clients.push(c);
    const error = await c.evals.runs.listResponses(RUN).then(
      () => new Error('resolved'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AymaraAPIError);
    expect((error as AymaraAPIError).status).toBe(407);
    expect((error as Error).message).toMatch(/proxy/i);
    expect((error as Error).message).toMatch(/credential/i);
  });

  it('with credentials in HTTP_PROXY: forwarded, and the password shows nowhere', async () => {
    vi.stubEnv('HTTP_PROXY', `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${authProxy.port}`);
    const c = client(remote);
    const before = remote.requests.length;
    const page = await c.evals.runs.listResponses(RUN);
    expect(page.items).toHaveLength(2);
    const seen = remote.requests.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.via).toContain(authProxy.viaName);
    // The proxy consumed its credentials; the API never sees them.
    expect(seen[0]?.headers['proxy-authorization']).toBeUndefined();
    expect(inspect(c)).not.toContain(PROXY_PASSWORD);
    expect(JSON.stringify(c)).not.toContain(PROXY_PASSWORD);
  });
});
