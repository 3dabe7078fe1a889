import { http, HttpResponse, type JsonBodyType } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z as classic } from 'zod';
import * as z from 'zod/mini';
import {
  AymaraAI,
  EvalRunSchema,
  EvalScoredResponseSchema,
  EvalScoredResponsesPageSchema,
  ListResponsesParamsSchema,
  type EvalScoredResponse,
} from 'aymara-ai';

const BASE = 'https://api.parsing.test';
const msw = setupServer();
let client: AymaraAI;

beforeAll(() => {
  msw.listen({ onUnhandledFrame: 'error' });
  // After listen(): msw replaces the global fetch, and the client keeps the function it is given.
  client = new AymaraAI({ apiKey: 'k', baseURL: BASE, fetch: globalThis.fetch, maxRetries: 0 });
});
afterEach(() => msw.resetHandlers());
afterAll(async () => {
  msw.close();
  await client.close();
});

/** Serves `body` as the page of every request. */
function serve(body: JsonBodyType): void {
  msw.use(http.get(`${BASE}/v2/eval-runs/:id/responses`, () => HttpResponse.json(body)));
}

async function onlyItem(item: Record<string, unknown>): Promise<EvalScoredResponse> {
  serve({ items: [item], count: 1 });
  const page = await client.evals.runs.listResponses('run');
  expect(page.items).toHaveLength(1);
  return page.items[0] as EvalScoredResponse;
}

describe('documented defaults', () => {
  it('fills every documented default when the API leaves the fields out', async () => {
    const item = await onlyItem({ prompt_uuid: 'p-1' });
    expect(item.prompt_uuid).toBe('p-1');
    expect(item.turn_number).toBe(1);
    expect(item.continue_thread).toBe(false);
    expect(item.content_type).toBe('text');
    expect(item.exclude_from_scoring).toBe(false);
    expect(item.ai_refused).toBe(false);
  });

  it('keeps the values the API sends over the defaults', async () => {
    const item = await onlyItem({
      prompt_uuid: 'p-1',
      turn_number: 3,
      continue_thread: true,
      content_type: 'image',
      exclude_from_scoring: true,
      ai_refused: true,
    });
    expect(item).toMatchObject({ turn_number: 3, continue_thread: true, content_type: 'image', exclude_from_scoring: true, ai_refused: true });
  });

  it('fills next_prompt.turn_number with 1', async () => {
    const item = await onlyItem({ prompt_uuid: 'p-1', next_prompt: { prompt_uuid: 'p-2', content: 'And then?' } });
    expect(item.next_prompt?.prompt_uuid).toBe('p-2');
    expect(item.next_prompt?.content).toBe('And then?');
    expect(item.next_prompt?.turn_number).toBe(1);
  });

  it('fills defaults in every item of the page, and in items seen by for await', async () => {
    serve({ items: [{ prompt_uuid: 'a' }, { prompt_uuid: 'b', turn_number: 2 }], count: 2 });
    const seen: EvalScoredResponse[] = [];
    for await (const r of client.evals.runs.listResponses('run')) seen.push(r);
    expect(seen.map((r) => [r.prompt_uuid, r.turn_number, r.content_type, r.ai_refused])).toEqual([
      ['a', 1, 'text', false],
      ['b', 2, 'text', false],
    ]);
  });
});

describe('content', () => {
  it('accepts a string', async () => {
    expect((await onlyItem({ prompt_uuid: 'p', content: 'I cannot help with that.' })).content).toBe('I cannot help with that.');
  });

  it('accepts null', async () => {
    expect((await onlyItem({ prompt_uuid: 'p', content: null })).content).toBeNull();
  });

  it('accepts a file reference object', async () => {
    const item = await onlyItem({
      prompt_uuid: 'p',
      content_type: 'image',
      content: { file_uuid: 'f-1', remote_file_path: 's3://bucket/f-1.png' },
    });
    expect(item.content).toEqual({ file_uuid: 'f-1', remote_file_path: 's3://bucket/f-1.png' });
  });

  it('accepts a file reference with null or missing fields', async () => {
    expect((await onlyItem({ prompt_uuid: 'p', content: { file_uuid: null, remote_file_path: 'x.png' } })).content).toEqual({
      file_uuid: null,
      remote_file_path: 'x.png',
    });
    expect((await onlyItem({ prompt_uuid: 'p', content: { file_uuid: 'f-2' } })).content).toMatchObject({ file_uuid: 'f-2' });
  });
});

describe('the API may grow', () => {
  it('keeps unknown fields of an item', async () => {
    const item = await onlyItem({ prompt_uuid: 'p', severity: 'high', scores: { a: 1 } });
    expect((item as Record<string, unknown>).severity).toBe('high');
    expect((item as Record<string, unknown>).scores).toEqual({ a: 1 });
  });

  it('keeps unknown fields of next_prompt', async () => {
    const item = await onlyItem({ prompt_uuid: 'p', next_prompt: { prompt_uuid: 'p2', content: 'c', language: 'fr' } });
    expect((item.next_prompt as Record<string, unknown>).language).toBe('fr');
  });

  it('keeps unknown fields of a file reference', async () => {
    const item = await onlyItem({ prompt_uuid: 'p', content: { file_uuid: 'f', mime_type: 'image/png' } });
    expect((item.content as Record<string, unknown>).mime_type).toBe('image/png');
  });

  it('keeps unknown fields of the page in the exported page schema', () => {
    const parsed = EvalScoredResponsesPageSchema.parse({ items: [{ prompt_uuid: 'p' }], count: 1, next_cursor: 'abc', took_ms: 12 });
    expect(parsed).toMatchObject({ count: 1, next_cursor: 'abc', took_ms: 12 });
    expect(parsed.items[0]).toMatchObject({ prompt_uuid: 'p', turn_number: 1 });
  });

  it('parses a page with unknown top-level fields', async () => {
    serve({ items: [{ prompt_uuid: 'p' }], count: 1, next_cursor: 'abc' });
    const page = await client.evals.runs.listResponses('run');
    expect(page.items.map((r) => r.prompt_uuid)).toEqual(['p']);
    expect(page.count).toBe(1);
  });

  it('keeps a field named __proto__ as plain data, wherever it is and however its letters are written', async () => {
    const text = `{"items":[{"prompt_uuid":"p-1","__proto__":{"polluted":true},"next_prompt":{"prompt_uuid":"n-1","content":"c","\\u005f_proto__":[1]}}],"count":1,"__proto__":"top"}`;
    msw.use(http.get(`${BASE}/v2/eval-runs/:id/responses`, () => new HttpResponse(text, { headers: { 'content-type': 'application/json' } })));
    const page = await client.evals.runs.listResponses('run');
    const item = page.items[0] as EvalScoredResponse & Record<string, unknown>;
    // Own, enumerable properties with the values sent; no prototype changed, nothing polluted.
    expect(Object.getOwnPropertyDescriptor(item, '__proto__')).toMatchObject({ value: { polluted: true }, enumerable: true });
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(item.next_prompt, '__proto__')?.value).toEqual([1]);
    expect(Object.getOwnPropertyDescriptor(page.body, '__proto__')?.value).toBe('top');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // JSON.stringify writes them back as they came.
    expect(JSON.stringify(item)).toContain('"__proto__":{"polluted":true}');
    expect(item.turn_number).toBe(1);
  });

  it('accepts an unknown content_type', async () => {
    const item = await onlyItem({ prompt_uuid: 'p', content_type: 'audio', content: { file_uuid: 'f-a' } });
    expect(item.content_type).toBe('audio');
  });
});

describe('fields the official SDK knows', () => {
  const updater = { email: 'qa@example.com', is_admin: false, is_impersonating: false, feature_flags: { enable_dashboard: true } };

  it('parses manual updates: manually_updated, _at, _by and update_history', async () => {
    const item = await onlyItem({
      prompt_uuid: 'p',
      is_passed: true,
      manually_updated: true,
      manually_updated_at: '2026-11-30T10:00:00Z',
      manually_updated_by: {
        ...updater,
        organization: { name: 'Acme', org_uuid: 'o-1' },
        workspace: { name: 'QA', workspace_uuid: 'w-1' },
        org_admin_emails: ['admin@example.com'],
      },
      update_history: [
        {
          answer_history_uuid: 'h-1',
          updated_at: '2026-11-30T10:00:00Z',
          previous_is_passed: false,
          new_is_passed: true,
          previous_explanation: 'leak',
          new_explanation: null,
          updated_by: updater,
        },
      ],
    });
    expect(item.manually_updated).toBe(true);
    expect(item.manually_updated_at).toBe('2026-11-30T10:00:00Z');
    expect(item.manually_updated_by?.email).toBe('qa@example.com');
    expect(item.manually_updated_by?.organization?.org_uuid).toBe('o-1');
    expect(item.manually_updated_by?.workspace?.workspace_uuid).toBe('w-1');
    expect(item.update_history?.[0]).toMatchObject({ answer_history_uuid: 'h-1', previous_is_passed: false, new_is_passed: true, new_explanation: null });
    expect(item.update_history?.[0]?.updated_by?.feature_flags.enable_dashboard).toBe(true);
  });

  it('each is optional and nullable', async () => {
    const absent = await onlyItem({ prompt_uuid: 'p' });
    expect(absent.manually_updated).toBeUndefined();
    expect(absent.update_history).toBeUndefined();
    const nulls = await onlyItem({ prompt_uuid: 'p', manually_updated: null, manually_updated_at: null, manually_updated_by: null, update_history: null });
    expect(nulls).toMatchObject({ manually_updated: null, manually_updated_at: null, manually_updated_by: null, update_history: null });
  });

  it('a wrongly typed one is a validation error at its path', async () => {
    serve({ items: [{ prompt_uuid: 'p', update_history: [{ updated_at: 'x' }] }], count: 1 });
    await expect(client.evals.runs.listResponses('run')).rejects.toMatchObject({ path: '$.items[0].update_history[0].answer_history_uuid' });
  });

  it("accepts content_type 'video'", async () => {
    const item = await onlyItem({ prompt_uuid: 'p', content_type: 'video', content: { file_uuid: 'f-v', remote_file_path: 's3://b/v.mp4' } });
    expect(item.content_type).toBe('video');
  });
});

describe('page.body', () => {
  it('is the whole parsed body, unknown top-level fields included', async () => {
    serve({ items: [{ prompt_uuid: 'p' }], count: 1, next_cursor: 'abc' });
    const page = await client.evals.runs.listResponses('run');
    expect(page.body.count).toBe(1);
    expect(page.body.items[0]).toMatchObject({ prompt_uuid: 'p', turn_number: 1 });
    expect((page.body as Record<string, unknown>).next_cursor).toBe('abc');
  });
});

describe('nullable fields', () => {
  it('accepts null for every nullable field', async () => {
    const item = await onlyItem({
      prompt_uuid: 'p',
      thread_uuid: null,
      content: null,
      response_uuid: null,
      explanation: null,
      confidence: null,
      is_passed: null,
      next_prompt: null,
    });
    expect(item).toMatchObject({
      thread_uuid: null,
      content: null,
      response_uuid: null,
      explanation: null,
      confidence: null,
      is_passed: null,
      next_prompt: null,
    });
  });

  it('accepts null for the nullable fields of next_prompt', async () => {
    const item = await onlyItem({ prompt_uuid: 'p', next_prompt: { prompt_uuid: 'p2', content: 'c', thread_uuid: null, category: null } });
    expect(item.next_prompt).toMatchObject({ prompt_uuid: 'p2', thread_uuid: null, category: null, turn_number: 1 });
  });

  it('keeps scored values as sent', async () => {
    const item = await onlyItem({ prompt_uuid: 'p', is_passed: false, confidence: 0.25, explanation: 'leaks the prompt', response_uuid: 'r-1' });
    expect(item).toMatchObject({ is_passed: false, confidence: 0.25, explanation: 'leaks the prompt', response_uuid: 'r-1' });
  });
});

describe('count', () => {
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ prompt_uuid: `p-${i}` }));

  it('is the total from the API, not the page length', async () => {
    serve({ items: items(2), count: 57 });
    const page = await client.evals.runs.listResponses('run', { limit: 2 });
    expect(page.count).toBe(57);
    expect(page.items).toHaveLength(2);
  });

  it.each([
    // [offset, items on the page, count, has a next page]
    [0, 2, 5, true],
    [0, 2, 2, false],
    [3, 2, 5, false],
    [3, 2, 6, true],
    [0, 0, 5, false],
    [10, 1, 5, false],
  ])('offset %i with %i items and count %i -> hasNextPage() %s', async (offset, n, count, expected) => {
    serve({ items: items(n), count });
    const page = await client.evals.runs.listResponses('run', { offset });
    expect(page.hasNextPage()).toBe(expected);
  });
});

describe('the exported schemas, for zod users', () => {
  it('parse with their own methods and with zod/mini functions, filling defaults', () => {
    expect(EvalScoredResponseSchema.safeParse({ prompt_uuid: 'p' })).toMatchObject({
      success: true,
      data: { prompt_uuid: 'p', turn_number: 1, content_type: 'text' },
    });
    expect(EvalScoredResponseSchema.safeParse({}).success).toBe(false);
    expect(z.parse(EvalRunSchema, { eval_run_uuid: 'r', eval_uuid: 'e', status: 'paused', created_at: 'a', updated_at: 'b' }).status).toBe('paused');
    expect(ListResponsesParamsSchema.safeParse({ limit: 0 }).success).toBe(false);
  });

  it('compose into classic zod and zod/mini schemas', () => {
    const classicWrapper = classic.object({ responses: classic.array(EvalScoredResponseSchema) });
    expect(classicWrapper.parse({ responses: [{ prompt_uuid: 'p' }] }).responses[0]).toMatchObject({ prompt_uuid: 'p', ai_refused: false });
    expect(classicWrapper.safeParse({ responses: [{}] }).success).toBe(false);
    const extended = z.extend(EvalScoredResponseSchema, { severity: z.string() });
    expect(z.parse(extended, { prompt_uuid: 'p', severity: 'high' })).toMatchObject({ prompt_uuid: 'p', severity: 'high', turn_number: 1 });
    expect(z.safeParse(extended, { prompt_uuid: 'p' }).success).toBe(false);
  });
});
