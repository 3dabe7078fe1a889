import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Agent, MockAgent, type Dispatcher } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AymaraAI, AymaraError, InternalServerError, NotFoundError, type AymaraRequest, type ClientOptions, type FetchLike, type Middleware } from 'aymara-ai';
import { json, response, startServer, type TestServer } from './helpers/server.js';

const KEY = 'mw-test-key';
const RUN = 'run-1';
const PAGE = { items: [response(1), response(2)], count: 2 };

const servers: TestServer[] = [];
const clients: AymaraAI[] = [];

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

function client(options: ClientOptions): AymaraAI {
  const c = new AymaraAI({ apiKey: KEY, logLevel: 'off', ...options });
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** 503 (retry-after-ms: 0) for the first `failures` requests, then the page. */
function flaky(failures: number) {
  let hits = 0;
  return serve((_req, res) => {
    hits += 1;
    if (hits <= failures) json(res, 503, 'busy', { 'retry-after-ms': '0' });
    else json(res, 200, PAGE, { 'x-request-id': `req-${hits}` });
  });
}

const transports: [string, FetchLike | undefined][] = [
  ['default transport', undefined],
  ['fetch transport', (input, init) => globalThis.fetch(input, init)],
];

describe.each(transports)('user middleware (%s)', (_, fetch) => {
  it('runs once per attempt: 3 times for a call retried twice', async () => {
    const server = await flaky(2);
    const attempts: number[] = [];
    const statuses: number[] = [];
    const mw: Middleware = async (request, next) => {
      attempts.push(request.attempt);
      const res = await next(request);
      statuses.push(res.status);
      return res;
    };
    const page = await client({ baseURL: server.url, fetch, middleware: [mw] }).evals.runs.listResponses(RUN);
    expect(page.items).toHaveLength(2);
    expect(attempts).toEqual([1, 2, 3]);
    expect(statuses).toEqual([503, 503, 200]);
    expect(server.requests).toHaveLength(3);
  });

  it('runs in the given order, outermost first', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    const trace: string[] = [];
    const named =
      (name: string): Middleware =>
      async (request, next) => {
        trace.push(`${name} in`);
        const res = await next(request);
        trace.push(`${name} out`);
        return res;
      };
    await client({ baseURL: server.url, fetch, middleware: [named('a'), named('b'), named('c')] }).evals.runs.listResponses(RUN);
    expect(trace).toEqual(['a in', 'b in', 'c in', 'c out', 'b out', 'a out']);
  });

  it('can add a request header that the server receives', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    const addTrace: Middleware = (request, next) => next({ ...request, headers: { ...request.headers, 'x-trace-id': 'trace-42' } });
    await client({ baseURL: server.url, fetch, middleware: [addTrace] }).evals.runs.listResponses(RUN);
    expect(server.requests[0]?.headers['x-trace-id']).toBe('trace-42');
    // The key is still added after the user's middleware.
    expect(server.requests[0]?.headers['x-api-key']).toBe(KEY);
  });

  it('sees the request the client built', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    const seen: AymaraRequest[] = [];
    await client({
      baseURL: server.url,
      fetch,
      defaultHeaders: { 'X-Team': 'evals' },
      middleware: [
        (request, next) => {
          seen.push(request);
          return next(request);
        },
      ],
    }).evals.runs.listResponses(RUN, { limit: 2 }, { headers: { 'x-call': 'yes' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('GET');
    expect(seen[0]?.url).toBe(`${server.url}/v2/eval-runs/${RUN}/responses?limit=2`);
    expect(seen[0]?.headers).toMatchObject({ accept: 'application/json', 'x-team': 'evals', 'x-call': 'yes' });
  });

  it('can read and replace the response body', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE, { 'x-request-id': 'req-orig' }));
    let seenBody = '';
    let seenRequestId: string | undefined;
    const rewrite: Middleware = async (request, next) => {
      const res = await next(request);
      seenBody = res.body;
      seenRequestId = res.headers['x-request-id'];
      return { ...res, body: JSON.stringify({ items: [response(99)], count: 1 }) };
    };
    const page = await client({ baseURL: server.url, fetch, middleware: [rewrite] }).evals.runs.listResponses(RUN);
    expect(JSON.parse(seenBody)).toEqual(PAGE);
    expect(seenRequestId).toBe('req-orig');
    expect(page.items.map((i) => i.prompt_uuid)).toEqual(['p-99']);
    expect(page.count).toBe(1);
  });

  it('can turn a success into an error status, and the client treats it as one', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    const toNotFound: Middleware = async (request, next) => {
      await next(request);
      return {
        status: 404,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ error: { code: 'resource.not_found', message: 'hidden', details: {} }, request_id: 'req-mw' }),
      };
    };
    const error = await client({ baseURL: server.url, fetch, middleware: [toNotFound] })
      .evals.runs.listResponses(RUN)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).requestId).toBe('req-mw');
  });

  it('a replaced 5xx status is retried like a real one', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    let calls = 0;
    const failFirst: Middleware = async (request, next) => {
      const res = await next(request);
      calls += 1;
      return calls === 1 ? { ...res, status: 500, headers: { ...res.headers, 'retry-after-ms': '0' }, body: 'oops' } : res;
    };
    const page = await client({ baseURL: server.url, fetch, middleware: [failFirst] }).evals.runs.listResponses(RUN);
    expect(page.items).toHaveLength(2);
    expect(server.requests).toHaveLength(2);
  });

  it('can answer without calling next', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    const cache: Middleware = async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [], count: 0 }) });
    const page = await client({ baseURL: server.url, fetch, middleware: [cache] }).evals.runs.listResponses(RUN);
    expect(page.count).toBe(0);
    expect(server.requests).toHaveLength(0);
  });

  it('calling next twice fails with an AymaraError', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    const twice: Middleware = async (request, next) => {
      await next(request);
      return next(request);
    };
    const call = client({ baseURL: server.url, fetch, middleware: [twice] }).evals.runs.listResponses(RUN);
    await expect(call).rejects.toBeInstanceOf(AymaraError);
    await expect(call).rejects.toThrow(/next\(\) more than once/);
    expect(server.requests).toHaveLength(1);
  });

  it('a plain Error thrown by middleware surfaces as an AymaraError with the cause', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    const boom = new Error('boom in middleware');
    const broken = vi.fn<Middleware>(async () => {
      throw boom;
    });
    const error = await client({ baseURL: server.url, fetch, middleware: [broken] })
      .evals.runs.listResponses(RUN)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AymaraError);
    expect((error as Error).cause).toBe(boom);
    expect((error as Error).message).toContain('boom in middleware');
    // A bug in the user's code is not a network fault: it is not retried.
    expect(broken).toHaveBeenCalledTimes(1);
    expect(server.requests).toHaveLength(0);
  });

  it('a non-Error thrown by middleware surfaces as an AymaraError too', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    const error = await client({
      baseURL: server.url,
      fetch,
      middleware: [
        async () => {
          throw 'a string';
        },
      ],
    })
      .evals.runs.listResponses(RUN)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AymaraError);
    expect((error as Error).cause).toBe('a string');
  });
});

describe('closing the client', () => {
  /** A server that records the sockets of the requests it answers. */
  async function socketServer() {
    const sockets: Socket[] = [];
    const server = await serve((req: IncomingMessage, res) => {
      sockets.push(req.socket);
      json(res, 200, PAGE);
    });
    return { server, sockets };
  }

  it('keeps the connection alive between calls (one socket for two calls)', async () => {
    const { server, sockets } = await socketServer();
    const c = client({ baseURL: server.url });
    await c.evals.runs.listResponses(RUN);
    await c.evals.runs.listResponses(RUN);
    expect(sockets).toHaveLength(2);
    expect(new Set(sockets).size).toBe(1);
  });

  it('close() ends the client: a later call rejects at once with AymaraError and sends nothing', async () => {
    const { server } = await socketServer();
    const c = client({ baseURL: server.url });
    await c.evals.runs.listResponses(RUN);
    await c.close();
    const error = await c.evals.runs.listResponses(RUN).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AymaraError);
    expect(String((error as Error).message)).toMatch(/client is closed/);
    await expect(c.evals.runs.get(RUN)).rejects.toThrow(/client is closed/);
    expect(server.requests).toHaveLength(1);
  });

  it('close() can be called twice, and on a client that never sent', async () => {
    const c = client({ baseURL: 'http://127.0.0.1:1' });
    await expect(c.close()).resolves.toBeUndefined();
    await expect(c.close()).resolves.toBeUndefined();
  });

  it('`await using` closes the client at the end of the scope', async () => {
    const { server } = await socketServer();
    let kept: AymaraAI | undefined;
    {
      await using c = new AymaraAI({ apiKey: KEY, baseURL: server.url });
      kept = c;
      await c.evals.runs.listResponses(RUN);
    }
    await expect(kept.evals.runs.listResponses(RUN)).rejects.toThrow(/client is closed/);
    expect(server.requests).toHaveLength(1);
  });

  it('`await using` closes the client when the scope throws', async () => {
    const { server } = await socketServer();
    let kept: AymaraAI | undefined;
    await expect(
      (async () => {
        await using c = new AymaraAI({ apiKey: KEY, baseURL: server.url });
        kept = c;
        await c.evals.runs.listResponses(RUN);
        throw new Error('user code failed');
      })(),
    ).rejects.toThrow('user code failed');
    await expect((kept as AymaraAI).evals.runs.listResponses(RUN)).rejects.toThrow(/client is closed/);
  });
});

describe('the dispatcher option', () => {
  it('sends through the given undici Agent', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    const agent = new Agent();
    const dispatch = vi.spyOn(agent, 'dispatch');
    try {
      const page = await client({ baseURL: server.url, dispatcher: agent }).evals.runs.listResponses(RUN, { limit: 2 });
      expect(page.items).toHaveLength(2);
      expect(dispatch).toHaveBeenCalledTimes(1);
      const [options] = dispatch.mock.calls[0] as [Dispatcher.DispatchOptions, Dispatcher.DispatchHandler];
      expect(String(options.origin)).toBe(server.url);
      expect(options.path).toBe(`/v2/eval-runs/${RUN}/responses?limit=2`);
    } finally {
      await agent.close();
    }
  });

  it('close() leaves a dispatcher the user passed open', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    const agent = new Agent();
    try {
      const c = client({ baseURL: server.url, dispatcher: agent });
      await c.evals.runs.listResponses(RUN);
      await c.close();
      // The agent still works for its owner.
      const other = client({ baseURL: server.url, dispatcher: agent });
      await expect(other.evals.runs.listResponses(RUN)).resolves.toMatchObject({ count: 2 });
    } finally {
      await agent.close();
    }
  });

  it('works with a MockAgent and no network at all', async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    mock
      .get('https://api.aymara.ai')
      .intercept({ path: `/v2/eval-runs/${RUN}/responses`, method: 'GET', headers: { 'x-api-key': KEY } })
      .reply(200, { items: [response(7)], count: 1 }, { headers: { 'content-type': 'application/json', 'x-request-id': 'req-mock' } });
    try {
      const { data, requestId } = await client({ baseURL: 'https://api.aymara.ai', dispatcher: mock }).evals.runs.listResponses(RUN).withResponse();
      expect(data.items.map((i) => i.prompt_uuid)).toEqual(['p-7']);
      expect(requestId).toBe('req-mock');
      mock.assertNoPendingInterceptors();
    } finally {
      await mock.close();
    }
  });
});

describe.each(transports)('withResponse() (%s)', (_, fetch) => {
  it('gives the page, a WHATWG Response with readable headers, and the request id', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE, { 'x-request-id': 'req-with-1', 'x-ratelimit-remaining': '41' }));
    const { data, response: raw, requestId } = await client({ baseURL: server.url, fetch }).evals.runs.listResponses(RUN).withResponse();
    expect(data.items.map((i) => i.prompt_uuid)).toEqual(['p-1', 'p-2']);
    expect(data.count).toBe(2);
    expect(requestId).toBe('req-with-1');
    expect(raw).toBeInstanceOf(Response);
    expect(raw.status).toBe(200);
    expect(raw.ok).toBe(true);
    expect(raw.headers.get('x-request-id')).toBe('req-with-1');
    expect(raw.headers.get('X-RateLimit-Remaining')).toBe('41');
    expect(raw.headers.get('content-type')).toBe('application/json');
  });

  it('requestId is undefined when the API sends none', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    const { requestId, data } = await client({ baseURL: server.url, fetch }).evals.runs.listResponses(RUN).withResponse();
    expect(requestId).toBeUndefined();
    expect(data.count).toBe(2);
  });

  it('the page from withResponse() still pages on', async () => {
    const server = await serve((req, res) => {
      const offset = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('offset') ?? 0);
      json(res, 200, { items: [response(offset + 1)], count: 2 });
    });
    const { data } = await client({ baseURL: server.url, fetch }).evals.runs.listResponses(RUN, { limit: 1 }).withResponse();
    expect(data.hasNextPage()).toBe(true);
    const next = await data.getNextPage();
    expect(next.items.map((i) => i.prompt_uuid)).toEqual(['p-2']);
  });

  it('rejects with the API error like await does', async () => {
    const server = await serve((_req, res) => json(res, 500, { error: { code: 'server.internal_error', message: 'x', details: {} }, request_id: 'r' }));
    await expect(client({ baseURL: server.url, fetch, maxRetries: 0 }).evals.runs.listResponses(RUN).withResponse()).rejects.toBeInstanceOf(
      InternalServerError,
    );
  });
});
