import { http, HttpResponse, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  AymaraAbortError,
  AymaraAI,
  AymaraAPIError,
  AymaraConnectionError,
  AymaraError,
  AymaraInputError,
  AymaraResponseValidationError,
  AymaraTimeoutError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  UnprocessableEntityError,
} from 'aymara-ai';
import { makeAPIError } from '../src/core/errors.js';
import { json, startServer } from './helpers/server.js';

const BASE = 'https://api.errors.test';
const msw = setupServer();
let client: AymaraAI;
let requests = 0;

beforeAll(() => {
  msw.listen({ onUnhandledFrame: 'error' });
  client = new AymaraAI({ apiKey: 'k', baseURL: BASE, fetch: globalThis.fetch, maxRetries: 0 });
});
afterEach(() => {
  msw.resetHandlers();
  requests = 0;
});
afterAll(async () => {
  msw.close();
  await client.close();
});

/** Answers every request with this status, body and headers. */
function answer(status: number, body: string | object, headers: Record<string, string> = {}): void {
  msw.use(
    http.get(`${BASE}/v2/eval-runs/:id/responses`, () => {
      requests++;
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      const type = typeof body === 'string' ? 'text/plain' : 'application/json';
      return new HttpResponse(text, { status, headers: { 'content-type': type, ...headers } });
    }),
  );
}

function envelope(code: string, message: string, extra: { details?: Record<string, unknown>; request_id?: string } = {}) {
  return {
    error: { code, message, ...(extra.details ? { details: extra.details } : {}) },
    ...(extra.request_id !== undefined ? { request_id: extra.request_id } : {}),
  };
}

/** The error the call rejects with; fails the test if it resolves. */
async function failure(options: Parameters<AymaraAI['evals']['runs']['listResponses']>[2] = undefined): Promise<AymaraAPIError> {
  const error: unknown = await client.evals.runs.listResponses('run', undefined, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AymaraAPIError);
  return error as AymaraAPIError;
}

type ErrorClass = abstract new (...args: never[]) => AymaraAPIError;

function expectExactly(error: AymaraAPIError, Class: ErrorClass): void {
  expect(error).toBeInstanceOf(Class);
  expect(Object.getPrototypeOf(error)).toBe(Class.prototype);
  expect(error).toBeInstanceOf(AymaraError);
  expect(error).toBeInstanceOf(Error);
}

describe('a known code in the envelope decides the class', () => {
  it.each<[string, number, ErrorClass]>([
    ['auth.invalid_key', 401, AuthenticationError],
    ['auth.expired_key', 401, AuthenticationError],
    ['auth.insufficient_permissions', 403, PermissionDeniedError],
    ['validation.invalid_request', 400, BadRequestError],
    ['validation.invalid_format', 400, BadRequestError],
    ['validation.invalid_request', 422, UnprocessableEntityError],
    ['validation.invalid_format', 422, UnprocessableEntityError],
    ['resource.not_found', 404, NotFoundError],
    ['resource.conflict', 409, ConflictError],
    ['quota.limit_exceeded', 429, RateLimitError],
    ['server.internal_error', 500, InternalServerError],
  ])('%s with %i -> %o', async (code, status, Class) => {
    const message = `message for ${code} at ${status}`;
    const details = { field: 'limit', hint: ['a', 'b'] };
    answer(status, envelope(code, message, { details, request_id: `req-body-${status}` }), { 'x-request-id': 'req-header' });
    const error = await failure();
    expectExactly(error, Class);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect(error.details).toEqual(details);
    expect(error.requestId).toBe(`req-body-${status}`);
    expect(requests).toBe(1);
  });

  it('follows the code when the status disagrees, keeping the real status', async () => {
    answer(503, envelope('auth.invalid_key', 'key rejected upstream'));
    const error = await failure();
    expectExactly(error, AuthenticationError);
    expect(error).not.toBeInstanceOf(InternalServerError);
    expect(error.status).toBe(503);
    expect(error.code).toBe('auth.invalid_key');
  });

  it('follows the code for a 500 carrying resource.not_found', async () => {
    answer(500, envelope('resource.not_found', 'no such run'));
    const error = await failure();
    expectExactly(error, NotFoundError);
    expect(error.status).toBe(500);
  });

  it('a 422 validation error is UnprocessableEntityError and not a BadRequestError', async () => {
    answer(422, envelope('validation.invalid_format', 'limit must be an integer'));
    const error = await failure();
    expect(error).toBeInstanceOf(UnprocessableEntityError);
    expect(error).not.toBeInstanceOf(BadRequestError);
  });
});

describe('without a known code the status decides', () => {
  it.each<[number, ErrorClass]>([
    [503, ServiceUnavailableError],
    [500, InternalServerError],
    [502, InternalServerError],
    [504, InternalServerError],
    [410, AymaraAPIError],
    [408, AymaraAPIError],
    [418, AymaraAPIError],
  ])('%i with a body that is not the envelope -> %o', async (status, Class) => {
    answer(status, 'something went wrong', { 'x-request-id': `req-${status}` });
    const error = await failure();
    expectExactly(error, Class);
    expect(error.status).toBe(status);
    expect(error.code).toBeUndefined();
    expect(error.message).toContain(String(status));
    expect(error.requestId).toBe(`req-${status}`);
    expect(requests).toBe(1);
  });

  it('ServiceUnavailableError is an InternalServerError', async () => {
    answer(503, '');
    const error = await failure();
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toBeInstanceOf(InternalServerError);
  });

  it.each<[number, ErrorClass]>([
    [503, ServiceUnavailableError],
    [502, InternalServerError],
    [410, AymaraAPIError],
  ])('%i with an envelope of an unknown code -> %o', async (status, Class) => {
    answer(status, envelope('infra.unknown_thing', 'new failure mode'));
    const error = await failure();
    expectExactly(error, Class);
    expect(error.code).toBe('infra.unknown_thing');
    expect(error.message).toContain('new failure mode');
  });

  it('an unknown code with 402 is a plain AymaraAPIError that keeps the code and message', async () => {
    answer(402, envelope('billing.frozen', 'Your account is frozen', { details: { invoice: 'inv-1' }, request_id: 'req-402' }));
    const error = await failure();
    expectExactly(error, AymaraAPIError);
    expect(error.status).toBe(402);
    expect(error.code).toBe('billing.frozen');
    expect(error.message).toContain('Your account is frozen');
    expect(error.details).toEqual({ invoice: 'inv-1' });
    expect(error.requestId).toBe('req-402');
  });

  it('does not retry 408 when maxRetries is 0', async () => {
    answer(408, 'timeout');
    await failure({ maxRetries: 0 });
    expect(requests).toBe(1);
  });
});

describe('a body that is not the envelope', () => {
  const NGINX_502 =
    '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n';

  it('an HTML 502 page is an InternalServerError with a short message naming the status', async () => {
    msw.use(http.get(`${BASE}/v2/eval-runs/:id/responses`, () => new HttpResponse(NGINX_502, { status: 502, headers: { 'content-type': 'text/html' } })));
    const error = await failure();
    expectExactly(error, InternalServerError);
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/\b502\b/);
    expect(error.message).not.toMatch(/<\/?[a-z]/i);
    expect(error.message).not.toContain('nginx');
    expect(error.message.length).toBeLessThan(200);
    expect(error.code).toBeUndefined();
  });

  it('JSON that is not the envelope still yields the status class', async () => {
    answer(404, { detail: 'Not Found' });
    const error = await failure();
    expectExactly(error, NotFoundError);
    expect(error.status).toBe(404);
    expect(error.message).toContain('404');
  });
});

describe('requestId and headers', () => {
  it('takes the request id from the body over the header', async () => {
    answer(404, envelope('resource.not_found', 'gone', { request_id: 'from-body' }), { 'x-request-id': 'from-header' });
    expect((await failure()).requestId).toBe('from-body');
  });

  it('takes the request id from x-request-id when the body has none', async () => {
    answer(404, envelope('resource.not_found', 'gone'), { 'x-request-id': 'from-header' });
    expect((await failure()).requestId).toBe('from-header');
  });

  it('an empty request_id in the body falls back to the header', async () => {
    answer(404, envelope('resource.not_found', 'gone', { request_id: '' }), { 'x-request-id': 'from-header' });
    expect((await failure()).requestId).toBe('from-header');
  });

  it('has no request id when neither gives one', async () => {
    answer(404, envelope('resource.not_found', 'gone'));
    expect((await failure()).requestId).toBeUndefined();
  });

  it('carries the response headers as a WHATWG Headers, read by any case of name', async () => {
    answer(429, envelope('quota.limit_exceeded', 'slow down'), { 'X-RateLimit-Remaining': '0', 'X-Request-Id': 'r-429', 'Retry-After': '3' });
    const error = await failure({ maxRetries: 0 });
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.headers).toBeInstanceOf(Headers);
    expect(error.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(error.headers.get('X-Request-Id')).toBe('r-429');
    expect(error.headers.get('retry-after')).toBe('3');
    expect(error.headers.has('x-absent')).toBe(false);
    expect(error.requestId).toBe('r-429');
  });

  it('the same holds on the default transport (real loopback server)', async () => {
    const server = await startServer((_req, res) =>
      json(res, 403, envelope('auth.insufficient_permissions', 'not your workspace', { details: { workspace: 'w' } }), {
        'x-request-id': 'loop-1',
        'x-extra': 'yes',
      }),
    );
    // msw sees every fetch of the process: let this one reach the real server.
    msw.use(http.all(`${server.url}/*`, () => passthrough()));
    const loopClient = new AymaraAI({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
    try {
      const error: unknown = await loopClient.evals.runs.listResponses('run').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PermissionDeniedError);
      const e = error as PermissionDeniedError;
      expect(e.status).toBe(403);
      expect(e.code).toBe('auth.insufficient_permissions');
      expect(e.message).toContain('not your workspace');
      expect(e.details).toEqual({ workspace: 'w' });
      expect(e.requestId).toBe('loop-1');
      expect(e.headers.get('x-extra')).toBe('yes');
      expect(server.requests).toHaveLength(1);
    } finally {
      await loopClient.close();
      await server.close();
    }
  });
});

describe('for await', () => {
  it('throws the same typed error from the first next()', async () => {
    answer(401, envelope('auth.expired_key', 'key expired', { request_id: 'r-401' }));
    const iterator = client.evals.runs.listResponses('run')[Symbol.asyncIterator]();
    const error: unknown = await iterator.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).requestId).toBe('r-401');
  });
});

describe('body', () => {
  it('is the parsed envelope, defaults filled, unknown fields kept', async () => {
    answer(404, { error: { code: 'resource.not_found', message: 'gone', hint: 'check the id' }, request_id: 'r-b', trace: 't-1' });
    const error = await failure();
    expect(error.body).toEqual({ error: { code: 'resource.not_found', message: 'gone', details: {}, hint: 'check the id' }, request_id: 'r-b', trace: 't-1' });
  });

  it('is the parsed JSON when it is JSON but not the envelope', async () => {
    answer(404, { detail: 'Not Found' });
    expect((await failure()).body).toEqual({ detail: 'Not Found' });
  });

  it('is the text when it is not JSON', async () => {
    answer(502, '<html>bad gateway</html>');
    expect((await failure()).body).toBe('<html>bad gateway</html>');
  });

  it('is cut to 64 KiB of UTF-8 when it is longer, never inside a character', async () => {
    const text = `${'a'.repeat(65_535)}é${'b'.repeat(100_000)}`;
    answer(500, text);
    const body = (await failure()).body as string;
    expect(typeof body).toBe('string');
    expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(64 * 1024);
    // The two-byte "é" straddles the limit: it is dropped whole, not cut in half.
    expect(body).toBe('a'.repeat(65_535));
  });

  it('keeps a multi-byte body whose text fits', async () => {
    const text = 'é'.repeat(30_000);
    answer(500, text);
    expect((await failure()).body).toBe(text);
  });
});

describe('a server that echoes the key back', () => {
  it('has it redacted from the body and the headers the error keeps, given the secrets', () => {
    const key = 'sk-ECHOED-0123456789';
    const text = JSON.stringify({ error: { code: 'auth.invalid_key', message: `bad key ${key}`, details: { sent: key } }, request_id: 'r' });
    const error = makeAPIError(401, { 'x-echo': `key=${key}` }, text, [key]);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toBe('401 auth.invalid_key: bad key [redacted]');
    expect(error.details).toEqual({ sent: '[redacted]' });
    expect(error.headers.get('x-echo')).toBe('key=[redacted]');
    expect(JSON.stringify(error)).not.toContain(key);
    expect(makeAPIError(502, new Headers({ 'x-echo': key }), `<p>${key}</p>`, [key]).body).toBe('<p>[redacted]</p>');
  });
});

describe('a proxy that asks for credentials', () => {
  // fetch turns a 407 into a network error; the transport recognises the proxy's refusal and makes this error of it.
  it('a 407 says the proxy asked for credentials', () => {
    const error = makeAPIError(407, { 'proxy-authenticate': 'Basic realm="corp"' }, '');
    expectExactly(error, AymaraAPIError);
    expect(error.status).toBe(407);
    expect(error.message).toMatch(/the proxy asked for credentials/);
    expect(error.headers.get('proxy-authenticate')).toBe('Basic realm="corp"');
  });
});

describe('JSON.stringify of an error', () => {
  it('gives name, message and the API fields, secret headers redacted, the cause and stack left out', async () => {
    answer(404, envelope('resource.not_found', 'no such run', { details: { id: 'run' }, request_id: 'r-json' }), {
      'x-request-id': 'h',
      'set-cookie': 'session=s3cret',
    });
    const error = await failure();
    const json = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
    expect(json).toMatchObject({
      name: 'NotFoundError',
      message: '404 resource.not_found: no such run',
      status: 404,
      code: 'resource.not_found',
      details: { id: 'run' },
      requestId: 'r-json',
      body: { error: { code: 'resource.not_found', message: 'no such run', details: { id: 'run' } }, request_id: 'r-json' },
    });
    expect(json.headers).toMatchObject({ 'x-request-id': 'h', 'set-cookie': '[redacted]' });
    expect(JSON.stringify(error)).not.toContain('s3cret');
    expect(json).not.toHaveProperty('stack');
    expect(json).not.toHaveProperty('cause');
  });

  it('leaves a text body out (an HTML page has no place in a log line)', async () => {
    answer(502, '<html>bad gateway</html>');
    const json = JSON.parse(JSON.stringify(await failure())) as Record<string, unknown>;
    expect(json).toMatchObject({ name: 'InternalServerError', status: 502 });
    expect(json).not.toHaveProperty('body');
  });

  it.each<[string, AymaraError]>([
    ['AymaraError', new AymaraError('the client is closed')],
    ['AymaraInputError', new AymaraInputError('`limit` must be an integer >= 1')],
    ['AymaraConnectionError', new AymaraConnectionError('Connection error: ECONNREFUSED', { cause: new Error('inner') })],
    ['AymaraTimeoutError', new AymaraTimeoutError('Request timed out after 10 ms')],
    ['AymaraAbortError', new AymaraAbortError('Request aborted')],
  ])('%s gives its name and message', (name, error) => {
    const json = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
    expect(json).toEqual({ name, message: error.message });
  });

  it('AymaraResponseValidationError gives its name, message, path, status, request id and issues', () => {
    const error = new AymaraResponseValidationError('Response body does not match the schema at $.count', {
      path: '$.count',
      status: 200,
      requestId: 'r-v',
      issues: [{ path: '$.count', message: 'missing (expected number)' }],
    });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'AymaraResponseValidationError',
      message: error.message,
      path: '$.count',
      status: 200,
      requestId: 'r-v',
      issues: [{ path: '$.count', message: 'missing (expected number)' }],
      issueCount: 1,
    });
  });
});
