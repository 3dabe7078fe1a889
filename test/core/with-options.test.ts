/**
 * `client.withOptions()`: a derived client with some options changed (another tenant's headers, a shorter timeout)
 * that shares its parent's connections and is closed with it.
 */
import { getEventListeners } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AymaraAbortError, AymaraAI, AymaraError, AymaraTimeoutError } from 'aymara-ai';
import { generateResponses, startMockServer } from 'aymara-ai/testing';
import { json, startServer } from '../helpers/server.js';
import { BACKENDS, KEY, rejectionOf, type Backend } from './backends.js';

const RUN = 'run-with-options';
const fixtures = () => ({ apiKey: KEY, runs: { [RUN]: { responses: generateResponses(5, 43) } } });

describe.each(BACKENDS)('withOptions() against the $name', ({ start }) => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await start(fixtures());
  });
  afterEach(() => backend.api.reset());
  afterAll(() => backend.close());

  it('a caller signal shared by every call and a child per call leave nothing on the long-lived signals (Node 22 too)', async () => {
    const parent = backend.client();
    const shared = new AbortController();
    // AbortSignal.any is what Node 22 never frees while its sources live: each call would leave one behind.
    const any = vi.spyOn(AbortSignal, 'any');
    try {
      for (let i = 0; i < 200; i++) {
        const child = parent.withOptions({ defaultHeaders: { 'x-call': String(i) } });
        await child.evals.runs.listResponses(RUN, { limit: 2 }, { signal: shared.signal });
        for await (const r of child.evals.runs.listResponses(RUN, { limit: 2 }, { signal: shared.signal })) expect(r.prompt_uuid).toBeTypeOf('string');
      }
      expect(any).not.toHaveBeenCalled();
    } finally {
      any.mockRestore();
    }
    // The caller's signal still works, and holds no listener of the SDK's once the calls are over.
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
    shared.abort();
    expect(await rejectionOf(parent.evals.runs.listResponses(RUN, {}, { signal: shared.signal }))).toBeInstanceOf(AymaraAbortError);
  });

  it('the child sends its own headers and keeps the rest of the parent: key, base URL, retries', async () => {
    const parent = backend.client({ maxRetries: 1, defaultHeaders: { 'x-tenant': 'a' } });
    const child = parent.withOptions({ defaultHeaders: { 'x-tenant': 'b' }, timeout: 5_000 });
    expect(child).toBeInstanceOf(AymaraAI);
    expect(child).not.toBe(parent);
    expect(child.timeout).toBe(5_000);
    expect(child.maxRetries).toBe(1);
    expect(child.baseURL).toBe(parent.baseURL);
    expect(parent.timeout).toBe(60_000);

    await parent.evals.runs.get(RUN);
    await child.evals.runs.get(RUN);
    const [fromParent, fromChild] = backend.api.requests;
    expect(fromParent?.headers['x-tenant']).toBe('a');
    expect(fromChild?.headers['x-tenant']).toBe('b');
    // The key is the parent's.
    expect(fromChild?.headers['x-api-key']).toBe(KEY);
  });

  it("the child's timeout applies to its calls only", async () => {
    const parent = backend.client({ maxRetries: 0 });
    const child = parent.withOptions({ timeout: 100 });
    backend.api.inject({ latencyMs: 400, times: 2 });
    expect(await rejectionOf(child.evals.runs.get(RUN))).toBeInstanceOf(AymaraTimeoutError);
    // The same slow answer is within the parent's (default) timeout.
    expect((await parent.evals.runs.get(RUN)).eval_run_uuid).toBe(RUN);
  });

  it('closing the parent closes the child: a child call then rejects "client is closed" and sends nothing', async () => {
    const parent = backend.client();
    const child = parent.withOptions({ defaultHeaders: { 'x-tenant': 'b' } });
    await child.evals.runs.get(RUN);
    await parent.close();
    const error = await rejectionOf(child.evals.runs.get(RUN));
    expect(error).toBeInstanceOf(AymaraError);
    expect((error as Error).message).toMatch(/client is closed/i);
    expect(await rejectionOf(child.evals.runs.listResponses(RUN))).toBeInstanceOf(AymaraError);
    expect(backend.api.requests).toHaveLength(1);
  });

  it("closing the parent aborts the child's call in flight with AymaraAbortError", async () => {
    const parent = backend.client();
    const child = parent.withOptions({});
    backend.api.inject({ latencyMs: 5_000, times: 1 });
    const call = child.evals.runs.get(RUN);
    await vi.waitFor(() => expect(backend.api.requests).toHaveLength(1), { timeout: 5_000 });
    const started = Date.now();
    await parent.close();
    const error = await rejectionOf(call);
    expect(error).toBeInstanceOf(AymaraAbortError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a client derived from a closed parent is closed too', async () => {
    const parent = backend.client();
    await parent.close();
    const error = await rejectionOf(parent.withOptions({ timeout: 1_000 }).evals.runs.get(RUN));
    expect(error).toBeInstanceOf(AymaraError);
    expect((error as Error).message).toMatch(/client is closed/i);
    expect(backend.api.requests).toHaveLength(0);
  });

  it('closing the child leaves the parent working', async () => {
    const parent = backend.client();
    const child = parent.withOptions({ timeout: 1_000 });
    await child.close();
    expect(await rejectionOf(child.evals.runs.get(RUN))).toBeInstanceOf(AymaraError);
    expect((await parent.evals.runs.get(RUN)).eval_run_uuid).toBe(RUN);
  });
});

describe('withOptions() connections, counted at the server', () => {
  it('a parent call then a child call go over one TCP connection (the loopback mock server)', async () => {
    await using server = await startMockServer({ fixtures: fixtures() });
    await using parent = new AymaraAI({ apiKey: KEY, baseURL: server.url });
    const child = parent.withOptions({ defaultHeaders: { 'x-tenant': 'b' }, timeout: 5_000 });
    await parent.evals.runs.get(RUN);
    await child.evals.runs.get(RUN);
    await child.evals.runs.listResponses(RUN);
    expect(server.api.requests.map((r) => r.connection)).toEqual([1, 1, 1]);
    expect(server.api.requests.map((r) => r.headers['x-tenant'])).toEqual([undefined, 'b', 'b']);
  });

  /**
   * Through a proxy the client owns its connections (a proxy agent made from HTTP_PROXY): the child uses the
   * parent's agent, so its call reuses the parent's connection to the proxy, where an unrelated client opens its own.
   */
  describe('through a proxy from HTTP_PROXY', () => {
    const run = { eval_run_uuid: RUN, eval_uuid: 'eval-1', status: 'finished', created_at: '2026-12-01T00:00:00Z', updated_at: '2026-12-01T00:00:00Z' };

    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('the child reuses the parent connection to the proxy; closing the parent closes the child', async () => {
      // The proxy: plain HTTP requests arrive in absolute form (`GET http://aymara.proxied.test/...`); it answers them.
      const proxy = await startServer((req, res) =>
        json(res, 200, req.url?.startsWith('http://aymara.proxied.test/v2/eval-runs/') ? run : { error: 'unexpected' }),
      );
      try {
        vi.stubEnv('http_proxy', proxy.url);
        const options = { apiKey: KEY, baseURL: 'http://aymara.proxied.test', allowInsecureHTTP: true, maxRetries: 0 };
        const parent = new AymaraAI(options);
        const child = parent.withOptions({ defaultHeaders: { 'x-tenant': 'b' }, timeout: 5_000 });

        expect((await parent.evals.runs.get(RUN)).status).toBe('finished');
        expect((await child.evals.runs.get(RUN)).status).toBe('finished');
        expect(proxy.requests.map((r) => r.url)).toEqual([`http://aymara.proxied.test/v2/eval-runs/${RUN}`, `http://aymara.proxied.test/v2/eval-runs/${RUN}`]);
        expect(proxy.requests[1]?.headers['x-tenant']).toBe('b');
        expect(proxy.connections).toBe(1);

        // An unrelated client has its own agent, hence its own connection: the count above means sharing.
        const other = new AymaraAI(options);
        await other.evals.runs.get(RUN);
        expect(proxy.connections).toBe(2);
        await other.close();

        await parent.close();
        const error = await rejectionOf(child.evals.runs.get(RUN));
        expect(error).toBeInstanceOf(AymaraError);
        expect((error as Error).message).toMatch(/client is closed/i);
        expect(proxy.requests).toHaveLength(3);
      } finally {
        await proxy.close();
      }
    });
  });
});
