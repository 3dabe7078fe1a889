/**
 * Property-based tests (fast-check): whatever the server answers, whatever the caller passes, the client
 * throws only AymaraError subclasses, never hangs past its timeout, never leaks the key, and never sends
 * a request for input it rejects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  AymaraAI,
  AymaraAPIError,
  AymaraConnectionError,
  AymaraError,
  AymaraInputError,
  AymaraResponseValidationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  KNOWN_ERROR_CODES,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  UnprocessableEntityError,
  type FetchLike,
} from 'aymara-ai';
import { retryAfterDelay } from '../../src/core/retry.js';
import { within } from '../helpers/fault-server.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { attemptCounter, leaksKey, SECRET_KEY } from './support.js';

/** Runs per property: enough to find the odd case, few enough to keep the file fast. */
const RUNS = 150;
/** No single call may take longer than this (the client's timeout is 1 s, retries wait 0 ms here). */
const CALL_BOUND = 3_000;

// ---------------------------------------------------------------------------------------------------------
// A loopback server whose next answer each property run sets.

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const EMPTY_PAGE: Answer = { status: 200, headers: {}, body: '{"items":[],"count":0}' };
/** Answers for the next requests, in order; then `answer` for every request. */
let queue: Answer[] = [];
let answer: Answer = EMPTY_PAGE;
let server: TestServer;

function serve(_req: IncomingMessage, res: ServerResponse): void {
  const next = queue.shift() ?? answer;
  try {
    res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
    res.end(next.body);
  } catch (error) {
    // A generated header node refuses to send would be a bug in the generator, not in the client.
    res.destroy(error as Error);
  }
}

beforeAll(async () => {
  server = await startServer(serve);
});
afterAll(async () => {
  await server.close();
});

// ---------------------------------------------------------------------------------------------------------
// The SPEC 6 table, written out independently of src/core/errors.ts, as the oracle.

type ErrorClass = abstract new (...args: never[]) => Error;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The envelope's code when `body` is the API's error envelope `{ error: { code, message, details? }, request_id? }`. */
function envelopeOf(body: string): { code: string; requestId: string } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isPlainObject(json) || !isPlainObject(json.error)) return undefined;
  const { code, message, details } = json.error;
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  if (details !== undefined && !isPlainObject(details)) return undefined;
  if (json.request_id !== undefined && typeof json.request_id !== 'string') return undefined;
  return { code, requestId: (json.request_id as string | undefined) ?? '' };
}

function expectedClass(status: number, code: string | undefined): ErrorClass {
  switch (code) {
    case 'auth.invalid_key':
    case 'auth.expired_key':
      return AuthenticationError;
    case 'auth.insufficient_permissions':
      return PermissionDeniedError;
    case 'validation.invalid_request':
    case 'validation.invalid_format':
      return status === 422 ? UnprocessableEntityError : BadRequestError;
    case 'resource.not_found':
      return NotFoundError;
    case 'resource.conflict':
      return ConflictError;
    case 'quota.limit_exceeded':
      return RateLimitError;
    case 'server.internal_error':
      return InternalServerError;
  }
  const byStatus: Record<number, ErrorClass> = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    503: ServiceUnavailableError,
  };
  return byStatus[status] ?? (status >= 500 ? InternalServerError : AymaraAPIError);
}

/** No lone surrogate (String.prototype.isWellFormed, which the ES2023 lib does not type). */
const wellFormed = (s: string): boolean => !/[\uD800-\uDFFF]/u.test(s);

const isRetryable = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;
/** Statuses that carry no body on the wire. */
const NO_BODY = new Set([204, 205, 304]);

// ---------------------------------------------------------------------------------------------------------
// Generators.

// Two statuses fetch handles itself, as the Fetch standard says: a server's 407 becomes a network error with no
// headers or body, which the SDK reports as a bare 407 (test/transport/proxy.test.ts), and a 421 on a reused
// connection is sent again on a new one.
const FETCH_HANDLES = new Set([407, 421]);
const status = fc.integer({ min: 200, max: 599 }).filter((s) => !FETCH_HANDLES.has(s));

const scoredResponse = fc.record(
  {
    prompt_uuid: fc.string(),
    is_passed: fc.option(fc.boolean()),
    content: fc.oneof(fc.string(), fc.constant(null), fc.record({ file_uuid: fc.option(fc.string()), remote_file_path: fc.option(fc.string()) })),
    content_type: fc.string(),
    turn_number: fc.integer(),
    extra_field: fc.jsonValue(),
  },
  { requiredKeys: ['prompt_uuid'] },
);

const envelope = fc.record(
  {
    error: fc.record(
      {
        code: fc.oneof(fc.constantFrom(...KNOWN_ERROR_CODES), fc.string()),
        message: fc.string(),
        details: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
      },
      { requiredKeys: ['code', 'message'] },
    ),
    request_id: fc.string(),
  },
  { requiredKeys: ['error'] },
);

/** Bodies: any JSON, any value serialized, any string, valid pages, error envelopes. */
const body = fc.oneof(
  fc.json(),
  fc.anything().map((v) => JSON.stringify(v) ?? ''),
  fc.string({ unit: 'binary' }),
  fc.record({ items: fc.array(scoredResponse, { maxLength: 5 }), count: fc.integer() }).map((v) => JSON.stringify(v)),
  envelope.map((v) => JSON.stringify(v)),
  fc.constant(''),
);

/** Header values node will send (field-value characters). */
const headerValue = fc.string({ unit: 'binary-ascii' }).map((s) => s.replace(/[^\t\x20-\x7e]/g, '').trim());

async function outcome(call: PromiseLike<unknown>): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await within(call, CALL_BOUND) };
  } catch (error) {
    return { ok: false, error };
  }
}

function assertTyped(error: unknown): void {
  if (error instanceof Error && /did not settle within/.test(error.message)) throw error;
  expect(error).toBeInstanceOf(AymaraError);
  expect(leaksKey(error)).toBe(false);
}

// ---------------------------------------------------------------------------------------------------------

describe('random answers from a loopback server (default client)', () => {
  it('any status 200-599 with any body: a page or the right AymaraError, one attempt, no leak, no hang', async () => {
    const client = new AymaraAI({ apiKey: SECRET_KEY, baseURL: server.url, logLevel: 'off', timeout: 1_000, maxRetries: 0 });
    try {
      await fc.assert(
        fc.asyncProperty(status, body, fc.option(headerValue), async (s, b, requestIdHeader) => {
          answer = { status: s, headers: requestIdHeader ? { 'x-request-id': requestIdHeader } : {}, body: NO_BODY.has(s) ? '' : b };
          const before = server.requests.length;
          const result = await outcome(client.evals.runs.listResponses('run-1'));
          expect(server.requests.length - before).toBe(1);
          if (result.ok) {
            expect(s).toBeGreaterThanOrEqual(200);
            expect(s).toBeLessThan(300);
            return;
          }
          assertTyped(result.error);
          const sentBody = answer.body;
          if (s >= 200 && s < 300) {
            expect(result.error).toBeInstanceOf(AymaraResponseValidationError);
            expect((result.error as AymaraResponseValidationError).status).toBe(s);
            return;
          }
          const env = envelopeOf(sentBody);
          const code = env && (KNOWN_ERROR_CODES as readonly string[]).includes(env.code) ? env.code : undefined;
          const error = result.error as AymaraAPIError;
          expect(error.constructor).toBe(expectedClass(s, code));
          expect(error.status).toBe(s);
          expect(error.code).toBe(env?.code);
          expect(error.requestId).toBe(env?.requestId || requestIdHeader || undefined);
        }),
        { numRuns: RUNS },
      );
    } finally {
      await client.close();
    }
  });

  it('retryable statuses are retried exactly maxRetries times, the others never', async () => {
    const counter = attemptCounter();
    const client = new AymaraAI({ apiKey: SECRET_KEY, baseURL: server.url, logLevel: 'off', timeout: 1_000, maxRetries: 1, middleware: [counter.middleware] });
    try {
      await fc.assert(
        fc.asyncProperty(status, body, async (s, b) => {
          // retry-after-ms 0 keeps the retries instant.
          answer = { status: s, headers: { 'retry-after-ms': '0' }, body: NO_BODY.has(s) ? '' : b };
          const before = counter.attempts;
          const seen = server.requests.length;
          const result = await outcome(client.evals.runs.listResponses('run-1'));
          if (!result.ok) assertTyped(result.error);
          const attempts = isRetryable(s) ? 2 : 1;
          expect(counter.attempts - before).toBe(attempts);
          expect(server.requests.length - seen).toBe(attempts);
        }),
        { numRuns: RUNS },
      );
    } finally {
      await client.close();
    }
  });

  it('a 3xx with any Location: followed only to the same origin, never elsewhere, always an AymaraError or the page', async () => {
    const other = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"items":[],"count":0}');
    });
    const client = new AymaraAI({ apiKey: SECRET_KEY, baseURL: server.url, logLevel: 'off', timeout: 1_000, maxRetries: 0 });
    const origin = new URL(server.url).origin;
    const location = fc
      .oneof(
        headerValue,
        fc.constantFrom(
          '/v2/eval-runs/run-1/responses?moved=1',
          `${other.url}/v2/eval-runs/run-1/responses`,
          `http://localhost:${new URL(server.url).port}/x`,
          'http://[::1',
          '//127.0.0.1:1/x',
          '',
        ),
        fc.webPath(),
      )
      // Only loopback targets, so that even a client bug could not send traffic off this machine.
      .filter((loc) => {
        try {
          return ['127.0.0.1', 'localhost'].includes(new URL(loc, origin).hostname);
        } catch {
          return true;
        }
      });
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(301, 302, 303, 307, 308), location, async (s, loc) => {
          // The first answer is the redirect; whatever follows it (on this server) is a valid page.
          answer = EMPTY_PAGE;
          queue = [{ status: s, headers: { location: loc }, body: '' }];
          const before = server.requests.length;
          const otherBefore = other.requests.length;
          const result = await outcome(client.evals.runs.listResponses('run-1'));
          queue = [];
          expect(other.requests.length - otherBefore).toBe(0);
          let target: URL | undefined;
          try {
            target = loc === '' ? undefined : new URL(loc, `${server.url}/v2/eval-runs/run-1/responses`);
          } catch {
            target = undefined;
          }
          const followed = target?.origin === origin;
          expect(result.ok).toBe(followed);
          expect(server.requests.length - before).toBe(followed ? 2 : 1);
          if (followed) expect(server.requests.at(-1)?.headers['x-api-key']).toBe(SECRET_KEY);
          if (!result.ok) {
            assertTyped(result.error);
            expect((result.error as Error).constructor).toBe(AymaraAPIError);
            expect((result.error as AymaraAPIError).status).toBe(s);
          }
        }),
        { numRuns: 100 },
      );
    } finally {
      await client.close();
      await other.close();
    }
  });
});

describe('random answers from a user `fetch` (fetch transport)', () => {
  it('any Response, or any thrown value, from fetch: a page or an AymaraError, no leak, no hang', async () => {
    let next: () => Promise<Response> = async () => new Response('');
    const fetchFn: FetchLike = () => next();
    const client = new AymaraAI({ apiKey: SECRET_KEY, baseURL: 'http://127.0.0.1:9', logLevel: 'off', timeout: 1_000, maxRetries: 0, fetch: fetchFn });
    const thrown = fc.oneof(
      fc.anything({ withNullPrototype: true, withBigInt: true, withMap: true, withSet: true }),
      fc.string().map((m) => new Error(m)),
      fc.string().map((m) => new TypeError(m, { cause: { code: m } })),
    );
    const behaviour = fc.oneof(
      fc.tuple(status, body, fc.dictionary(fc.constantFrom('x-request-id', 'retry-after', 'retry-after-ms', 'content-type', 'location'), headerValue)).map(
        ([s, b, h]) =>
          () =>
            Promise.resolve(new Response(NO_BODY.has(s) ? null : b, { status: s, headers: h })),
      ),
      thrown.map((value) => () => Promise.reject(value)),
      thrown.map((value) => () => {
        throw value;
      }),
      fc.anything().map((value) => () => Promise.resolve(value as Response)),
    );
    try {
      await fc.assert(
        fc.asyncProperty(behaviour, async (b) => {
          next = b;
          const result = await outcome(client.evals.runs.listResponses('run-1'));
          if (!result.ok) assertTyped(result.error);
        }),
        { numRuns: 300 },
      );
    } finally {
      await client.close();
    }
  });
});

describe('Retry-After parsing', () => {
  it('any retry-after / retry-after-ms values give no wait (undefined) or a wait in [0, 60 s]', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer().map(String),
      fc.double().map(String),
      fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
    );
    fc.assert(
      fc.property(
        fc.option(value, { nil: undefined }),
        fc.option(value, { nil: undefined }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (ms, after, now) => {
          const headers: Record<string, string> = {};
          if (ms !== undefined) headers['retry-after-ms'] = ms;
          if (after !== undefined) headers['retry-after'] = after;
          const delay = retryAfterDelay(headers, now);
          if (delay !== undefined) {
            expect(Number.isFinite(delay)).toBe(true);
            expect(delay).toBeGreaterThanOrEqual(0);
            expect(delay).toBeLessThanOrEqual(60_000);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// Input validation: valid input sends exactly what was given; invalid input sends nothing.

/** Values a caller might pass by mistake, and good ones. */
const anyValue = fc.oneof(
  fc.integer({ min: -3, max: 1_000 }),
  fc.double(),
  fc.constantFrom(0, -0, 1, 2 ** 53, 1e21, Number.NaN, Infinity, -Infinity, '1', '', 'abc', null, true, [], {}),
  fc.string({ unit: 'binary' }).filter(wellFormed),
  fc.anything(),
  fc.constant(undefined),
);

/** SPEC 4 for a query parameter, written out as the oracle. */
function validParam(name: string, value: unknown): boolean {
  if (value === undefined) return true;
  if (name === 'limit') return Number.isSafeInteger(value) && (value as number) >= 1;
  if (name === 'offset') return Number.isSafeInteger(value) && (value as number) >= 0;
  return typeof value === 'string' && value.length > 0;
}

const runUUID = fc.oneof(
  // Well-formed strings; lone surrogates have their own tests below (a known defect).
  fc.string({ unit: 'binary' }).filter(wellFormed),
  fc.constantFrom('run-1', '.', '..', '', '...', 'a/b', '%2e%2e', '../admin', '?x=1', '#frag', ' '),
  fc.anything(),
);

describe('random listResponses input', () => {
  it('valid parameters are sent exactly as given; invalid ones throw AymaraInputError before any request', async () => {
    const client = new AymaraAI({ apiKey: SECRET_KEY, baseURL: server.url, logLevel: 'off', timeout: 1_000, maxRetries: 0 });
    answer = { status: 200, headers: {}, body: '{"items":[],"count":0}' };
    const params = fc.record({ limit: anyValue, offset: anyValue, workspace_uuid: anyValue }, { requiredKeys: [] });
    try {
      await fc.assert(
        fc.asyncProperty(runUUID, params, async (uuid, p) => {
          const before = server.requests.length;
          const valid =
            typeof uuid === 'string' && uuid !== '' && uuid !== '.' && uuid !== '..' && Object.entries(p).every(([name, value]) => validParam(name, value));
          const result = await outcome(client.evals.runs.listResponses(uuid as string, p as never));
          if (!valid) {
            expect(result.ok).toBe(false);
            if (!result.ok) {
              expect(result.error).toBeInstanceOf(AymaraInputError);
              expect(leaksKey(result.error)).toBe(false);
            }
            expect(server.requests.length).toBe(before);
            return;
          }
          expect(result.ok).toBe(true);
          expect(server.requests.length).toBe(before + 1);
          const sent = new URL(server.requests[before]?.url ?? '', server.url);
          expect(sent.pathname).toBe(`/v2/eval-runs/${encodeURIComponent(uuid as string)}/responses`);
          const expected = Object.entries(p)
            .filter(([, value]) => value !== undefined)
            .map(([name, value]) => [name, String(value)]);
          expect([...sent.searchParams.entries()].sort()).toEqual(expected.sort());
        }),
        { numRuns: 200 },
      );
    } finally {
      await client.close();
    }
  });

  it('any value as the params object: AymaraInputError before any request, or a request with exactly those params', async () => {
    const client = new AymaraAI({ apiKey: SECRET_KEY, baseURL: server.url, logLevel: 'off', timeout: 1_000, maxRetries: 0 });
    answer = { status: 200, headers: {}, body: '{"items":[],"count":0}' };
    try {
      await fc.assert(
        fc.asyncProperty(fc.anything({ withNullPrototype: true }), async (p) => {
          const before = server.requests.length;
          const result = await outcome(client.evals.runs.listResponses('run-1', p as never));
          if (!result.ok) {
            expect(result.error).toBeInstanceOf(AymaraInputError);
            expect(server.requests.length).toBe(before);
            return;
          }
          expect(server.requests.length).toBe(before + 1);
          const sent = new URL(server.requests[before]?.url ?? '', server.url);
          const given = p === null || p === undefined ? {} : (p as Record<string, unknown>);
          const expected = Object.entries(given)
            .filter(([, value]) => value !== undefined)
            .map(([name, value]) => [name, String(value)]);
          expect([...sent.searchParams.entries()].sort()).toEqual(expected.sort());
        }),
        { numRuns: 200 },
      );
    } finally {
      await client.close();
    }
  });

  it('random request options and headers: AymaraInputError before any request, or a request that carries them', async () => {
    const client = new AymaraAI({ apiKey: SECRET_KEY, baseURL: server.url, logLevel: 'off', timeout: 1_000, maxRetries: 0 });
    answer = { status: 200, headers: {}, body: '{"items":[],"count":0}' };
    const headerName = fc.oneof(
      fc.constantFrom('x-trace', 'accept', 'user-agent', 'x-api-key', 'expect', 'connection', 'upgrade', 'transfer-encoding', 'keep-alive'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter(wellFormed),
    );
    const options = fc.record(
      {
        maxRetries: fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constantFrom(0.5, Number.NaN, '1', null)),
        pageConcurrency: fc.oneof(fc.integer({ min: -1, max: 8 }), fc.constantFrom(1.5, '2', null)),
        timeout: fc.oneof(fc.integer({ min: 1_000, max: 2_000 }), fc.constantFrom(0, -1, Number.NaN, Infinity, 2 ** 31, '500', null)),
        headers: fc.dictionary(headerName, fc.oneof(fc.string({ unit: 'binary' }).filter(wellFormed), headerValue, fc.constantFrom(1, null)), { maxKeys: 3 }),
      },
      { requiredKeys: [] },
    );
    try {
      await fc.assert(
        fc.asyncProperty(options, async (o) => {
          const before = server.requests.length;
          const result = await outcome(client.evals.runs.listResponses('run-1', undefined, o as never));
          if (!result.ok) {
            expect(result.error).toBeInstanceOf(AymaraInputError);
            expect(leaksKey(result.error)).toBe(false);
            expect(server.requests.length).toBe(before);
            return;
          }
          expect(server.requests.length).toBe(before + 1);
          const seen = server.requests[before]?.headers ?? {};
          expect(seen['x-api-key']).toBe(SECRET_KEY);
          for (const [name, value] of Object.entries(o.headers ?? {})) {
            const lower = name.toLowerCase();
            if (['x-api-key', 'connection', 'keep-alive', 'host'].includes(lower)) continue;
            expect(String(seen[lower]).trim()).toBe(String(value).trim());
          }
        }),
        { numRuns: 200 },
      );
    } finally {
      await client.close();
    }
  });
});

describe('input that cannot be percent-encoded (known defect: URIError, not AymaraInputError)', () => {
  // SPEC 4: a bad value throws AymaraInputError and the server sees nothing; SPEC 6: everything thrown is an AymaraError.
  // encodeURIComponent throws URIError on a lone surrogate; client.ts calls it on the path and the query unguarded.
  it('eval_run_uuid with a lone surrogate', async (ctx) => {
    const client = new AymaraAI({ apiKey: SECRET_KEY, baseURL: server.url, logLevel: 'off', maxRetries: 0 });
    ctx.onTestFinished(() => client.close());
    const before = server.requests.length;
    const result = await outcome(client.evals.runs.listResponses('run-\uD800'));
    expect(server.requests.length).toBe(before);
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.error).toBeInstanceOf(AymaraInputError);
  });

  it('workspace_uuid with a lone surrogate', async (ctx) => {
    const client = new AymaraAI({ apiKey: SECRET_KEY, baseURL: server.url, logLevel: 'off', maxRetries: 0 });
    ctx.onTestFinished(() => client.close());
    const before = server.requests.length;
    const result = await outcome(client.evals.runs.listResponses('run-1', { workspace_uuid: 'ws-\uDC00' }));
    expect(server.requests.length).toBe(before);
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.error).toBeInstanceOf(AymaraInputError);
  });
});

describe('keys and headers HTTP cannot carry', () => {
  const BAD = [
    ['NUL', 'sk-\u0000-5e3f9a17c0d24b68'],
    ['DEL', 'sk-\u007f-5e3f9a17c0d24b68'],
    ['non-Latin-1', 'sk-ключ-5e3f9a17c0d24b68'],
  ] as const;

  // The constructor refuses a key HTTP cannot carry, and does not quote it.
  for (const [label, key] of BAD) {
    it(`a key with ${label}: AymaraInputError at construction, key not quoted, nothing sent`, () => {
      const before = server.requests.length;
      let error: unknown;
      try {
        new AymaraAI({ apiKey: key, baseURL: server.url, logLevel: 'off' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AymaraInputError);
      expect(leaksKey(error, key)).toBe(false);
      expect(leaksKey(error, key.slice(6))).toBe(false);
      expect(server.requests.length).toBe(before);
    });
  }

  // A header a middleware adds after the constructor's checks: the transport refuses to send it. That must be an
  // AymaraInputError (not a retried connection error) that does not quote the value.
  for (const [label, value] of BAD) {
    for (const transport of ['undici', 'fetch'] as const) {
      it(`a middleware header with ${label} (${transport} transport): AymaraInputError, nothing sent, no retry, value not quoted`, async (ctx) => {
        const counter = attemptCounter();
        const client = new AymaraAI({
          apiKey: 'sk-valid-key-0123456789',
          baseURL: server.url,
          logLevel: 'off',
          maxRetries: 2,
          middleware: [counter.middleware, (request, next) => next({ ...request, headers: { ...request.headers, authorization: value } })],
          fetch: transport === 'fetch' ? globalThis.fetch : undefined,
        });
        ctx.onTestFinished(() => client.close());
        const before = server.requests.length;
        // Twice: the first request of a client and the pooled ones take different paths in the default transport.
        for (let i = 0; i < 2; i++) {
          const result = await outcome(client.evals.runs.listResponses('run-1'));
          expect(result.ok).toBe(false);
          const error = result.ok ? undefined : result.error;
          expect(leaksKey(error, value)).toBe(false);
          expect(leaksKey(error, value.slice(6))).toBe(false);
          expect(error).toBeInstanceOf(AymaraInputError);
          expect(error).not.toBeInstanceOf(AymaraConnectionError);
        }
        expect(counter.attempts).toBe(2);
        expect(server.requests.length).toBe(before);
      });
    }
  }
});
