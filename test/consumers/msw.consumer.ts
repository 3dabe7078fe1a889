/**
 * A user's vitest file for the msw cells of the consumer matrix (test/consumers/run.mjs), run beside a copy of
 * examples/testing-with-the-mock.test.ts in a fresh project on msw 2 or msw 3. It covers what the example does not:
 * a run read with `runs.get`, an eval's prompts paged with `for await`, and msw failing a request no handler answers.
 * It imports only the installed packages, as a user's test would. Named without `.test` so that the repo's own
 * vitest run does not pick it up; the cell copies it in as `msw-kit.test.ts`.
 */
import { http as mswHttp } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AymaraAI } from 'aymara-ai';
import { generatePrompts, generateResponsesFor, type MockFixtures } from 'aymara-ai/testing';
import { mockAymaraHandlers } from 'aymara-ai/testing/msw';

const EVAL = 'eval-1';
const RUN = 'run-1';
const prompts = generatePrompts(Array.from({ length: 230 }, (_, i) => ({ prompt_uuid: `p-${i}` })));
const fixtures: MockFixtures = {
  apiKey: 'test-key',
  evals: { [EVAL]: { name: 'Support bot safety', prompts } },
  runs: { [RUN]: { eval_uuid: EVAL, name: 'nightly', responses: generateResponsesFor(prompts) } },
};

// The major the project installed, from msw's own package.json (resolved as the test's imports are).
const mswMajor = Number((await import('msw/package.json', { with: { type: 'json' } })).default.version.split('.')[0]);

const { handlers, api, baseURL } = mockAymaraHandlers({ fixtures });
const msw = setupServer(...handlers);
const client = new AymaraAI({ apiKey: 'test-key', baseURL });

// msw 3 renamed the option; msw 2 reads only `onUnhandledRequest` and would merely warn when given the new name.
beforeAll(() => msw.listen(mswMajor >= 3 ? { onUnhandledFrame: 'error' } : ({ onUnhandledRequest: 'error' } as never)));
afterEach(() => {
  api.reset();
  msw.resetHandlers();
});
afterAll(async () => {
  msw.close();
  await client.close();
});

describe(`aymara-ai/testing/msw on msw ${mswMajor}`, () => {
  it("reads a run and pages through its eval's prompts", async () => {
    const run = await client.evals.runs.get(RUN);
    expect(run).toMatchObject({ eval_run_uuid: RUN, eval_uuid: EVAL, name: 'nightly', status: 'finished', num_prompts: 230 });

    const categories = new Map<string, string | null | undefined>();
    for await (const prompt of client.evals.listPrompts(run.eval_uuid)) categories.set(prompt.prompt_uuid, prompt.category);
    expect([...categories.keys()]).toEqual(prompts.map((p) => p.prompt_uuid));
    expect(api.requests.map((r) => [r.route, r.offset])).toEqual([
      ['run', 0],
      ['prompts', 0],
      ['prompts', 100],
      ['prompts', 200],
    ]);
    expect(api.requests.every((r) => r.headers['x-api-key'] === 'test-key')).toBe(true);
  });

  it('retries a 503 on a prompts page, then goes on', async () => {
    api.inject({ status: 503, times: 1, match: { route: 'prompts', offset: 100 }, headers: { 'retry-after-ms': '1' } });
    let count = 0;
    for await (const _prompt of client.evals.listPrompts(EVAL)) count++;
    expect(count).toBe(230);
    expect(api.requests.filter((r) => r.offset === 100)).toHaveLength(2);
    expect(api.requests).toHaveLength(4);
  });

  it('answers a missing run with a 404 the SDK reports', async () => {
    await expect(client.evals.runs.get('no-such-run')).rejects.toMatchObject({ status: 404, code: 'resource.not_found' });
  });

  it('lets msw fail a request that no handler answers', async () => {
    await expect(fetch('https://elsewhere.example/ping')).rejects.toThrow();
    // A handler of the user's own, beside the kit's, still answers.
    msw.use(mswHttp.get('https://elsewhere.example/ping', () => new Response('pong')));
    expect(await (await fetch('https://elsewhere.example/ping')).text()).toBe('pong');
  });
});
