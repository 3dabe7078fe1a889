/**
 * The testing kit itself (aymara-ai/testing), exercised through the SDK: the loopback server and the msw handlers run
 * the same suite, each against a default client.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  AymaraAI,
  AymaraAPIError,
  AymaraConnectionError,
  AymaraResponseValidationError,
  AymaraTimeoutError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  type ClientOptions,
  type EvalScoredResponse,
} from 'aymara-ai';
import {
  DEFAULT_LIMIT,
  DEMO_EVAL_UUID,
  DEMO_RUN_UUID,
  DEMO_WORKSPACE_UUID,
  demoFixtures,
  generatePrompts,
  generateResponses,
  generateResponsesFor,
  MAX_LIMIT,
  MockAymaraAPI,
  startMockServer,
  validateFixtures,
  type MockFixtures,
  type MockRequest,
} from 'aymara-ai/testing';
import { mockAymaraHandlers } from 'aymara-ai/testing/msw';
import { evalBody, findEval, findRun, page, runsOf, type MockRouteContext } from '../src/testing/mock-api.js';

const KEY = 'kit-key';
const RUN = 'run-620';
const WORKSPACE = 'ws-1';
const OTHER_RUN = 'run-other';
const LOOSE_RUN = 'run-no-workspace';
/** A uuid that needs encoding in a path: the SDK encodes it, the mock decodes it. */
const ODD_RUN = 'run/odd name?#%';
const RESPONSES = generateResponses(620, 11);
const UUIDS = RESPONSES.map((r) => r.prompt_uuid as string);

const fixtures = (): MockFixtures => ({
  apiKey: KEY,
  runs: {
    [RUN]: { workspace_uuid: WORKSPACE, responses: RESPONSES },
    [OTHER_RUN]: { workspace_uuid: 'ws-2', responses: generateResponses(3, 12) },
    [LOOSE_RUN]: { responses: generateResponses(2, 13) },
    [ODD_RUN]: { eval_uuid: 'eval-odd', name: 'odd-run', created_at: '2026-11-30T08:00:00Z', responses: generateResponses(4, 14) },
  },
});

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

async function collect(iterable: AsyncIterable<EvalScoredResponse>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item.prompt_uuid);
  return out;
}

interface Backend {
  api: MockAymaraAPI;
  /** A client for this backend, closed with it: `maxRetries: 0` and logging off unless told. */
  client(options?: ClientOptions): AymaraAI;
  /** GET a path below the base URL with no key at all (the SDK always sends one). */
  getWithoutKey(path: string): Promise<Response>;
  /** GET a path below the base URL with plain fetch and these headers. */
  get(path: string, headers: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

const backends: { name: string; start(fixtures: MockFixtures): Promise<Backend> }[] = [
  {
    name: 'startMockServer (loopback, default client)',
    async start(data) {
      const server = await startMockServer({ fixtures: data });
      const clients: AymaraAI[] = [];
      return {
        api: server.api,
        client: (options = {}) => {
          const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, maxRetries: 0, logLevel: 'off', ...options });
          clients.push(client);
          return client;
        },
        getWithoutKey: (path) => fetch(`${server.url}${path}`),
        get: (path, headers) => fetch(`${server.url}${path}`, { headers }),
        close: async () => {
          await Promise.all(clients.map((c) => c.close()));
          await server.close();
        },
      };
    },
  },
  {
    name: 'mockAymaraHandlers (msw, default client, base URL with a path prefix)',
    async start(data) {
      const { handlers, api, baseURL } = mockAymaraHandlers({ fixtures: data, baseURL: 'https://aymara.kit.test/proxy/aymara/' });
      expect(baseURL).toBe('https://aymara.kit.test/proxy/aymara');
      const msw = setupServer(...handlers);
      msw.listen({ onUnhandledFrame: 'error' });
      return {
        api,
        client: (options = {}) => new AymaraAI({ apiKey: KEY, baseURL, maxRetries: 0, logLevel: 'off', ...options }),
        getWithoutKey: (path) => fetch(`${baseURL}${path}`),
        get: (path, headers) => fetch(`${baseURL}${path}`, { headers }),
        close: async () => msw.close(),
      };
    },
  },
];

describe.each(backends)('$name', ({ name, start }) => {
  let backend: Backend;
  let client: AymaraAI;

  beforeAll(async () => {
    backend = await start(fixtures());
    client = backend.client();
  });
  afterEach(() => backend.api.reset());
  afterAll(() => backend.close());

  describe('data', () => {
    it('serves 100 responses when no limit is sent, with the run total as count', async () => {
      const page = await client.evals.runs.listResponses(RUN);
      expect(page.items.map((r) => r.prompt_uuid)).toEqual(UUIDS.slice(0, 100));
      expect(page.count).toBe(620);
      const [request] = backend.api.requests;
      expect(request?.limit).toBeUndefined();
      expect(request?.url.searchParams.has('limit')).toBe(false);
    });

    it(`caps limit at ${MAX_LIMIT}`, async () => {
      const page = await client.evals.runs.listResponses(RUN, { limit: 1000 });
      expect(page.items).toHaveLength(MAX_LIMIT);
      expect(page.count).toBe(620);
      expect(backend.api.requests[0]?.limit).toBe(1000);
    });

    it('honours offset, returns a short last page and an empty one past the end', async () => {
      const page = await client.evals.runs.listResponses(RUN, { offset: 250, limit: 7 });
      expect(page.items.map((r) => r.prompt_uuid)).toEqual(UUIDS.slice(250, 257));
      expect((await client.evals.runs.listResponses(RUN, { offset: 610, limit: 50 })).items.map((r) => r.prompt_uuid)).toEqual(UUIDS.slice(610));
      const past = await client.evals.runs.listResponses(RUN, { offset: 700 });
      expect(past.items).toEqual([]);
      expect(past.count).toBe(620);
      expect(backend.api.requests.map((r) => r.offset)).toEqual([250, 610, 700]);
    });

    it('auto-pagination walks the whole run in order', async () => {
      expect(await collect(client.evals.runs.listResponses(RUN, { limit: 150 }))).toEqual(UUIDS);
    });

    it('honours workspace_uuid: the run in its workspace is found, in another it is a 404 resource.not_found', async () => {
      expect((await client.evals.runs.listResponses(RUN, { workspace_uuid: WORKSPACE, limit: 1 })).count).toBe(620);
      for (const [run, workspace] of [
        [RUN, 'ws-2'],
        [OTHER_RUN, WORKSPACE],
        [LOOSE_RUN, WORKSPACE],
      ] as const) {
        const error = await rejection(client.evals.runs.listResponses(run, { workspace_uuid: workspace }));
        expect(error).toBeInstanceOf(NotFoundError);
        expect(error).toMatchObject({ status: 404, code: 'resource.not_found', requestId: expect.stringMatching(/^req_mock_\d+$/) });
      }
      expect(backend.api.requests.map((r) => r.workspace_uuid)).toEqual([WORKSPACE, 'ws-2', WORKSPACE, WORKSPACE]);
    });

    it('an unknown run is a 404 resource.not_found, from each route, whose message names the run', async () => {
      const error = await rejection(client.evals.runs.listResponses('no-such-run'));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'resource.not_found', message: expect.stringContaining('Eval run no-such-run not found') });
      const run = await rejection(client.evals.runs.get(OTHER_RUN, { workspace_uuid: WORKSPACE }));
      expect(run).toMatchObject({ status: 404, message: expect.stringContaining(`Eval run ${OTHER_RUN} not found in workspace ${WORKSPACE}`) });
      expect(backend.api.requests.map((r) => r.route)).toEqual(['responses', 'run']);
    });

    it('decodes named path parameters; a segment that does not decode names no route', async () => {
      expect((await client.evals.runs.listResponses(ODD_RUN)).count).toBe(4);
      await client.evals.runs.get(ODD_RUN);
      const [list, one] = backend.api.requests;
      expect(list).toMatchObject({ route: 'responses', params: { eval_run_uuid: ODD_RUN }, eval_run_uuid: ODD_RUN, eval_uuid: undefined });
      expect(one).toMatchObject({ route: 'run', params: { eval_run_uuid: ODD_RUN }, eval_run_uuid: ODD_RUN });

      const bad = await backend.get('/v2/eval-runs/%E0%A4%A/responses', { 'x-api-key': KEY });
      // msw 2 decodes the path itself before any handler runs, and fails its own way (a 500 of its own): the kit
      // never sees such a request there. The SDK never sends one: it encodes well-formed strings only.
      if (process.env.MSW_MAJOR === '2' && name.startsWith('mockAymaraHandlers')) {
        expect(bad.status).toBe(500);
        expect(backend.api.requests).toHaveLength(2);
        return;
      }
      expect(bad.status).toBe(404);
      expect(await bad.json()).toMatchObject({ error: { code: 'resource.not_found', message: expect.stringMatching(/^No route for GET /) } });
      expect(backend.api.requests[2]).toMatchObject({ route: undefined, params: {}, eval_run_uuid: undefined });
    });

    it("serves a run's fields from its fixture (eval_uuid, name, created_at), and defaults for the rest", async () => {
      expect(await client.evals.runs.get(ODD_RUN)).toMatchObject({
        eval_run_uuid: ODD_RUN,
        eval_uuid: 'eval-odd',
        name: 'odd-run',
        created_at: '2026-11-30T08:00:00Z',
        status: 'finished',
      });
      expect(await client.evals.runs.get(LOOSE_RUN)).toMatchObject({ eval_uuid: `eval-${LOOSE_RUN}`, name: `Eval run ${LOOSE_RUN}`, workspace_uuid: null });
    });

    it('a wrong key is a 401 auth.invalid_key, and so is a missing one', async () => {
      const wrong = await rejection(backend.client({ apiKey: 'not-the-key' }).evals.runs.listResponses(RUN));
      expect(wrong).toBeInstanceOf(AuthenticationError);
      expect(wrong).toMatchObject({ status: 401, code: 'auth.invalid_key' });

      const missing = await backend.getWithoutKey(`/v2/eval-runs/${RUN}/responses`);
      expect(missing.status).toBe(401);
      expect(await missing.json()).toMatchObject({ error: { code: 'auth.invalid_key' }, request_id: expect.stringMatching(/^req_mock_/) });
    });

    it('gzips when the request asks for it, not when it refuses gzip; the SDK reads the page either way', async () => {
      const path = `/v2/eval-runs/${RUN}/responses?limit=2`;
      for (const [acceptEncoding, gzipped] of [
        ['gzip', true],
        ['GZIP', true],
        ['br, gzip;q=0.5', true],
        ['br, *;q=0.1', true],
        ['gzip;q=0', false],
        ['gzip;q=0, *', false],
        ['identity', false],
      ] as const) {
        const res = await backend.get(path, { 'x-api-key': KEY, 'accept-encoding': acceptEncoding });
        expect(res.headers.get('content-encoding'), acceptEncoding).toBe(gzipped ? 'gzip' : null);
        expect(((await res.json()) as { items: unknown[] }).items, acceptEncoding).toHaveLength(2);
      }
      const page = await backend.client({ defaultHeaders: { 'accept-encoding': 'gzip' } }).evals.runs.listResponses(RUN, { limit: 2 });
      expect(page.items.map((r) => r.prompt_uuid)).toEqual(UUIDS.slice(0, 2));
    });

    it('records what it received: method, URL, headers, parsed parameters', async () => {
      await client.evals.runs.listResponses(RUN, { limit: 3, offset: 9, workspace_uuid: WORKSPACE }, { headers: { 'x-trace': 'abc' } });
      const [request] = backend.api.requests;
      expect(request).toMatchObject({ method: 'GET', eval_run_uuid: RUN, limit: 3, offset: 9, workspace_uuid: WORKSPACE });
      expect(request?.url.pathname).toMatch(new RegExp(`/v2/eval-runs/${RUN}/responses$`));
      expect(request?.headers).toMatchObject({
        'x-api-key': KEY,
        'x-trace': 'abc',
        accept: 'application/json',
        'user-agent': expect.stringMatching(/^aymara-ai-typescript\//),
      });
      expect(request?.receivedAt).toBeGreaterThan(0);
    });
  });

  describe('faults', () => {
    it('status: the error envelope with the usual code, or the given code and message; the class follows the code', async () => {
      backend.api.inject({ status: 403, times: 1 });
      const forbidden = await rejection(client.evals.runs.listResponses(RUN));
      expect(forbidden).toBeInstanceOf(PermissionDeniedError);
      expect(forbidden).toMatchObject({
        status: 403,
        code: 'auth.insufficient_permissions',
        message: expect.stringContaining('Injected fault'),
        requestId: expect.stringMatching(/^req_mock_/),
      });

      backend.api.inject({ status: 500, code: 'resource.conflict', message: 'edit in progress', times: 1 });
      const conflict = await rejection(client.evals.runs.listResponses(RUN));
      expect(conflict).toBeInstanceOf(ConflictError);
      expect(conflict).toMatchObject({ status: 500, code: 'resource.conflict', message: expect.stringContaining('edit in progress') });

      // A status with no documented code gets an unknown one, so the class follows the status.
      backend.api.inject({ status: 503, times: 1 });
      const unavailable = await rejection(client.evals.runs.listResponses(RUN));
      expect(unavailable).toBeInstanceOf(ServiceUnavailableError);
      expect(unavailable).toMatchObject({ status: 503, code: 'mock.injected_fault' });
      backend.api.inject({ status: 410, times: 1 });
      const gone = await rejection(client.evals.runs.listResponses(RUN));
      expect((gone as AymaraAPIError).constructor).toBe(AymaraAPIError);
      // Faults take precedence over the key check: a proxy in front of the API fails the same way.
      backend.api.inject({ status: 502, body: '<html>502 Bad Gateway</html>', times: 1 });
      const html = await rejection(client.evals.runs.listResponses(RUN));
      expect(html).toBeInstanceOf(InternalServerError);
      expect(html).toMatchObject({ status: 502 });
    });

    it('times: a fault applies that many times, then the real answer comes back (the SDK retries through it)', async () => {
      const retrying = backend.client({ maxRetries: 2 });
      backend.api.inject({ status: 503, times: 2, headers: { 'retry-after-ms': '0' } });
      const page = await retrying.evals.runs.listResponses(RUN, { limit: 2 });
      expect(page.items).toHaveLength(2);
      expect(backend.api.requests).toHaveLength(3);

      backend.api.inject({ status: 429, times: 3, headers: { 'retry-after-ms': '0' } });
      const error = await rejection(retrying.evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error).toMatchObject({ status: 429, code: 'quota.limit_exceeded' });
      expect(backend.api.requests).toHaveLength(6);
      expect((await client.evals.runs.listResponses(RUN, { limit: 1 })).items).toHaveLength(1);
    });

    it('headers: retry-after reaches the SDK and is honoured', async () => {
      backend.api.inject({ status: 429, times: 1, headers: { 'Retry-After': '7' } });
      const error = await rejection(client.evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(AymaraAPIError);
      expect((error as AymaraAPIError).headers.get('retry-after')).toBe('7');

      backend.api.inject({ status: 503, times: 1, headers: { 'retry-after': '1' } });
      const started = performance.now();
      await backend.client({ maxRetries: 1 }).evals.runs.listResponses(RUN, { limit: 1 });
      expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    });

    it('latencyMs: the answer is late; a client timeout shorter than the latency fires', async () => {
      backend.api.inject({ latencyMs: 250, times: 1 });
      const started = performance.now();
      expect((await client.evals.runs.listResponses(RUN, { limit: 1 })).items).toHaveLength(1);
      expect(performance.now() - started).toBeGreaterThanOrEqual(240);

      backend.api.inject({ latencyMs: 1_000, times: 1 });
      expect(await rejection(client.evals.runs.listResponses(RUN, {}, { timeout: 100 }))).toBeInstanceOf(AymaraTimeoutError);
    });

    it('reset: no answer at all; after its retries the SDK throws AymaraConnectionError', async () => {
      const c = backend.client({ maxRetries: 1 });
      await c.evals.runs.listResponses(RUN);
      backend.api.reset();
      backend.api.inject({ reset: true });
      const error = await rejection(c.evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(AymaraConnectionError);
      expect(error).not.toBeInstanceOf(AymaraTimeoutError);
      // The message says what failed, not how a value prints ("[object Response]" from msw's network error).
      expect((error as Error).message).toMatch(/^Connection error: \w/);
      expect((error as Error).message).not.toMatch(/\[object /);
      // Every request was received and recorded, though none was answered: two attempts, and on the loopback server
      // the first may also have been sent again at once, unanswered, when it met the reset on a kept-alive connection.
      expect(backend.api.requests.length).toBeGreaterThanOrEqual(2);
      expect(backend.api.requests.length).toBeLessThanOrEqual(backend.api.requests[0]?.connection !== undefined ? 3 : 2);
    });

    it('match: a fault can target a route', async () => {
      backend.api.inject({ status: 500, match: { route: 'run' } });
      expect(await rejection(client.evals.runs.get(RUN))).toBeInstanceOf(InternalServerError);
      expect((await client.evals.runs.listResponses(RUN, { limit: 1 })).items).toHaveLength(1);
    });

    it('match: a fault can target a run or an offset, as an object or a predicate', async () => {
      backend.api.inject({ status: 500, match: { eval_run_uuid: OTHER_RUN } });
      backend.api.inject({ status: 500, match: { offset: 300 } });
      expect(await rejection(client.evals.runs.listResponses(OTHER_RUN))).toBeInstanceOf(InternalServerError);
      expect((await client.evals.runs.listResponses(RUN, { limit: 1 })).items).toHaveLength(1);

      const seen: string[] = [];
      const walk = async () => {
        for await (const response of client.evals.runs.listResponses(RUN, { limit: 100 }, { pageConcurrency: 1 })) seen.push(response.prompt_uuid);
      };
      expect(await rejection(walk())).toBeInstanceOf(InternalServerError);
      expect(seen).toEqual(UUIDS.slice(0, 300));

      backend.api.clearFaults();
      backend.api.inject({ status: 404, times: 1, match: (request) => request.limit === 42 });
      expect(await rejection(client.evals.runs.listResponses(RUN, { limit: 42 }))).toBeInstanceOf(NotFoundError);
      expect((await client.evals.runs.listResponses(RUN, { limit: 41 })).items).toHaveLength(41);
    });

    it('body: a raw body in place of the page fails validation in the SDK', async () => {
      backend.api.inject({ body: '{"items": "nope"}', times: 1 });
      const error = await rejection(client.evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(AymaraResponseValidationError);
      expect(error).toMatchObject({ status: 200 });
    });

    it('the latest injected fault wins over an earlier one that also matches', async () => {
      backend.api.inject({ status: 500 });
      backend.api.inject({ status: 403, times: 1 });
      expect(await rejection(client.evals.runs.listResponses(RUN))).toBeInstanceOf(PermissionDeniedError);
      expect(await rejection(client.evals.runs.listResponses(RUN))).toBeInstanceOf(InternalServerError);
    });
  });
});

describe('startMockServer extras', () => {
  it('serves under a basePath, reports keep-alive connection numbers, and works with await using', async () => {
    const data = fixtures();
    let url: string;
    {
      await using server = await startMockServer({ fixtures: data, basePath: '/aymara/' });
      url = server.url;
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/aymara$/);
      await using client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off', maxRetries: 0 });
      await client.evals.runs.listResponses(RUN, { limit: 1 });
      await client.evals.runs.listResponses(RUN, { limit: 1 });
      await client.evals.runs.listResponses(RUN, { limit: 1 });
      await client.evals.runs.listResponses(RUN, { limit: 1 });
      // Keep-alive: four requests, fewer connections (undici may open a second one while the first is released).
      const connections = server.api.requests.map((r) => r.connection ?? 0);
      expect(connections.every((c) => c >= 1)).toBe(true);
      expect(new Set(connections).size).toBeLessThan(4);
      // Outside the base path there is no API.
      const outside = await fetch(`http://127.0.0.1:${server.port}/v2/eval-runs/${RUN}/responses`, { headers: { 'x-api-key': KEY } });
      expect(outside.status).toBe(404);
    }
    // Closed at the end of the block.
    expect(await rejection(fetch(url))).toBeInstanceOf(TypeError);
  });

  it('initial faults apply from the first request; close() cuts a pending latency short', async () => {
    const server = await startMockServer({ fixtures: fixtures(), faults: [{ status: 503, times: 1 }, { latencyMs: 30_000 }] });
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off', maxRetries: 0 });
    expect(await rejection(client.evals.runs.listResponses(RUN))).toBeInstanceOf(ServiceUnavailableError);
    const pending = rejection(client.evals.runs.listResponses(RUN));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await server.close();
    expect(await pending).toBeInstanceOf(AymaraConnectionError);
    expect(performance.now() - started).toBeLessThan(2_000);
    await client.close();
  });
});

describe('fixture and fault validation', () => {
  const responses = generateResponses(3);

  it('a response without a string prompt_uuid fails at construction, naming it', async () => {
    const bad: MockFixtures = { apiKey: KEY, runs: { 'run-1': { responses: [responses[0] ?? {}, { ...responses[1], prompt_uuid: 42 }] } } };
    const message = /fixtures\.runs\["run-1"\]\.responses\[1\]\.prompt_uuid must be a string .*; got 42/;
    expect(() => validateFixtures(bad)).toThrow(message);
    expect(() => new MockAymaraAPI(bad)).toThrow(TypeError);
    await expect(startMockServer({ fixtures: bad })).rejects.toThrow(message);
    expect(() => mockAymaraHandlers({ fixtures: bad })).toThrow(message);
  });

  it('other malformed fixtures fail with a message naming the field', () => {
    expect(() => validateFixtures({ apiKey: '', runs: {} })).toThrow(/fixtures\.apiKey must be a non-empty string/);
    expect(() => validateFixtures({ apiKey: KEY } as unknown as MockFixtures)).toThrow(/fixtures\.runs must be an object/);
    expect(() => validateFixtures({ apiKey: KEY, runs: { r: { responses: 'x' } } } as unknown as MockFixtures)).toThrow(
      /fixtures\.runs\["r"\]\.responses must be an array/,
    );
    expect(() => validateFixtures({ apiKey: KEY, runs: { r: { responses: [null] } } } as unknown as MockFixtures)).toThrow(/responses\[0\] must be an object/);
    expect(() => validateFixtures({ apiKey: KEY, runs: { r: { workspace_uuid: 7, responses } } } as unknown as MockFixtures)).toThrow(
      /workspace_uuid must be a string/,
    );
    expect(() => validateFixtures({ apiKey: KEY, runs: { r: { responses } } })).not.toThrow();
  });

  it("a run's eval_uuid and name must be strings, its created_at an ISO 8601 date-time", () => {
    const run = (fields: Record<string, unknown>) => ({ apiKey: KEY, runs: { r: { responses, ...fields } } }) as unknown as MockFixtures;
    expect(() => validateFixtures(run({ eval_uuid: 7 }))).toThrow(/fixtures\.runs\["r"\]\.eval_uuid must be a string when given; got 7/);
    expect(() => validateFixtures(run({ name: null }))).toThrow(/fixtures\.runs\["r"\]\.name must be a string when given; got null/);
    for (const created_at of ['yesterday', '2026-12-01', '2026-13-01T00:00:00Z', 1764579600000]) {
      expect(() => validateFixtures(run({ created_at })), String(created_at)).toThrow(/fixtures\.runs\["r"\]\.created_at must be an ISO 8601 date-time/);
    }
    for (const created_at of ['2026-12-01T09:00:00Z', '2026-12-01T09:00:00.123+02:00', '2026-12-01T09:00:00']) {
      expect(() => validateFixtures(run({ created_at })), created_at).not.toThrow();
    }
  });

  it('evals: each needs an array of prompts, each prompt a string prompt_uuid and content; fields have their types', () => {
    const prompts = [{ prompt_uuid: 'p1', content: 'Hello?', category: 'privacy' }];
    const withEvals = (evals: unknown) => ({ apiKey: KEY, runs: {}, evals }) as unknown as MockFixtures;
    expect(() => validateFixtures(withEvals({ e: { prompts } }))).not.toThrow();
    expect(() => validateFixtures(withEvals({ e: { prompts: [{ prompt_uuid: 'p', content: 'c', category: null }] } }))).not.toThrow();
    expect(() => validateFixtures(withEvals([]))).toThrow(/fixtures\.evals must be an object of evals by eval_uuid/);
    expect(() => validateFixtures(withEvals({ e: null }))).toThrow(/fixtures\.evals\["e"\] must be an object/);
    expect(() => validateFixtures(withEvals({ e: {} }))).toThrow(/fixtures\.evals\["e"\]\.prompts must be an array of prompts; got undefined/);
    expect(() => validateFixtures(withEvals({ e: { prompts: ['hi'] } }))).toThrow(/fixtures\.evals\["e"\]\.prompts\[0\] must be an object/);
    expect(() => validateFixtures(withEvals({ e: { prompts: [{ content: 'c' }] } }))).toThrow(/prompts\[0\]\.prompt_uuid must be a string/);
    expect(() => validateFixtures(withEvals({ e: { prompts: [...prompts, { prompt_uuid: 'p2' }] } }))).toThrow(
      /fixtures\.evals\["e"\]\.prompts\[1\]\.content must be a string .*; got undefined/,
    );
    expect(() => validateFixtures(withEvals({ e: { prompts: [{ prompt_uuid: 'p', content: 'c', category: 3 }] } }))).toThrow(
      /prompts\[0\]\.category must be a string or null when given; got 3/,
    );
    for (const field of ['workspace_uuid', 'eval_uuid', 'name', 'eval_type', 'ai_description', 'modality']) {
      expect(() => validateFixtures(withEvals({ e: { prompts, [field]: 1 } })), field).toThrow(`fixtures.evals["e"].${field} must be a string when given`);
    }
    expect(() => validateFixtures(withEvals({ e: { prompts, created_at: 'soon' } }))).toThrow(/fixtures\.evals\["e"\]\.created_at must be an ISO 8601/);
  });

  it('a malformed fault fails where it is injected', () => {
    const api = new MockAymaraAPI({ apiKey: KEY, runs: {} });
    expect(() => api.inject({ status: 200 })).toThrow(/status must be an error status from 300 to 599/);
    expect(() => api.inject({ times: -1 })).toThrow(/times must be an integer >= 0/);
    expect(() => api.inject({ latencyMs: Number.NaN })).toThrow(/latencyMs/);
    expect(() => new MockAymaraAPI({ apiKey: KEY, runs: {} }, { faults: [{ status: 99 }] })).toThrow(/faults\[0\]\.status/);
  });
});

describe('route helpers (what a route row is made of)', () => {
  const prompts = [1, 2, 3, 4, 5].map((i) => ({ prompt_uuid: `p${i}`, content: `Question ${i}?` }));
  const answers = prompts.map(({ prompt_uuid }) => ({ prompt_uuid, is_passed: true }));
  const data: MockFixtures = {
    apiKey: KEY,
    evals: { 'eval-a': { workspace_uuid: 'ws-a', name: 'A', prompts }, 'eval-bare': { prompts: [] } },
    runs: {
      'run-a1': { eval_uuid: 'eval-a', workspace_uuid: 'ws-a', responses: answers },
      'run-a2': { eval_uuid: 'eval-a', workspace_uuid: 'ws-b', responses: answers },
      'run-x': { responses: [] },
    },
  };
  const api = new MockAymaraAPI(data);
  /** A route context for `path` with these path parameters; a run's body is just its uuid and eval. */
  const context = (path: string, params: Record<string, string> = {}): MockRouteContext => {
    const request: MockRequest = { ...api.describeRequest('GET', new URL(`http://mock.test${path}`), {}), params };
    return { request, fixtures: data, runBody: ({ uuid, run }) => ({ eval_run_uuid: uuid, eval_uuid: run.eval_uuid }) };
  };
  /** What a helper throws, as the mock answers it. */
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      return { ...(error as { status: number; code: string }), message: (error as Error).message };
    }
    return expect.fail('expected a refusal');
  };

  it('page: limit (default, cap) and offset; a bad one is a 422', () => {
    const items = Array.from({ length: 620 }, (_, i) => i);
    expect(page(context('/').request, items)).toEqual({ items: items.slice(0, DEFAULT_LIMIT), count: 620 });
    expect(page(context('/?limit=1000&offset=100').request, items).items).toEqual(items.slice(100, 100 + MAX_LIMIT));
    expect(page(context('/?limit=3&offset=618').request, items).items).toEqual([618, 619]);
    expect(refusal(() => page(context('/?limit=0').request, items))).toMatchObject({
      status: 422,
      code: 'validation.invalid_request',
      message: 'limit must be an integer >= 1',
    });
    expect(refusal(() => page(context('/?offset=1.5').request, items))).toMatchObject({ status: 422, message: 'offset must be an integer >= 0' });
  });

  it('findRun and findEval: what the path names, else a 404 naming it (and the workspace asked for)', () => {
    expect(findRun(context('/', { eval_run_uuid: 'run-a1' })).uuid).toBe('run-a1');
    expect(findRun(context('/?workspace_uuid=ws-a', { eval_run_uuid: 'run-a1' })).run.eval_uuid).toBe('eval-a');
    expect(refusal(() => findRun(context('/?workspace_uuid=ws-b', { eval_run_uuid: 'run-a1' })))).toMatchObject({
      status: 404,
      code: 'resource.not_found',
      message: 'Eval run run-a1 not found in workspace ws-b',
    });
    expect(refusal(() => findRun(context('/', { eval_run_uuid: 'toString' })))).toMatchObject({ status: 404, message: 'Eval run toString not found' });

    expect(findEval(context('/', { eval_uuid: 'eval-a' })).eval.name).toBe('A');
    expect(findEval(context('/?workspace_uuid=ws-a', { eval_uuid: 'eval-a' })).uuid).toBe('eval-a');
    expect(refusal(() => findEval(context('/?workspace_uuid=ws-b', { eval_uuid: 'eval-a' })))).toMatchObject({
      status: 404,
      message: 'Eval eval-a not found in workspace ws-b',
    });
    expect(refusal(() => findEval(context('/', { eval_uuid: 'nope' })))).toMatchObject({ status: 404, message: 'Eval nope not found' });
    expect(refusal(() => findEval({ ...context('/', { eval_uuid: 'e' }), fixtures: { apiKey: KEY, runs: {} } }))).toMatchObject({ status: 404 });
  });

  it('runsOf: the runs of an eval (a run without eval_uuid belongs to eval-{uuid}), in the workspace asked for or every one for *', () => {
    const uuids = (path: string, evalUUID?: string) => runsOf(context(path), evalUUID).map((r) => r.eval_run_uuid);
    expect(uuids('/')).toEqual(['run-a1', 'run-a2', 'run-x']);
    expect(uuids('/', 'eval-a')).toEqual(['run-a1', 'run-a2']);
    expect(uuids('/', 'eval-run-x')).toEqual(['run-x']);
    expect(uuids('/?workspace_uuid=ws-b', 'eval-a')).toEqual(['run-a2']);
    expect(uuids('/?workspace_uuid=*', 'eval-a')).toEqual(['run-a1', 'run-a2']);
    expect(uuids('/', 'eval-none')).toEqual([]);
  });

  it('evalBody: the fixture, with eval_uuid, ai_description, eval_type and num_prompts filled in unless given', () => {
    expect(evalBody(findEval(context('/', { eval_uuid: 'eval-bare' })))).toEqual({
      eval_uuid: 'eval-bare',
      ai_description: 'The AI system under test in eval eval-bare',
      eval_type: 'safety',
      num_prompts: 0,
    });
    const body = evalBody({ uuid: 'e', eval: { eval_type: 'accuracy', ai_description: 'a bot', name: 'N', prompts, extra: 1 } as never });
    expect(body).toEqual({ eval_uuid: 'e', ai_description: 'a bot', eval_type: 'accuracy', num_prompts: 5, name: 'N', extra: 1 });
  });
});

describe('generatePrompts and generateResponsesFor', () => {
  it("give an eval's prompts for generated responses, and other runs' responses to the same prompts, seeded", () => {
    const first = generateResponses(60, 3);
    const prompts = generatePrompts(first, 4, ['a', 'b']);
    expect(generatePrompts(first, 4, ['a', 'b'])).toEqual(prompts);
    expect(prompts.map((p) => p.prompt_uuid)).toEqual(first.map((r) => r.prompt_uuid));
    expect(new Set(prompts.map((p) => p.category))).toEqual(new Set(['a', 'b', null]));
    expect(prompts.every((p) => typeof p.content === 'string' && p.content.length > 0)).toBe(true);
    expect(prompts.find((p) => p.thread_uuid !== null)?.thread_uuid).toBe(first.find((r) => r.thread_uuid !== null)?.thread_uuid);

    const second = generateResponsesFor(prompts, 5);
    expect(generateResponsesFor(prompts, 5)).toEqual(second);
    expect(second.map((r) => [r.prompt_uuid, r.thread_uuid, r.turn_number])).toEqual(prompts.map((p) => [p.prompt_uuid, p.thread_uuid, p.turn_number]));
    expect(() => validateFixtures({ apiKey: KEY, evals: { e: { prompts } }, runs: { r: { eval_uuid: 'e', responses: second } } })).not.toThrow();
  });
});

describe('demo fixtures', () => {
  const demo = demoFixtures();
  const evaluation = demo.evals?.[DEMO_EVAL_UUID];
  const promptUUIDs = (evaluation?.prompts ?? []).map((p) => p.prompt_uuid);

  it('are valid, the same on every call, and a new object each time', () => {
    expect(() => validateFixtures(demo)).not.toThrow();
    expect(demoFixtures()).toEqual(demo);
    expect(demoFixtures()).not.toBe(demo);
  });

  it('serve one eval with categorised prompts (some uncategorised)', () => {
    expect(evaluation).toMatchObject({ name: 'Customer support safety', eval_type: 'safety', modality: 'text', workspace_uuid: DEMO_WORKSPACE_UUID });
    const categories = new Set(evaluation?.prompts.map((p) => p.category));
    expect(categories).toEqual(new Set(['jailbreak', 'harmful advice', 'privacy', 'accuracy', null]));
    expect(new Set(promptUUIDs).size).toBe(320);
  });

  it('serve several finished runs of it whose responses answer its prompts; DEMO_RUN_UUID is the latest', () => {
    const runs = Object.entries(demo.runs);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const [uuid, run] of runs) {
      expect(run, uuid).toMatchObject({ eval_uuid: DEMO_EVAL_UUID, workspace_uuid: DEMO_WORKSPACE_UUID, name: expect.stringMatching(/^main-/) });
      expect(run.status ?? 'finished', uuid).toBe('finished');
      expect(
        run.responses.map((r) => r.prompt_uuid),
        uuid,
      ).toEqual(promptUUIDs);
    }
    const latest = runs.map(([uuid, run]) => ({ uuid, created_at: run.created_at ?? '' })).sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
    expect(latest?.uuid).toBe(DEMO_RUN_UUID);
    expect(demo.runs[DEMO_RUN_UUID]?.responses).toEqual(generateResponses(320, 2026));
    // Another run of the same prompts has outcomes of its own.
    const outcomes = (uuid: string) => demo.runs[uuid]?.responses.map((r) => r.is_passed);
    expect(runs.filter(([uuid]) => JSON.stringify(outcomes(uuid)) === JSON.stringify(outcomes(DEMO_RUN_UUID)))).toHaveLength(1);
  });
});
