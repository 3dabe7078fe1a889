/**
 * Input errors that say how to fix the call: a request option given as a parameter points at the third argument,
 * and a misspelt parameter (`workspaceUuid`) gets the right spelling. Nothing is sent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AymaraInputError, type AymaraAI, type GetRunParams, type ListResponsesParams } from 'aymara-ai';
import { generateResponses } from 'aymara-ai/testing';
import { BACKENDS, KEY, rejectionOf, type Backend } from './backends.js';

const RUN = 'run-hints';
const REQUEST_OPTIONS = ['timeout', 'maxRetries', 'signal', 'headers', 'query', 'pageConcurrency'] as const;

/** The message of the AymaraInputError a call rejects with; fails the test for any other outcome. */
async function inputErrorOf(call: PromiseLike<unknown>): Promise<string> {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(AymaraInputError);
  return (error as Error).message;
}

describe.each(BACKENDS)('input hints against the $name', ({ start }) => {
  let backend: Backend;
  let client: AymaraAI;

  beforeAll(async () => {
    backend = await start({ apiKey: KEY, runs: { [RUN]: { responses: generateResponses(3, 47) } } });
    client = backend.client({ maxRetries: 0 });
  });
  afterEach(() => {
    // None of these calls may reach the server.
    expect(backend.api.requests).toEqual([]);
    backend.api.reset();
  });
  afterAll(() => backend.close());

  it('{ timeout: 5 } as the second argument: an AymaraInputError pointing at the third argument', async () => {
    for (const message of [
      await inputErrorOf(client.evals.runs.listResponses(RUN, { timeout: 5 } as ListResponsesParams)),
      await inputErrorOf(client.evals.runs.get(RUN, { timeout: 5 } as GetRunParams)),
    ]) {
      expect(message).toContain('timeout');
      expect(message).toMatch(/request option/i);
      expect(message).toMatch(/third argument/i);
    }
  });

  it.each(REQUEST_OPTIONS)('every request option given as a parameter gets the same hint: %s', async (option) => {
    const message = await inputErrorOf(client.evals.runs.listResponses(RUN, { [option]: 1 } as ListResponsesParams));
    expect(message).toContain(`\`${option}\``);
    expect(message).toMatch(/third argument/i);
  });

  it('workspaceUuid: an AymaraInputError suggesting workspace_uuid, on both endpoints', async () => {
    for (const message of [
      await inputErrorOf(client.evals.runs.get(RUN, { workspaceUuid: 'ws-1' } as GetRunParams)),
      await inputErrorOf(client.evals.runs.listResponses(RUN, { workspaceUuid: 'ws-1' } as ListResponsesParams)),
    ]) {
      expect(message).toContain('workspaceUuid');
      expect(message).toMatch(/did you mean `workspace_uuid`/i);
    }
  });

  it('other near misses get the right spelling too', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ workspaceUUID: 'ws' }, 'workspace_uuid'],
      [{ 'workspace-uuid': 'ws' }, 'workspace_uuid'],
      [{ ofset: 10 }, 'offset'],
      [{ limt: 10 }, 'limit'],
      [{ Limit: 10 }, 'limit'],
    ];
    for (const [params, meant] of cases) {
      const message = await inputErrorOf(client.evals.runs.listResponses(RUN, params as ListResponsesParams));
      expect(message, JSON.stringify(params)).toMatch(new RegExp(`did you mean \`${meant}\``, 'i'));
    }
  });

  it('a name with no close match lists the known parameters and points at the query option', async () => {
    const message = await inputErrorOf(client.evals.runs.listResponses(RUN, { page_size: 50 } as ListResponsesParams));
    expect(message).toContain('page_size');
    for (const known of ['limit', 'offset', 'workspace_uuid']) expect(message).toContain(known);
    expect(message).toContain('query');
  });
});
