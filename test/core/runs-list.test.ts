/**
 * `client.evals.runs.list()`: the runs of an eval (or all of them), paged like every list, against the loopback mock
 * and msw with a default client.
 */
import { describe, expect, it } from 'vitest';
import { AymaraInputError, AymaraResponseValidationError, NotFoundError, type EvalRun, type EvalRunsPage, type ListRunsParams } from 'aymara-ai';
import { generateResponses, type MockFixtures } from 'aymara-ai/testing';
import { BACKENDS, KEY, rejectionOf, useBackend } from './backends.js';

const EVAL = 'eval-runs-list';
const OTHER_EVAL = 'eval/with slash&more';
const WORKSPACE = 'ws-runs-list';
const RESPONSES = generateResponses(3, 7);
/** 7 runs of EVAL (3 pages of 3), 2 of another eval, 1 in another workspace. */
const runsOfEval = Array.from({ length: 7 }, (_, i) => `run-${i}`);

const fixtures = (): MockFixtures => ({
  apiKey: KEY,
  runs: {
    ...Object.fromEntries(
      runsOfEval.map((uuid, i) => [
        uuid,
        {
          eval_uuid: EVAL,
          workspace_uuid: WORKSPACE,
          name: `main-2026-11-0${i + 1}`,
          created_at: `2026-11-0${i + 1}T12:00:00.000Z`,
          status: i === 6 ? 'processing' : 'finished',
          responses: RESPONSES,
          // A field this SDK version does not know: kept on the object.
          judge_version: `j${i}`,
        },
      ]),
    ),
    'other-1': { eval_uuid: OTHER_EVAL, workspace_uuid: WORKSPACE, responses: RESPONSES },
    'other-2': { eval_uuid: OTHER_EVAL, workspace_uuid: WORKSPACE, responses: RESPONSES },
    elsewhere: { eval_uuid: EVAL, workspace_uuid: 'ws-elsewhere', responses: RESPONSES },
  },
});

describe.each(BACKENDS)('runs.list against the $name', (kind) => {
  const t = useBackend(kind, fixtures);

  it('sends GET /v2/eval-runs with only the parameters given, the key and the usual headers', async () => {
    const page: EvalRunsPage = await t.client.evals.runs.list({ eval_uuid: EVAL, workspace_uuid: WORKSPACE });
    expect(page.count).toBe(7);
    const [request] = t.backend.api.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url.pathname).toBe('/v2/eval-runs');
    expect([...(request?.url.searchParams ?? [])]).toEqual([
      ['eval_uuid', EVAL],
      ['workspace_uuid', WORKSPACE],
    ]);
    expect(request?.headers).toMatchObject({ 'x-api-key': KEY, accept: 'application/json', 'x-stainless-retry-count': '0' });
    expect(request?.headers['user-agent']).toMatch(/^aymara-ai-typescript\/\d+\.\d+\.\d+ /);

    await t.client.evals.runs.list();
    expect(t.backend.api.requests[1]?.url.search).toBe('');
  });

  it('a parameter value that needs escaping is sent encoded and arrives intact', async () => {
    const page = await t.client.evals.runs.list({ eval_uuid: OTHER_EVAL, workspace_uuid: WORKSPACE });
    expect(page.items.map((r) => r.eval_run_uuid).sort()).toEqual(['other-1', 'other-2']);
    expect(t.backend.api.requests[0]?.url.search).toBe(`?eval_uuid=${encodeURIComponent(OTHER_EVAL)}&workspace_uuid=${WORKSPACE}`);
  });

  it('for await walks every page of a 3-page list once, in order, asking for each offset', async () => {
    const seen: EvalRun[] = [];
    for await (const run of t.client.evals.runs.list({ eval_uuid: EVAL, workspace_uuid: WORKSPACE, limit: 3 })) seen.push(run);
    expect(seen.map((r) => r.eval_run_uuid)).toEqual(runsOfEval);
    // The later pages are fetched concurrently: they may arrive in either order.
    const offsets = t.backend.api.requests.map((r) => [r.offset, r.limit]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
    expect(offsets).toEqual([
      [0, 3],
      [3, 3],
      [6, 3],
    ]);
  });

  it('iterPages() yields the three pages, and getNextPage() follows the first', async () => {
    const pages: string[][] = [];
    for await (const page of t.client.evals.runs.list({ eval_uuid: EVAL, workspace_uuid: WORKSPACE, limit: 3 }).iterPages()) {
      pages.push(page.items.map((r) => r.eval_run_uuid));
    }
    expect(pages).toEqual([runsOfEval.slice(0, 3), runsOfEval.slice(3, 6), runsOfEval.slice(6)]);
    const first = await t.client.evals.runs.list({ eval_uuid: EVAL, workspace_uuid: WORKSPACE, limit: 3 });
    expect(first.hasNextPage()).toBe(true);
    const second = await first.getNextPage();
    expect(second.items.map((r) => r.eval_run_uuid)).toEqual(runsOfEval.slice(3, 6));
  });

  it("keeps each run's fields, unknown ones included, and the page body's", async () => {
    const page = await t.client.evals.runs.list({ eval_uuid: EVAL, workspace_uuid: WORKSPACE, limit: 1 });
    const [run] = page.items;
    expect(run).toMatchObject({ eval_run_uuid: 'run-0', eval_uuid: EVAL, name: 'main-2026-11-01', created_at: '2026-11-01T12:00:00.000Z', status: 'finished' });
    expect((run as Record<string, unknown>).judge_version).toBe('j0');
    expect(page.body.count).toBe(7);
  });

  it('a run whose body breaks the schema is an AymaraResponseValidationError with the JSON path of the problem', async () => {
    t.backend.api.inject({
      body: JSON.stringify({ items: [{ eval_run_uuid: 'r', eval_uuid: 'e', status: 'finished', created_at: 'x' }], count: 1 }),
      times: 1,
    });
    const error = await rejectionOf(t.client.evals.runs.list());
    expect(error).toBeInstanceOf(AymaraResponseValidationError);
    expect(error).toMatchObject({ path: '$.items[0].updated_at', status: 200 });
  });

  it('a 404 is a NotFoundError', async () => {
    t.backend.api.inject({ status: 404, match: { route: 'runs' } });
    const error = await rejectionOf(t.client.evals.runs.list({ eval_uuid: EVAL }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'resource.not_found' });
  });

  it('bad input is an AymaraInputError naming the parameter, and nothing is sent', async () => {
    const bad: [unknown, string][] = [
      [{ eval_uuid: '' }, 'eval_uuid'],
      [{ eval_uuid: 7 }, 'eval_uuid'],
      [{ eval_uuid: 'e-\uD800' }, 'eval_uuid'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 2.5 }, 'limit'],
      [{ offset: -1 }, 'offset'],
      [{ workspace_uuid: '' }, 'workspace_uuid'],
      [{ evalUuid: EVAL }, 'eval_uuid'],
      [{ timeout: 5 }, 'request option'],
      ['eval-as-a-string', 'parameters'],
    ];
    for (const [params, named] of bad) {
      const error = await rejectionOf(t.client.evals.runs.list(params as ListRunsParams));
      expect(error, JSON.stringify(params)).toBeInstanceOf(AymaraInputError);
      expect((error as Error).message, JSON.stringify(params)).toContain(named);
    }
    expect(t.backend.api.requests).toEqual([]);
  });
});
