/**
 * Testing your own code against a mock Aymara API: a vitest file to copy into your project.
 *
 *   npx vitest run examples/testing-with-the-mock.test.ts
 *
 * No key and no network: `aymara-ai/testing` serves fixture data from a loopback server (the whole HTTP stack, no
 * mocking library) or from msw handlers. Either way the client is the one your code makes, with no test-only option.
 * msw is only needed for the second part (`npm i -D msw`).
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AymaraAI, InternalServerError } from 'aymara-ai';
import { generateResponses, startMockServer, type MockFixtures, type MockServer } from 'aymara-ai/testing';
import { mockAymaraHandlers } from 'aymara-ai/testing/msw';

// --- The code under test (in your project it lives in its own module). ---

/** The prompts whose responses failed, across every page of the run. */
async function failedPrompts(client: AymaraAI, evalRunUUID: string): Promise<string[]> {
  const failed: string[] = [];
  for await (const response of client.evals.runs.listResponses(evalRunUUID)) {
    if (response.is_passed === false && !response.exclude_from_scoring) failed.push(response.prompt_uuid);
  }
  return failed;
}

// --- Fixture data: hand-written responses, or generated ones. ---

const RUN = 'run-1';
const fixtures: MockFixtures = {
  apiKey: 'test-key',
  runs: {
    [RUN]: {
      responses: [
        { prompt_uuid: 'p-1', content: 'Sure, here is how...', is_passed: false },
        { prompt_uuid: 'p-2', content: "I can't help with that.", ai_refused: true, is_passed: true },
        { prompt_uuid: 'p-3', content: 'Partly right', is_passed: false, exclude_from_scoring: true },
        { prompt_uuid: 'p-4', content: null, is_passed: null },
        // 250 more, so the run spans three pages of 100.
        ...generateResponses(250).map((r, i) => ({ ...r, prompt_uuid: `g-${i}`, is_passed: i % 50 === 0 ? false : true, exclude_from_scoring: false })),
      ],
    },
  },
};
const EXPECTED = ['p-1', 'g-0', 'g-50', 'g-100', 'g-150', 'g-200'];

describe('with the loopback server', () => {
  let server: MockServer;
  let client: AymaraAI;

  beforeAll(async () => {
    server = await startMockServer({ fixtures });
    client = new AymaraAI({ apiKey: 'test-key', baseURL: server.url });
  });
  afterEach(() => server.api.reset()); // faults and recorded requests
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('finds the failed prompts on every page', async () => {
    expect(await failedPrompts(client, RUN)).toEqual(EXPECTED);
    // What the mock received: 254 responses at the default page size of 100.
    expect(server.api.requests.map((r) => r.offset).sort((a, b) => a - b)).toEqual([0, 100, 200]);
  });

  it('gets through a brief outage: the SDK retries a 503', async () => {
    server.api.inject({ status: 503, times: 1, match: { offset: 100 }, headers: { 'retry-after': '0' } });
    expect(await failedPrompts(client, RUN)).toEqual(EXPECTED);
    expect(server.api.requests.filter((r) => r.offset === 100)).toHaveLength(2);
  });

  it('reports a persistent server error to its caller', async () => {
    server.api.inject({ status: 500, match: { offset: 200 } });
    const impatient = new AymaraAI({ apiKey: 'test-key', baseURL: server.url, maxRetries: 0, logLevel: 'off' });
    await expect(failedPrompts(impatient, RUN)).rejects.toBeInstanceOf(InternalServerError);
    await impatient.close();
  });
});

describe('with msw handlers', () => {
  const { handlers, api } = mockAymaraHandlers({ fixtures, baseURL: 'https://api.aymara.ai' });
  const msw = setupServer(...handlers);
  // Made before msw listens, as a client your app creates when its module loads would be: the SDK looks the global
  // fetch up at each request, so msw sees them all.
  const client = new AymaraAI({ apiKey: 'test-key', baseURL: 'https://api.aymara.ai' });

  // A request no handler answers fails the test (msw 2 names this option onUnhandledRequest).
  beforeAll(() => msw.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => api.reset());
  afterAll(async () => {
    msw.close();
    await client.close();
  });

  it('finds the failed prompts on every page', async () => {
    expect(await failedPrompts(client, RUN)).toEqual(EXPECTED);
    expect(api.requests).toHaveLength(3);
  });

  it('gets through a brief outage: the SDK retries a 503', async () => {
    api.inject({ status: 503, times: 1, match: { offset: 200 }, headers: { 'retry-after-ms': '1' } });
    expect(await failedPrompts(client, RUN)).toEqual(EXPECTED);
    expect(api.requests.filter((r) => r.offset === 200)).toHaveLength(2);
  });
});
