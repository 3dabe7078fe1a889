import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AuthenticationError,
  AymaraAI,
  AymaraAbortError,
  AymaraAPIError,
  AymaraConnectionError,
  AymaraError,
  AymaraInputError,
  AymaraResponseValidationError,
  AymaraTimeoutError,
  InternalServerError,
  NotFoundError,
  type ClientOptions,
  type FetchLike,
  type Logger,
} from 'aymara-ai';
import { closedPortURL, json, rejectionOf, response, startServer, type TestServer } from './helpers/server.js';

const KEY = 'sk-SECRET-0123456789abcdef';
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

/** Every way a user (or their error reporter) might turn a value into text. */
function renderings(value: unknown): string[] {
  const out = [
    inspect(value, { depth: Infinity, showHidden: true }),
    inspect(value, { depth: Infinity, showHidden: true, customInspect: false }),
    String(value),
  ];
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch (error) {
    // A circular structure cannot be stringified; that is not a leak.
    out.push(String(error));
  }
  // The error, then its cause, and its cause's cause...
  const seen = new Set<unknown>();
  for (let e: unknown = value; e !== null && e !== undefined && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if (e instanceof Error) out.push(e.message, e.stack ?? '', JSON.stringify(e) ?? '', inspect(e, { depth: Infinity, showHidden: true }));
    else if (typeof e !== 'object') out.push(String(e));
  }
  return out;
}

function expectNoKey(value: unknown): void {
  for (const text of renderings(value)) expect(text).not.toContain(KEY);
}

const transports: [string, FetchLike | undefined][] = [
  ['default transport', undefined],
  ['fetch transport', (input, init) => globalThis.fetch(input, init)],
];

describe('the API key never leaks into objects the user can print', () => {
  it('is absent from util.inspect, JSON.stringify and String of the client', () => {
    const c = client({ baseURL: 'http://127.0.0.1:1' });
    expectNoKey(c);
    expect(inspect(c)).toContain('http://127.0.0.1:1');
  });

  describe.each(transports)('errors over the %s', (_, fetch) => {
    it.each([
      [401, AuthenticationError, 'auth.invalid_key'],
      [404, NotFoundError, 'resource.not_found'],
      [500, InternalServerError, 'server.internal_error'],
    ] as const)('an API error from a %i', async (status, ErrorClass, code) => {
      const server = await serve((_req, res) => json(res, status, { error: { code, message: `failed with ${status}`, details: {} }, request_id: 'req-1' }));
      const error = await rejectionOf(client({ baseURL: server.url, fetch, maxRetries: 0 }).evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(ErrorClass);
      expect((error as AymaraAPIError).status).toBe(status);
      expect(server.requests[0]?.headers['x-api-key']).toBe(KEY);
      expectNoKey(error);
    });

    it('a connection error from a refused port', async () => {
      const error = await rejectionOf(client({ baseURL: await closedPortURL(), fetch, maxRetries: 0 }).evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(AymaraConnectionError);
      expect((error as Error).cause).toBeDefined();
      expectNoKey(error);
    });

    it('a connection error from a reset', async () => {
      const server = await serve((req) => req.socket.destroy());
      const error = await rejectionOf(client({ baseURL: server.url, fetch, maxRetries: 0 }).evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(AymaraConnectionError);
      expectNoKey(error);
    });

    it('a timeout', async () => {
      const server = await serve(() => {
        // Never answers.
      });
      const error = await rejectionOf(client({ baseURL: server.url, fetch, maxRetries: 0, timeout: 100 }).evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(AymaraTimeoutError);
      expectNoKey(error);
    });

    it('an abort', async () => {
      const server = await serve(() => {
        // Never answers.
      });
      const controller = new AbortController();
      const call = client({ baseURL: server.url, fetch }).evals.runs.listResponses(RUN, {}, { signal: controller.signal });
      setTimeout(() => controller.abort(new Error(`user gave up`)), 50);
      const error = await rejectionOf(call);
      expect(error).toBeInstanceOf(AymaraAbortError);
      expectNoKey(error);
    });

    it('a response validation error', async () => {
      const server = await serve((_req, res) => json(res, 200, { items: [{ prompt_uuid: 42 }], count: 1 }));
      const error = await rejectionOf(client({ baseURL: server.url, fetch }).evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(AymaraResponseValidationError);
      expect((error as Error).cause).toBeDefined();
      expectNoKey(error);
    });

    it('a retried 503 that runs out of retries', async () => {
      const server = await serve((_req, res) => json(res, 503, 'unavailable', { 'retry-after-ms': '0' }));
      const error = await rejectionOf(client({ baseURL: server.url, fetch, maxRetries: 2 }).evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(InternalServerError);
      expect(server.requests).toHaveLength(3);
      expectNoKey(error);
    });

    it('an error thrown by user middleware, cause chain included', async () => {
      const server = await serve((_req, res) => json(res, 200, PAGE));
      const error = await rejectionOf(
        client({
          baseURL: server.url,
          fetch,
          middleware: [
            async () => {
              throw new Error('middleware broke');
            },
          ],
        }).evals.runs.listResponses(RUN),
      );
      expect(error).toBeInstanceOf(AymaraError);
      expectNoKey(error);
    });
  });

  it('an input error for a bad parameter', async () => {
    const c = client({ baseURL: 'http://127.0.0.1:1' });
    const error = await rejectionOf(c.evals.runs.listResponses(RUN, { limit: 0 }));
    expect(error).toBeInstanceOf(AymaraInputError);
    expectNoKey(error);
    const badOption = await rejectionOf(c.evals.runs.listResponses(RUN, {}, { timeout: -1 }));
    expect(badOption).toBeInstanceOf(AymaraInputError);
    expectNoKey(badOption);
  });

  it.each([`${KEY}\r\n`, `${KEY}\nX-Injected: 1`, `\r${KEY}`])('a construction error for a key with CR or LF does not echo the key (%j)', (apiKey) => {
    let error: unknown;
    try {
      new AymaraAI({ apiKey, baseURL: 'http://127.0.0.1:1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AymaraInputError);
    expectNoKey(error);
    // Not even a fragment of it.
    for (const text of renderings(error)) expect(text).not.toContain('0123456789abcdef');
  });
});

describe('a server that echoes the key back as the request id', () => {
  it('does not get it into a validation error (message, requestId, JSON, inspect) nor into debug log lines', async () => {
    const lines: string[] = [];
    const record = (...args: unknown[]) => void lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 5 }))).join(' '));
    const logger: Logger = { error: record, warn: record, info: record, debug: record };
    const server = await serve((req, res) =>
      json(res, 200, { items: [{ no_prompt_uuid: true }], count: 1 }, { 'x-request-id': String(req.headers['x-api-key']) }),
    );
    const error = await rejectionOf(client({ baseURL: server.url, logLevel: 'debug', logger, maxRetries: 0 }).evals.runs.listResponses(RUN));
    expect(error).toBeInstanceOf(AymaraResponseValidationError);
    expect((error as AymaraResponseValidationError).requestId).toBe('[redacted]');
    expectNoKey(error);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(KEY);
  });
});

describe('the API key never appears in log lines, even at debug', () => {
  function capture(): { logger: Logger; lines: string[] } {
    const lines: string[] = [];
    const sink =
      (level: string) =>
      (...args: unknown[]) => {
        lines.push(`${level} ${args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: Infinity, showHidden: true }))).join(' ')}`);
      };
    return { lines, logger: { error: sink('error'), warn: sink('warn'), info: sink('info'), debug: sink('debug') } };
  }

  const headerVariants: [string, Record<string, string> | undefined][] = [
    ['no key in defaultHeaders', undefined],
    ['the key also in defaultHeaders x-api-key', { 'x-api-key': KEY }],
    ['the key also in defaultHeaders Authorization', { Authorization: `Bearer ${KEY}` }],
    ['the key in both', { 'X-Api-Key': KEY, authorization: `Bearer ${KEY}` }],
  ];

  describe.each(headerVariants)('%s', (_, defaultHeaders) => {
    it('over a successful call, a retried 503 call and failing calls', async () => {
      let hits = 0;
      const server = await serve((req, res) => {
        hits += 1;
        if (req.url?.includes('fail')) json(res, 401, { error: { code: 'auth.invalid_key', message: 'bad key', details: {} }, request_id: 'r' });
        else if (req.url?.includes('retry') && hits % 2 === 1) json(res, 503, 'busy', { 'retry-after-ms': '0' });
        else json(res, 200, PAGE, { 'x-request-id': 'req-ok' });
      });
      const { logger, lines } = capture();
      const c = client({ baseURL: server.url, logLevel: 'debug', logger, defaultHeaders });

      await c.evals.runs.listResponses(RUN);
      hits = 0;
      await c.evals.runs.listResponses('retry-run');
      await expect(c.evals.runs.listResponses('fail-run')).rejects.toBeInstanceOf(AuthenticationError);
      const offline = client({ baseURL: await closedPortURL(), logLevel: 'debug', logger, defaultHeaders, maxRetries: 1 });
      await expect(offline.evals.runs.listResponses(RUN)).rejects.toBeInstanceOf(AymaraConnectionError);

      // The logs are real: debug lines with headers, an info/debug line per attempt, a retry warning.
      const text = lines.join('\n');
      expect(lines.length).toBeGreaterThanOrEqual(8);
      expect(text).toContain('user-agent');
      expect(text).toContain('req-ok');
      expect(text).toMatch(/^warn .*retrying/m);
      if (defaultHeaders) expect(text).toContain('[redacted]');
      expect(text).not.toContain(KEY);
      // The server did get the key (and the headers the user asked for).
      expect(server.requests.every((r) => r.headers['x-api-key'] === KEY)).toBe(true);
    });
  });
});

describe('redirects: the key goes only to the configured origin', () => {
  describe.each(transports)('%s', (_, fetch) => {
    it.each([301, 302, 303, 307, 308])('a %i to another origin is not followed', async (status) => {
      const other = await serve((_req, res) => json(res, 200, PAGE));
      const api = await serve((_req, res) => {
        res.writeHead(status, { location: `${other.url}/v2/eval-runs/${RUN}/responses` });
        res.end();
      });
      expect(new URL(other.url).origin).not.toBe(new URL(api.url).origin);
      const error = await rejectionOf(client({ baseURL: api.url, fetch }).evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(AymaraAPIError);
      expect((error as AymaraAPIError).status).toBe(status);
      expect((error as Error).message).toContain(other.url);
      expect(other.requests).toHaveLength(0);
      // A redirect is not a retryable status: one request only.
      expect(api.requests).toHaveLength(1);
      expectNoKey(error);
    });

    it.each([301, 302, 307, 308])('a same-origin %i is followed with the key', async (status) => {
      const api = await serve((req, res) => {
        if (req.url?.startsWith('/moved/')) return json(res, 200, PAGE, { 'x-request-id': 'req-moved' });
        res.writeHead(status, { location: `/moved${req.url}` });
        res.end();
      });
      const { data, requestId } = await client({ baseURL: api.url, fetch }).evals.runs.listResponses(RUN, { limit: 2 }).withResponse();
      expect(data.items.map((i) => i.prompt_uuid)).toEqual(['p-1', 'p-2']);
      expect(requestId).toBe('req-moved');
      expect(api.requests.map((r) => r.url)).toEqual([`/v2/eval-runs/${RUN}/responses?limit=2`, `/moved/v2/eval-runs/${RUN}/responses?limit=2`]);
      expect(api.requests.map((r) => r.headers['x-api-key'])).toEqual([KEY, KEY]);
    });

    it('a same-origin redirect given as an absolute URL is followed', async () => {
      const api = await serve((req, res) => {
        if (req.url === '/there') return json(res, 200, PAGE);
        res.writeHead(302, { location: `${api.url}/there` });
        res.end();
      });
      const page = await client({ baseURL: api.url, fetch }).evals.runs.listResponses(RUN);
      expect(page.items).toHaveLength(2);
      expect(api.requests[1]?.headers['x-api-key']).toBe(KEY);
    });

    it('a same-origin redirect to a URL with credentials is not followed, not retried, and never shows them', async () => {
      const PASSWORD = 'redirect-pass-4b3a2c1d';
      const lines: string[] = [];
      const record = (...args: unknown[]) => void lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 5 }))).join(' '));
      const logger: Logger = { error: record, warn: record, info: record, debug: record };
      const api = await serve((req, res) => {
        res.writeHead(307, { location: `http://alice:${PASSWORD}@${req.headers.host}/elsewhere` });
        res.end();
      });
      const error = await rejectionOf(client({ baseURL: api.url, fetch, logLevel: 'debug', logger }).evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(AymaraAPIError);
      expect((error as AymaraAPIError).status).toBe(307);
      expect((error as Error).message).toMatch(/credentials/);
      expect(api.requests).toHaveLength(1);
      for (const text of [...renderings(error), ...lines]) expect(text).not.toContain(PASSWORD);
      expect(lines.length).toBeGreaterThan(0);
    });

    it('an unfollowed redirect redacts the key a server echoed back in its headers, as other API errors do', async () => {
      const other = await serve((_req, res) => json(res, 200, PAGE));
      const crossOrigin = await serve((req, res) => {
        res.writeHead(302, { location: `${other.url}/x`, 'x-debug-echo': `key=${String(req.headers['x-api-key'])}` });
        res.end();
      });
      const endless = await serve((req, res) => {
        res.writeHead(307, { location: `/hop${req.url ?? ''}`, 'x-debug-echo': `key=${String(req.headers['x-api-key'])}` });
        res.end();
      });
      for (const api of [crossOrigin, endless]) {
        const error = await rejectionOf(client({ baseURL: api.url, fetch }).evals.runs.listResponses(RUN));
        expect(error).toBeInstanceOf(AymaraAPIError);
        expect((error as AymaraAPIError).headers.get('x-debug-echo')).toBe('key=[redacted]');
        expectNoKey(error);
      }
    });

    it('follows 5 same-origin redirects, and refuses the 6th', async () => {
      const redirecting = (limit: number) =>
        serve((req, res) => {
          const n = Number(/^\/hop\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
          if (n >= limit) return json(res, 200, PAGE);
          res.writeHead(307, { location: `/hop/${n + 1}` });
          res.end();
        });
      const five = await redirecting(5);
      await expect(client({ baseURL: five.url, fetch }).evals.runs.listResponses(RUN)).resolves.toMatchObject({ count: 2 });
      expect(five.requests).toHaveLength(6);

      const endless = await redirecting(Infinity);
      const error = await rejectionOf(client({ baseURL: endless.url, fetch }).evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(AymaraAPIError);
      expect((error as AymaraAPIError).status).toBe(307);
      expect(endless.requests).toHaveLength(6);
      expectNoKey(error);
    });
  });
});

describe('baseURL must be https unless loopback', () => {
  function spyFetch() {
    return vi.fn<FetchLike>(async () => new Response(JSON.stringify(PAGE), { status: 200, headers: { 'content-type': 'application/json' } }));
  }

  it.each(['http://example.com', 'http://api.aymara.ai', 'http://10.0.0.1:8080', 'http://localhost.example.com', 'http://127.0.0.1.example.com'])(
    'refuses %s at construction, before anything is sent',
    (baseURL) => {
      const fetch = spyFetch();
      expect(() => new AymaraAI({ apiKey: KEY, baseURL, fetch })).toThrow(AymaraInputError);
      expect(fetch).not.toHaveBeenCalled();
    },
  );

  it('refuses an insecure AYMARA_AI_BASE_URL too', () => {
    vi.stubEnv('AYMARA_AI_BASE_URL', 'http://example.com');
    try {
      expect(() => new AymaraAI({ apiKey: KEY })).toThrow(AymaraInputError);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('allows plain http with allowInsecureHTTP: true, and sends there', async () => {
    const fetch = spyFetch();
    const c = client({ baseURL: 'http://example.com', allowInsecureHTTP: true, fetch });
    expect(c.baseURL).toBe('http://example.com');
    await c.evals.runs.listResponses(RUN);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0]?.[0]).toBe(`http://example.com/v2/eval-runs/${RUN}/responses`);
  });

  it.each(['http://localhost:8080', 'http://127.0.0.1', 'http://127.1.2.3:9000', 'http://[::1]:3000', 'https://example.com'])('allows %s', (baseURL) => {
    expect(() => client({ baseURL })).not.toThrow();
  });

  it.each([
    ['the baseURL option', (baseURL: string) => new AymaraAI({ apiKey: KEY, baseURL, fetch: spyFetch() })],
    [
      'AYMARA_AI_BASE_URL',
      (baseURL: string) => {
        vi.stubEnv('AYMARA_AI_BASE_URL', baseURL);
        try {
          return new AymaraAI({ apiKey: KEY, fetch: spyFetch() });
        } finally {
          vi.unstubAllEnvs();
        }
      },
    ],
  ])('a URL with userinfo in %s is an AymaraInputError that never shows the credentials', (_where, construct) => {
    const PASSWORD = 'url-pass-9f8e7d6c';
    for (const baseURL of [
      `https://user:${PASSWORD}@api.example.com`,
      `https://:${PASSWORD}@api.example.com`,
      `http://${PASSWORD}@127.0.0.1:8080`,
      // Not even a valid URL: the message shows the value, but not what comes before the `@`.
      `https://user:${PASSWORD}@api.example.com:99999`,
      `https://user:pa/${PASSWORD}@api.example.com:99999`,
    ]) {
      let caught: unknown;
      try {
        construct(baseURL);
      } catch (error) {
        caught = error;
      }
      expect(caught, baseURL).toBeInstanceOf(AymaraInputError);
      expect((caught as Error).message).toMatch(/baseURL.*(credentials|not a valid URL: "\.\.\.@api\.example\.com:99999")/);
      for (const text of renderings(caught)) expect(text).not.toContain(PASSWORD);
    }
  });

  it('talks plain http to a loopback server', async () => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    await expect(client({ baseURL: server.url }).evals.runs.listResponses(RUN)).resolves.toMatchObject({ count: 2 });
  });
});

describe('user middleware never sees the key', () => {
  it.each(transports)('%s', async (_, fetch) => {
    const server = await serve((_req, res) => json(res, 200, PAGE));
    const seen: Record<string, string>[] = [];
    const c = client({
      baseURL: server.url,
      fetch,
      middleware: [
        async (request, next) => {
          seen.push({ ...request.headers });
          return next(request);
        },
      ],
    });
    await c.evals.runs.listResponses(RUN);
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toHaveProperty('x-api-key');
    expect(JSON.stringify(seen)).not.toContain(KEY);
    expect(seen[0]?.['user-agent']).toMatch(/aymara-ai/);
    expect(server.requests[0]?.headers['x-api-key']).toBe(KEY);
  });
});

describe('browser guard', () => {
  const g = globalThis as { window?: unknown; document?: unknown };

  function withBrowserGlobals(run: () => void): void {
    const had = { window: 'window' in g, document: 'document' in g };
    const saved = { window: g.window, document: g.document };
    g.window = {};
    g.document = {};
    try {
      run();
    } finally {
      if (had.window) g.window = saved.window;
      else delete g.window;
      if (had.document) g.document = saved.document;
      else delete g.document;
    }
  }

  it('refuses to construct in a browser without dangerouslyAllowBrowser', () => {
    withBrowserGlobals(() => {
      let error: unknown;
      try {
        new AymaraAI({ apiKey: KEY, baseURL: 'https://api.aymara.ai' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AymaraInputError);
      expect((error as Error).message).toMatch(/browser/);
      expect((error as Error).message).toMatch(/dangerouslyAllowBrowser/);
      expectNoKey(error);
      expect(() => new AymaraAI({ apiKey: KEY, dangerouslyAllowBrowser: false })).toThrow(AymaraInputError);
    });
    expect('window' in g).toBe(false);
    expect('document' in g).toBe(false);
  });

  it('constructs in a browser with dangerouslyAllowBrowser: true', () => {
    withBrowserGlobals(() => {
      expect(() => new AymaraAI({ apiKey: KEY, dangerouslyAllowBrowser: true })).not.toThrow();
    });
  });

  it('does not treat Node (no window/document) as a browser', () => {
    expect(() => new AymaraAI({ apiKey: KEY })).not.toThrow();
  });
});
