/**
 * `client.evals.runs.get()`: a run's status (open to new values) and totals, a 404 for an unknown run or one in
 * another workspace, input checks before anything is sent, and the mock's status moving from `processing` to
 * `finished` (by polls, or by hand with `setRunStatus`).
 */
import { describe, expect, it } from 'vitest';
import { AuthenticationError, AymaraInputError, NotFoundError, type EvalRun, type EvalRunStatus, type GetRunParams } from 'aymara-ai';
import { generateResponses, type MockFixtures } from 'aymara-ai/testing';
import { BACKENDS, KEY, rejectionOf, useBackend } from './backends.js';

const WORKSPACE = 'ws-runs-get';
const RESPONSES = generateResponses(10, 46);
const STATUSES = ['created', 'processing', 'finished', 'failed', 'archived_by_retention'] as const;
const runUUID = (status: string) => `run-${status}`;
const POLLED = 'run-polled';
const BY_HAND = 'run-by-hand';
const ODD_UUID = 'run with/slash?&#';

const fixtures = (): MockFixtures => ({
  apiKey: KEY,
  runs: {
    ...Object.fromEntries(STATUSES.map((status) => [runUUID(status), { workspace_uuid: WORKSPACE, status, responses: RESPONSES }])),
    [POLLED]: { workspace_uuid: WORKSPACE, status: 'processing', finishAfter: { polls: 2 }, responses: RESPONSES },
    [BY_HAND]: { responses: RESPONSES, name: 'Nightly safety run', ai_description: 'A support bot' },
    [ODD_UUID]: { responses: [] },
  },
});

describe.each(BACKENDS)('runs.get against the $name', (kind) => {
  const t = useBackend(kind, fixtures);

  it.each(STATUSES)('reads a run whose status is %s (an unknown new status is accepted as is)', async (status) => {
    const run: EvalRun = await t.client.evals.runs.get(runUUID(status), { workspace_uuid: WORKSPACE });
    const seen: EvalRunStatus = run.status;
    expect(seen).toBe(status);
    expect(run).toMatchObject({ eval_run_uuid: runUUID(status), workspace_uuid: WORKSPACE, num_prompts: 10 });
    expect(typeof run.eval_uuid).toBe('string');
    expect(Number.isNaN(Date.parse(run.created_at))).toBe(false);
    if (status === 'finished') {
      expect(run.num_responses_scored).toBe(10);
      expect(run.pass_rate).toBeGreaterThanOrEqual(0);
      expect(run.pass_rate).toBeLessThanOrEqual(1);
    } else {
      expect(run.pass_rate).toBeNull();
    }
    const [request] = t.backend.api.requests;
    expect(request).toMatchObject({ method: 'GET', route: 'run', eval_run_uuid: runUUID(status), workspace_uuid: WORKSPACE });
    expect(request?.url.pathname).toBe(`/v2/eval-runs/${runUUID(status)}`);
  });

  it("keeps the fixture's run fields and sends only the parameters given", async () => {
    const run = await t.client.evals.runs.get(BY_HAND);
    expect(run).toMatchObject({ eval_run_uuid: BY_HAND, name: 'Nightly safety run', ai_description: 'A support bot', status: 'finished' });
    expect(t.backend.api.requests[0]?.url.search).toBe('');
  });

  it('a run uuid that needs escaping is sent as one encoded path segment', async () => {
    const run = await t.client.evals.runs.get(ODD_UUID);
    expect(run.eval_run_uuid).toBe(ODD_UUID);
    expect(t.backend.api.requests[0]?.url.pathname).toBe(`/v2/eval-runs/${encodeURIComponent(ODD_UUID)}`);
  });

  it('an unknown run is a NotFoundError (404 resource.not_found)', async () => {
    const error = await rejectionOf(t.client.evals.runs.get('run-does-not-exist'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'resource.not_found', requestId: expect.stringMatching(/^req_mock_/) });
  });

  it('a run in another workspace is a NotFoundError too, and so is a run without one when a workspace is named', async () => {
    for (const [run, workspace] of [
      [runUUID('finished'), 'ws-someone-else'],
      [BY_HAND, WORKSPACE],
    ] as const) {
      const error = await rejectionOf(t.client.evals.runs.get(run, { workspace_uuid: workspace }));
      expect(error, `${run} in ${workspace}`).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ status: 404, code: 'resource.not_found' });
    }
    expect(t.backend.api.requests.map((r) => r.workspace_uuid)).toEqual(['ws-someone-else', WORKSPACE]);
  });

  it('a wrong key is an AuthenticationError', async () => {
    const error = await rejectionOf(t.backend.client({ apiKey: 'wrong-key', maxRetries: 0 }).evals.runs.get(BY_HAND));
    expect(error).toBeInstanceOf(AuthenticationError);
  });

  it('bad input is an AymaraInputError before anything is sent', async () => {
    const bad: [unknown, unknown][] = [
      ['', undefined],
      ['.', undefined],
      ['..', undefined],
      ['run-\uD800', undefined],
      [42, undefined],
      [undefined, undefined],
      [null, undefined],
      [BY_HAND, { workspace_uuid: '' }],
      [BY_HAND, { workspace_uuid: 7 }],
      [BY_HAND, { workspace_uuid: 'ws-\uDC00' }],
      [BY_HAND, { limit: 10 }],
      [BY_HAND, { no_such_param: 'x' }],
      [BY_HAND, 'ws-as-a-string'],
      [BY_HAND, ['array']],
    ];
    for (const [uuid, params] of bad) {
      const error = await rejectionOf(t.client.evals.runs.get(uuid as string, params as GetRunParams));
      expect(error, `get(${String(uuid)}, ${JSON.stringify(params)})`).toBeInstanceOf(AymaraInputError);
    }
    const unknown = await rejectionOf(t.client.evals.runs.get(BY_HAND, { no_such_param: 'x' } as GetRunParams));
    expect((unknown as Error).message).toContain('no_such_param');
    const empty = await rejectionOf(t.client.evals.runs.get(''));
    expect((empty as Error).message).toContain('eval_run_uuid');
    // Bad request options too.
    for (const options of [{ timeout: -1 }, { maxRetries: 1.5 }, { headers: { 'x-a': 1 } }, { signal: 'stop' }]) {
      expect(await rejectionOf(t.client.evals.runs.get(BY_HAND, {}, options as never)), JSON.stringify(options)).toBeInstanceOf(AymaraInputError);
    }
    expect(t.backend.api.requests).toEqual([]);
  });

  it('a processing run with finishAfter: { polls: 2 } reads processing twice, its scored count growing, then finished', async () => {
    const reads: EvalRun[] = [];
    for (let i = 0; i < 4; i++) reads.push(await t.client.evals.runs.get(POLLED));
    expect(reads.map((r) => r.status)).toEqual(['processing', 'processing', 'finished', 'finished']);
    const scored = reads.map((r) => r.num_responses_scored ?? -1);
    expect(scored[0]).toBeLessThan(scored[1] as number);
    expect(scored[1]).toBeLessThan(10);
    expect(scored.slice(2)).toEqual([10, 10]);
    expect(reads.map((r) => r.pass_rate === null)).toEqual([true, true, false, false]);
    // Listing the responses does not count as a poll of the run.
    expect(t.backend.api.requests.every((r) => r.route === 'run')).toBe(true);
  });

  it('a CI gate polling until finished stops at the first finished read', async () => {
    t.backend.api.fixtures.runs['run-gate'] = { status: 'processing', finishAfter: { polls: 3 }, responses: RESPONSES };
    let run = await t.client.evals.runs.get('run-gate');
    let polls = 1;
    while (run.status !== 'finished' && polls < 10) {
      run = await t.client.evals.runs.get('run-gate');
      polls += 1;
    }
    expect(run.status).toBe('finished');
    expect(polls).toBe(4);
  });

  it('setRunStatus() changes the status from now on; undefined goes back to the fixture', async () => {
    expect((await t.client.evals.runs.get(BY_HAND)).status).toBe('finished');
    t.backend.api.setRunStatus(BY_HAND, 'processing');
    const processing = await t.client.evals.runs.get(BY_HAND);
    expect(processing.status).toBe('processing');
    expect(processing.pass_rate).toBeNull();
    t.backend.api.setRunStatus(BY_HAND, 'failed');
    expect((await t.client.evals.runs.get(BY_HAND)).status).toBe('failed');
    t.backend.api.setRunStatus(BY_HAND, 'paused_for_review');
    expect((await t.client.evals.runs.get(BY_HAND)).status).toBe('paused_for_review');
    t.backend.api.setRunStatus(BY_HAND, undefined);
    expect((await t.client.evals.runs.get(BY_HAND)).status).toBe('finished');
  });

  it('setRunStatus("finished") finishes a processing run before its polls are up', async () => {
    t.backend.api.fixtures.runs['run-forced'] = { status: 'processing', finishAfter: { polls: 100 }, responses: RESPONSES };
    expect((await t.client.evals.runs.get('run-forced')).status).toBe('processing');
    t.backend.api.setRunStatus('run-forced', 'finished');
    const run = await t.client.evals.runs.get('run-forced');
    expect(run).toMatchObject({ status: 'finished', num_responses_scored: 10 });
  });
});
