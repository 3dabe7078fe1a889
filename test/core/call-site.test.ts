/**
 * An error thrown into the user's own async function names that function in its stack, so a log says which call
 * failed: a 404, a body that breaks the schema, an error after retries, a page of a `for await`, and close().
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AymaraAbortError, AymaraResponseValidationError, InternalServerError, NotFoundError, type AymaraAI } from 'aymara-ai';
import { generateResponses } from 'aymara-ai/testing';
import { BACKENDS, KEY, rejectionOf, type Backend } from './backends.js';

describe.each(BACKENDS)('the caller in an error stack, against the $name', ({ start }) => {
  let backend: Backend;
  let client: AymaraAI;

  beforeAll(async () => {
    backend = await start({ apiKey: KEY, runs: { 'run-1': { responses: generateResponses(250, 3) } } });
    client = backend.client({ maxRetries: 1 });
  });
  afterEach(() => backend.api.reset());
  afterAll(() => backend.close());

  async function loadNightlyReport(uuid: string) {
    return await client.evals.runs.get(uuid);
  }

  async function countEveryResponse() {
    let n = 0;
    for await (const _ of client.evals.runs.listResponses('run-1', { limit: 100 })) n += 1;
    return n;
  }

  it("a 404 thrown through await carries the user's function", async () => {
    const error = await rejectionOf(loadNightlyReport('no-such-run'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).stack).toContain('loadNightlyReport');
  });

  it("a body that breaks the schema carries the user's function", async () => {
    backend.api.inject({ body: '{"eval_run_uuid": 5}', times: 1 });
    const error = await rejectionOf(loadNightlyReport('run-1'));
    expect(error).toBeInstanceOf(AymaraResponseValidationError);
    expect((error as Error).stack).toContain('loadNightlyReport');
  });

  it('an error after the retries carries it, and so does a later page of a for await', async () => {
    backend.api.inject({ status: 500, headers: { 'retry-after-ms': '1' } });
    const retried = await rejectionOf(loadNightlyReport('run-1'));
    expect(retried).toBeInstanceOf(InternalServerError);
    expect((retried as Error).stack).toContain('loadNightlyReport');
    backend.api.clearFaults();

    backend.api.inject({ status: 500, headers: { 'retry-after-ms': '1' }, match: { offset: 200 } });
    const paged = await rejectionOf(countEveryResponse());
    expect(paged).toBeInstanceOf(InternalServerError);
    expect((paged as Error).stack).toContain('countEveryResponse');
  });

  it('so does an error through withResponse(), asResponse(), getNextPage() and iterPages()', async () => {
    async function readWithHeaders(uuid: string) {
      return await client.evals.runs.get(uuid).withResponse();
    }
    async function forwardRaw(uuid: string) {
      return await client.evals.runs.get(uuid).asResponse();
    }
    async function turnThePage() {
      const first = await client.evals.runs.listResponses('run-1', { limit: 100 });
      return await first.getNextPage();
    }
    async function walkPageByPage() {
      let pages = 0;
      for await (const _ of client.evals.runs.listResponses('run-1', { limit: 100 }).iterPages()) pages += 1;
      return pages;
    }
    for (const [caller, run] of [
      ['readWithHeaders', () => readWithHeaders('no-such-run')],
      ['forwardRaw', () => forwardRaw('no-such-run')],
    ] as const) {
      const error = await rejectionOf(run());
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as Error).stack).toContain(caller);
    }
    backend.api.inject({ status: 500, headers: { 'retry-after-ms': '1' }, match: { offset: 100 } });
    const next = await rejectionOf(turnThePage());
    expect(next).toBeInstanceOf(InternalServerError);
    expect((next as Error).stack).toContain('turnThePage');
    const paged = await rejectionOf(walkPageByPage());
    expect(paged).toBeInstanceOf(InternalServerError);
    expect((paged as Error).stack).toContain('walkPageByPage');
  });

  it('a call that succeeds captures no stack: the frames are found only when an error is handed over', async () => {
    const captures: unknown[] = [];
    const original = Error.captureStackTrace;
    Error.captureStackTrace = (target: object, below?: Parameters<typeof original>[1]) => {
      captures.push(target);
      original(target, below);
    };
    try {
      await loadNightlyReport('run-1');
      expect(await countEveryResponse()).toBe(250);
    } finally {
      Error.captureStackTrace = original;
    }
    expect(captures).toEqual([]);
  });

  it('close() rejects every call with one error whose stack gains one call site, not one per call', async () => {
    const closing = backend.client();
    backend.api.inject({ latencyMs: 5_000 });
    const calls = Array.from({ length: 20 }, () => rejectionOf(closing.evals.runs.get('run-1')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await closing.close();
    const errors = await Promise.all(calls);
    expect(new Set(errors).size).toBe(1);
    expect(errors[0]).toBeInstanceOf(AymaraAbortError);
    const stack = (errors[0] as Error).stack ?? '';
    expect(stack.split('\n').length).toBeLessThan(40);
  });
});
