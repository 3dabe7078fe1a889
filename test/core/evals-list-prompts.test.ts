/**
 * `client.evals.listPrompts()`: an eval's prompts, their text and category, paged like every list, against the
 * loopback mock and msw with a default client.
 */
import { describe, expect, it } from 'vitest';
import { AymaraInputError, AymaraResponseValidationError, NotFoundError, type EvalPrompt, type EvalPromptsPage, type ListPromptsParams } from 'aymara-ai';
import type { MockFixtures, MockPrompt } from 'aymara-ai/testing';
import { BACKENDS, KEY, rejectionOf, useBackend, uuidsOf } from './backends.js';

const WORKSPACE = 'ws-prompts';
const EVAL = 'eval/with slash';
const CATEGORIES = ['jailbreak', 'privacy', null, undefined] as const;
/** 8 prompts: 3 pages of 3; categories of every kind, one without turn_number, one with an unknown field. */
const PROMPTS: MockPrompt[] = Array.from({ length: 8 }, (_, i) => ({
  prompt_uuid: `p-${i}`,
  content: `Prompt number ${i}`,
  ...(CATEGORIES[i % 4] === undefined ? {} : { category: CATEGORIES[i % 4] }),
  ...(i === 5 ? {} : { turn_number: 1 + (i % 2) }),
  ...(i === 2 ? { difficulty: 'hard' } : {}),
}));

const fixtures = (): MockFixtures => ({
  apiKey: KEY,
  evals: { [EVAL]: { workspace_uuid: WORKSPACE, name: 'Support safety', prompts: PROMPTS } },
  runs: {},
});

describe.each(BACKENDS)('evals.listPrompts against the $name', (kind) => {
  const t = useBackend(kind, fixtures);

  it('sends GET /v2/evals/{eval_uuid}/prompts, the uuid as one encoded segment, only the parameters given', async () => {
    const page: EvalPromptsPage = await t.client.evals.listPrompts(EVAL, { workspace_uuid: WORKSPACE, limit: 2 });
    expect(page.items.map((p) => p.content)).toEqual(['Prompt number 0', 'Prompt number 1']);
    expect(page.count).toBe(8);
    const [request] = t.backend.api.requests;
    expect(request).toMatchObject({ method: 'GET', route: 'prompts', eval_uuid: EVAL, limit: 2 });
    expect(request?.url.pathname).toBe(`/v2/evals/${encodeURIComponent(EVAL)}/prompts`);
    expect(request?.url.search).toBe(`?limit=2&workspace_uuid=${WORKSPACE}`);
    expect(request?.headers).toMatchObject({ 'x-api-key': KEY, accept: 'application/json' });

    await t.client.evals.listPrompts(EVAL);
    expect(t.backend.api.requests[1]?.url.search).toBe('');
  });

  it('for await walks every page of a 3-page list once, in order', async () => {
    expect(await uuidsOf(t.client.evals.listPrompts(EVAL, { limit: 3 }))).toEqual(PROMPTS.map((p) => p.prompt_uuid));
    const offsets = t.backend.api.requests.map((r) => r.offset).sort((a, b) => a - b);
    expect(offsets).toEqual([0, 3, 6]);
    const pages: number[] = [];
    for await (const page of t.client.evals.listPrompts(EVAL, { limit: 3 }).iterPages()) pages.push(page.items.length);
    expect(pages).toEqual([3, 3, 2]);
  });

  it('keeps categories as given (absent, null or a name), fills turn_number, keeps unknown fields', async () => {
    const prompts: EvalPrompt[] = [];
    for await (const prompt of t.client.evals.listPrompts(EVAL)) prompts.push(prompt);
    expect(prompts.map((p) => p.category)).toEqual(['jailbreak', 'privacy', null, undefined, 'jailbreak', 'privacy', null, undefined]);
    expect(prompts[5]?.turn_number).toBe(1);
    expect(prompts[1]?.turn_number).toBe(2);
    expect((prompts[2] as Record<string, unknown>).difficulty).toBe('hard');
  });

  it('a prompt that breaks the schema is an AymaraResponseValidationError with the JSON path of the problem', async () => {
    t.backend.api.inject({ body: JSON.stringify({ items: [{ prompt_uuid: 'p', content: 'ok' }, { prompt_uuid: 'q' }], count: 2 }), times: 1 });
    const error = await rejectionOf(t.client.evals.listPrompts(EVAL));
    expect(error).toBeInstanceOf(AymaraResponseValidationError);
    expect(error).toMatchObject({ path: '$.items[1].content', status: 200 });
  });

  it('an unknown eval, or one in another workspace, is a NotFoundError', async () => {
    for (const [uuid, params] of [
      ['eval-missing', undefined],
      [EVAL, { workspace_uuid: 'ws-someone-else' }],
    ] as const) {
      const error = await rejectionOf(t.client.evals.listPrompts(uuid, params));
      expect(error, uuid).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'resource.not_found' });
    }
  });

  it('bad input is an AymaraInputError naming the parameter, and nothing is sent', async () => {
    const bad: [unknown, unknown, string][] = [
      ['', undefined, 'eval_uuid'],
      ['..', undefined, 'eval_uuid'],
      ['e-\uDC00', undefined, 'eval_uuid'],
      [null, undefined, 'eval_uuid'],
      [EVAL, { limit: 0 }, 'limit'],
      [EVAL, { offset: -3 }, 'offset'],
      [EVAL, { offset: '3' }, 'offset'],
      [EVAL, { workspace_uuid: '' }, 'workspace_uuid'],
      [EVAL, { ofset: 3 }, 'offset'],
      [EVAL, { pageConcurrency: 2 }, 'request option'],
    ];
    for (const [uuid, params, named] of bad) {
      const error = await rejectionOf(t.client.evals.listPrompts(uuid as string, params as ListPromptsParams));
      expect(error, `listPrompts(${String(uuid)}, ${JSON.stringify(params)})`).toBeInstanceOf(AymaraInputError);
      expect((error as Error).message).toContain(named);
    }
    expect(t.backend.api.requests).toEqual([]);
  });
});
