/**
 * What the server sees and says about retries: `x-should-retry` overrides the status rule, each attempt carries
 * `x-stainless-retry-count` (0 on the first), and the user-agent names the SDK, its version and the runtime.
 * Waits are kept short with `retry-after-ms`, which the SDK honours.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AymaraAI, BadRequestError, NotFoundError, ServiceUnavailableError, VERSION } from 'aymara-ai';
import { generateResponses } from 'aymara-ai/testing';
import { json, startServer } from '../helpers/server.js';
import { BACKENDS, KEY, rejectionOf, uuidsOf, type Backend } from './backends.js';

const RUN = 'run-retries';
const RESPONSES = generateResponses(30, 45);
/** Retry at once: the server asks for no wait, so no test sleeps through a backoff. */
const NOW = { 'retry-after-ms': '0' };

describe.each(BACKENDS)('retry headers against the $name', ({ start }) => {
  let backend: Backend;
  let client: AymaraAI;

  beforeAll(async () => {
    backend = await start({ apiKey: KEY, runs: { [RUN]: { responses: RESPONSES } } });
    // `error`: the retries' warnings are expected here, not worth a line each in the test output.
    client = backend.client({ maxRetries: 2, logLevel: 'error' });
  });
  afterEach(() => backend.api.reset());
  afterAll(() => backend.close());

  const retryCounts = () => backend.api.requests.map((r) => r.headers['x-stainless-retry-count']);

  it('x-should-retry: false on a 503 is not retried: one request, the 503 error', async () => {
    backend.api.inject({ status: 503, headers: { 'x-should-retry': 'false', ...NOW } });
    const error = await rejectionOf(client.evals.runs.get(RUN));
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ status: 503 });
    expect(backend.api.requests).toHaveLength(1);
  });

  it('a 503 without x-should-retry is retried (the status rule), so the veto above is what stopped it', async () => {
    backend.api.inject({ status: 503, headers: NOW, times: 1 });
    expect((await client.evals.runs.get(RUN)).eval_run_uuid).toBe(RUN);
    expect(backend.api.requests).toHaveLength(2);
  });

  it('x-should-retry: true on a 400 is retried, and the retry succeeds', async () => {
    backend.api.inject({ status: 400, headers: { 'x-should-retry': 'true', ...NOW }, times: 1 });
    expect((await client.evals.runs.get(RUN)).eval_run_uuid).toBe(RUN);
    expect(backend.api.requests).toHaveLength(2);
    expect(retryCounts()).toEqual(['0', '1']);
  });

  it('x-should-retry: true on a 400 that persists: maxRetries + 1 attempts, then the 400 error', async () => {
    backend.api.inject({ status: 400, headers: { 'x-should-retry': 'true', ...NOW } });
    const error = await rejectionOf(client.evals.runs.get(RUN));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(backend.api.requests).toHaveLength(3);
  });

  it('a 400 without x-should-retry is not retried', async () => {
    backend.api.inject({ status: 400, headers: NOW });
    expect(await rejectionOf(client.evals.runs.get(RUN))).toBeInstanceOf(BadRequestError);
    expect(backend.api.requests).toHaveLength(1);
  });

  it('x-should-retry: true on a 404 is retried too: the server decides', async () => {
    backend.api.inject({ status: 404, headers: { 'x-should-retry': 'true', ...NOW }, times: 1 });
    await client.evals.runs.get(RUN);
    expect(backend.api.requests).toHaveLength(2);
    // Without it, a 404 is final.
    expect(await rejectionOf(client.evals.runs.get('no-such-run'))).toBeInstanceOf(NotFoundError);
    expect(backend.api.requests).toHaveLength(3);
  });

  it('x-should-retry: true on a 200 does not throw the answer away: one request, the page', async () => {
    backend.api.inject({ headers: { 'x-should-retry': 'true', ...NOW } });
    const run = await client.evals.runs.get(RUN);
    expect(run.eval_run_uuid).toBe(RUN);
    expect(backend.api.requests).toHaveLength(1);
  });

  it('x-stainless-retry-count is 0, 1, 2 across the attempts of one call', async () => {
    backend.api.inject({ status: 503, headers: NOW, times: 2 });
    await client.evals.runs.get(RUN);
    expect(retryCounts()).toEqual(['0', '1', '2']);
  });

  it('x-stainless-retry-count is 0 on every first attempt, and counts per call (per page while iterating)', async () => {
    await client.evals.runs.get(RUN);
    await client.evals.runs.get(RUN);
    expect(retryCounts()).toEqual(['0', '0']);
    backend.api.reset();

    // The page at offset 10 fails twice; the pages around it are first attempts.
    backend.api.inject({ status: 503, headers: NOW, times: 2, match: { offset: 10 } });
    expect(await uuidsOf(client.evals.runs.listResponses(RUN, { limit: 10 }, { pageConcurrency: 1 }))).toHaveLength(30);
    expect(backend.api.requests.map((r) => [r.offset, r.headers['x-stainless-retry-count']])).toEqual([
      [0, '0'],
      [10, '0'],
      [10, '1'],
      [10, '2'],
      [20, '0'],
    ]);
  });

  it('the user-agent is aymara-ai-typescript/<VERSION> node/<process.versions.node>, on first attempts and retries', async () => {
    backend.api.inject({ status: 503, headers: NOW, times: 1 });
    await client.evals.runs.get(RUN);
    await client.evals.runs.listResponses(RUN);
    const expected = `aymara-ai-typescript/${VERSION} node/${process.versions.node}`;
    expect(backend.api.requests.map((r) => r.headers['user-agent'])).toEqual([expected, expected, expected]);
  });
});

describe('retry headers on a plain node:http server', () => {
  it('sees x-stainless-retry-count 0, 1, 2 and the user-agent as sent on the wire; x-should-retry: false ends it', async () => {
    let answered = 0;
    const server = await startServer((_req, res) => {
      answered += 1;
      // Two retryable failures, then a 500 the server vetoes retrying.
      if (answered <= 2) json(res, 502, 'bad gateway', { 'content-type': 'text/plain', ...NOW });
      else json(res, 500, { error: { code: 'server.internal_error', message: 'broken', details: {} }, request_id: 'r' }, { 'x-should-retry': 'false', ...NOW });
    });
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, maxRetries: 5, logLevel: 'error' });
    try {
      const error = await rejectionOf(client.evals.runs.get(RUN));
      expect(error).toMatchObject({ status: 500 });
      expect(server.requests.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1', '2']);
      expect(new Set(server.requests.map((r) => r.headers['user-agent']))).toEqual(new Set([`aymara-ai-typescript/${VERSION} node/${process.versions.node}`]));
      expect(server.requests.map((r) => r.url)).toEqual(Array(3).fill(`/v2/eval-runs/${RUN}`));
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('x-should-retry: true on a 401 is honoured, and the retry carries the key again', async () => {
    let answered = 0;
    const run = { eval_run_uuid: RUN, eval_uuid: 'e', status: 'finished', created_at: 't', updated_at: 't' };
    const server = await startServer((_req, res) => {
      answered += 1;
      if (answered === 1)
        json(res, 401, { error: { code: 'auth.invalid_key', message: 'rotating', details: {} }, request_id: 'r' }, { 'x-should-retry': 'true', ...NOW });
      else json(res, 200, run);
    });
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, maxRetries: 1, logLevel: 'error' });
    try {
      expect((await client.evals.runs.get(RUN)).status).toBe('finished');
      expect(server.requests.map((r) => [r.headers['x-api-key'], r.headers['x-stainless-retry-count']])).toEqual([
        [KEY, '0'],
        [KEY, '1'],
      ]);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
