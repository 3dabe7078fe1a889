/**
 * Proxy variables, read when a client is created: a malformed one is an `AymaraInputError` at construction that
 * never shows the credentials it holds; a loopback `http://` base URL never goes through a proxy (the key would
 * cross it in clear text); a proxy's 407 says the proxy asked for credentials. The proxy here is a small node:http
 * forward proxy that records what it receives and forwards nothing. test/servers/tinyproxy.test.ts does the same
 * against a real proxy.
 */
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AymaraAI, AymaraAPIError, AymaraError, AymaraInputError } from 'aymara-ai';
import { within } from '../helpers/fault-server.js';
import { rejectionOf, startServer } from '../helpers/server.js';
import { startForwardProxy, startRawServer, stubNoProxyEnv, type ForwardProxy } from './helpers.js';

const KEY = 'proxy-test-key';
const PASSWORD = 's3cret-proxy-pass';
const PAGE = JSON.stringify({ items: [{ prompt_uuid: 'p-1' }], count: 1 });

beforeEach(stubNoProxyEnv);
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Everything a user or a log could see of an error: none of it may hold the password. */
function exposures(error: unknown): Record<string, string> {
  const e = error as Error;
  return {
    message: String(e.message),
    stack: String(e.stack),
    json: JSON.stringify(e),
    inspect: inspect(e, { depth: 10, showHidden: true }),
    string: String(e),
  };
}

function constructionError(options: ConstructorParameters<typeof AymaraAI>[0]): unknown {
  try {
    const client = new AymaraAI(options);
    void client.close();
  } catch (error) {
    return error;
  }
  return new Error('new AymaraAI(...) did not throw');
}

describe('a malformed proxy variable is an AymaraInputError at construction, without its credentials', () => {
  const CASES = [
    { name: 'HTTPS_PROXY', value: 'host:3128', baseURL: 'https://api.aymara.test', what: 'no scheme' },
    { name: 'https_proxy', value: `user:${PASSWORD}@proxy.example:3128`, baseURL: 'https://api.aymara.test', what: 'no scheme, with credentials' },
    { name: 'HTTP_PROXY', value: `http://user:${PASSWORD}@proxy:99999`, baseURL: 'http://api.aymara.test', what: 'a port over 65535, with credentials' },
    { name: 'HTTPS_PROXY', value: `http://user:${PASSWORD}@proxy.example:99999`, baseURL: 'https://api.aymara.test', what: 'a port over 65535 on HTTPS_PROXY' },
    { name: 'http_proxy', value: `ftp://user:${PASSWORD}@proxy.example:21`, baseURL: 'http://api.aymara.test', what: 'a scheme that is not http(s)' },
    { name: 'HTTPS_PROXY', value: `http://user:${PASSWORD}@[bad host:8080`, baseURL: 'https://api.aymara.test', what: 'not a URL at all' },
  ];

  for (const { name, value, baseURL, what } of CASES) {
    it(`${name} with ${what}`, () => {
      vi.stubEnv(name, value);
      const error = constructionError({ apiKey: KEY, baseURL, allowInsecureHTTP: true, logLevel: 'off' });
      expect(error).toBeInstanceOf(AymaraInputError);
      expect((error as Error).message).toMatch(/proxy/i);
      for (const [where, text] of Object.entries(exposures(error))) {
        expect(text, `${where} shows the password`).not.toContain(PASSWORD);
        expect(text, `${where} shows the key`).not.toContain(KEY);
      }
    });
  }

  it('a well-formed proxy variable is accepted (with credentials, and a bare http://host:port)', () => {
    vi.stubEnv('HTTPS_PROXY', `http://user:${PASSWORD}@proxy.example:3128`);
    vi.stubEnv('HTTP_PROXY', 'http://proxy.example:8080');
    const client = new AymaraAI({ apiKey: KEY, baseURL: 'https://api.aymara.test', logLevel: 'off' });
    void client.close();
    expect(inspect(client)).not.toContain(PASSWORD);
    expect(JSON.stringify(client)).not.toContain(PASSWORD);
  });
});

describe('a loopback http:// base URL never goes through a proxy', () => {
  let proxy: ForwardProxy;
  beforeEach(async () => {
    proxy = await startForwardProxy();
  });
  afterEach(async () => {
    await proxy.close();
  });

  for (const variables of [['HTTP_PROXY'], ['http_proxy'], ['HTTP_PROXY', 'HTTPS_PROXY']]) {
    it(`${variables.join(' + ')} set to a working proxy: 127.0.0.1 goes direct, the proxy sees nothing`, async (ctx) => {
      for (const name of variables) vi.stubEnv(name, proxy.url);
      const server = await startServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(PAGE);
      });
      const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, maxRetries: 0, logLevel: 'off' });
      ctx.onTestFinished(async () => {
        await client.close();
        await server.close();
      });
      for (const call of [1, 2]) {
        const page = await within(client.evals.runs.listResponses('run-1'), 5_000, `call ${call}`);
        expect(page.items).toHaveLength(1);
      }
      expect(proxy.seen).toEqual([]);
      expect(server.requests).toHaveLength(2);
      expect(server.requests.every((r) => r.headers['x-api-key'] === KEY && r.headers.via === undefined)).toBe(true);
    });
  }

  it('localhost goes direct too', async (ctx) => {
    vi.stubEnv('HTTP_PROXY', proxy.url);
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(PAGE);
    });
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url.replace('127.0.0.1', 'localhost'), maxRetries: 0, logLevel: 'off' });
    ctx.onTestFinished(async () => {
      await client.close();
      await server.close();
    });
    const page = await within(client.evals.runs.listResponses('run-1'), 5_000);
    expect(page.items).toHaveLength(1);
    expect(proxy.seen).toEqual([]);
  });

  it('a non-loopback base URL does go through the proxy (so the loopback cases above prove a rule, not a broken proxy)', async (ctx) => {
    vi.stubEnv('HTTP_PROXY', proxy.url);
    const client = new AymaraAI({ apiKey: KEY, baseURL: 'http://api.aymara.test', allowInsecureHTTP: true, maxRetries: 0, logLevel: 'off' });
    ctx.onTestFinished(() => client.close());
    const error = await within(
      client.evals.runs.listResponses('run-1').then(
        () => 'resolved',
        (e: unknown) => e,
      ),
      5_000,
    );
    // The proxy answers 502 to everything (a forwarded request or a CONNECT).
    expect(error).toBeInstanceOf(AymaraError);
    expect(proxy.seen.length).toBeGreaterThanOrEqual(1);
    expect(proxy.seen[0]).toMatch(/api\.aymara\.test/);
  });
});

describe("a proxy's 407", () => {
  let proxy: ForwardProxy;
  beforeEach(async () => {
    proxy = await startForwardProxy(407);
  });
  afterEach(async () => {
    await proxy.close();
  });

  for (const { variable, baseURL, how } of [
    { variable: 'HTTP_PROXY', baseURL: 'http://api.aymara.test', how: 'a forwarded http:// request' },
    { variable: 'HTTPS_PROXY', baseURL: 'https://api.aymara.test', how: 'a CONNECT tunnel for https://' },
  ]) {
    it(`${how}: AymaraAPIError, status 407, saying the proxy asked for credentials; not retried`, async (ctx) => {
      vi.stubEnv(variable, proxy.url);
      const client = new AymaraAI({ apiKey: KEY, baseURL, allowInsecureHTTP: true, logLevel: 'off' });
      ctx.onTestFinished(() => client.close());
      const error = await within(
        client.evals.runs.listResponses('run-1').then(
          () => 'resolved',
          (e: unknown) => e,
        ),
        5_000,
      );
      expect(error).toBeInstanceOf(AymaraAPIError);
      expect((error as AymaraAPIError).status).toBe(407);
      expect((error as Error).message).toMatch(/proxy/i);
      expect((error as Error).message).toMatch(/credential/i);
      expect(proxy.seen).toHaveLength(1);
      for (const [where, text] of Object.entries(exposures(error))) expect(text, `${where} shows the key`).not.toContain(KEY);
    });
  }
});

describe('a 407 from whatever answers at the base URL (an intercepting proxy, a gateway)', () => {
  it('is an AymaraAPIError, status 407, saying a proxy asked for credentials, sent once: fetch hides the answer itself', async (ctx) => {
    const server = await startServer((_req, res) => {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="corp"', 'content-type': 'text/html' });
      res.end('<html>proxy auth</html>');
    });
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off' });
    ctx.onTestFinished(async () => {
      await client.close();
      await server.close();
    });
    const error = await within(rejectionOf(client.evals.runs.listResponses('run-1')), 5_000);
    expect(error).toBeInstanceOf(AymaraAPIError);
    expect((error as AymaraAPIError).status).toBe(407);
    expect((error as Error).message).toMatch(/proxy asked for credentials/);
    expect(server.requests).toHaveLength(1);
  });
});

describe("close() with the client's own proxy agent", () => {
  it('resolves at once even while a connection through the proxy is still being set up', { timeout: 20_000 }, async (ctx) => {
    // A proxy that accepts the TCP connection and never answers the CONNECT: the tunnel stays pending.
    const silent = await startRawServer(() => undefined);
    ctx.onTestFinished(() => silent.close());
    vi.stubEnv('HTTPS_PROXY', silent.url);
    const client = new AymaraAI({ apiKey: KEY, baseURL: 'https://api.aymara.test', timeout: 300, maxRetries: 0, logLevel: 'off' });
    const error = await within(rejectionOf(client.evals.runs.listResponses('run-1')), 5_000);
    expect((error as Error).name).toBe('AymaraTimeoutError');
    expect(silent.connections).toBe(1);
    const started = performance.now();
    await within(client.close(), 2_000, 'close()');
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
