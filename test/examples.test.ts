import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type EvalScoredResponse } from 'aymara-ai';
import { summarizeResponses } from 'aymara-ai/analysis';
import { demoFixtures, DEMO_RUN_UUID, generateResponses, startMockServer, type MockFixtures, type MockServer } from 'aymara-ai/testing';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUN = 'run-examples-0001';
const SMALL_RUN = 'run-examples-small';
const UNSCORED_RUN = 'run-examples-unscored';
const PROCESSING_RUN = 'run-examples-processing';
const TRACE_RUN = 'run-examples-trace';

/** What summarizeResponses() gives for fixture responses, as it comes back through JSON. */
const summaryOf = (responses: readonly Record<string, unknown>[]) =>
  JSON.parse(JSON.stringify(summarizeResponses(responses as unknown as EvalScoredResponse[]))) as Record<string, unknown>;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <args>` from the repo root. Asynchronous on purpose: the mock server answers from this
 * process's event loop, which spawnSync would block.
 */
function run(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.AYMARA_AI_LOG;
    const child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What list-responses.ts should report for a set of responses. */
function expectedReport(responses: readonly Record<string, unknown>[]) {
  const passed = responses.filter((r) => r.is_passed === true).length;
  const failed = responses.filter((r) => r.is_passed === false);
  const refused = responses.filter((r) => r.ai_refused === true).length;
  const images = responses.filter((r) => r.content_type === 'image').length;
  const scored = passed + failed.length;
  return {
    count: responses.length,
    passed,
    failed: failed.length,
    refused,
    images,
    scored,
    rate: ((passed / scored) * 100).toFixed(1),
    firstFailures: failed.slice(0, 3).map((r) => String(r.prompt_uuid)),
  };
}

describe('examples against the mock server', () => {
  // 237 responses: three pages at the default limit of 100, plus the example's 5-item first page.
  const responses = generateResponses(237, 7);
  const small = generateResponses(40, 8);
  const unscored = generateResponses(3, 9).map((r) => ({ ...r, is_passed: null }));
  const fixtures: MockFixtures = {
    apiKey: 'examples-key',
    runs: {
      [RUN]: { responses },
      [SMALL_RUN]: { workspace_uuid: 'ws-lambda', responses: small },
      [UNSCORED_RUN]: { responses: unscored },
      [PROCESSING_RUN]: { status: 'processing', responses: unscored },
      [TRACE_RUN]: { responses: small },
    },
  };
  let server: MockServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startMockServer({ fixtures });
    env = { AYMARA_AI_API_KEY: fixtures.apiKey, AYMARA_AI_BASE_URL: server.url };
  });
  afterAll(() => server.close());

  it('the fixture data has every outcome the report counts', () => {
    const report = expectedReport(responses);
    expect(report.passed).toBeGreaterThan(0);
    expect(report.failed).toBeGreaterThan(3);
    expect(report.scored).toBeLessThan(report.count);
    expect(report.refused).toBeGreaterThan(0);
    expect(report.images).toBeGreaterThan(0);
  });

  it('list-responses.ts prints totals that match the fixture data', async () => {
    const before = server.api.requests.length;
    const { code, stdout, stderr } = await run(['--import', 'tsx', 'examples/list-responses.ts', RUN], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = expectedReport(responses);
    expect(stdout).toContain(`Eval run ${RUN}: ${report.count} responses (first page: 5 items, request id req_mock_`);
    expect(stdout).toContain(
      `Passed ${report.passed}, failed ${report.failed}, refused ${report.refused} (also counted in passed or failed when scored), image answers ${report.images}`,
    );
    expect(stdout).toContain(`Pass rate: ${report.rate}% of ${report.scored} scored responses`);
    const failures = [...stdout.matchAll(/^ {2}- (\S+): /gm)].map((m) => m[1]);
    expect(failures).toEqual(report.firstFailures);
    // The key went with every request, and the walk fetched every page: 1 for the first page + 3 for the 237.
    const requests = server.api.requests.slice(before);
    expect(requests.every((r) => r.headers['x-api-key'] === fixtures.apiKey)).toBe(true);
    expect(requests).toHaveLength(4);
  });

  it('list-responses.ts exits 2 with a usage line when no run is given', async () => {
    const { code, stderr } = await run(['--import', 'tsx', 'examples/list-responses.ts'], env);
    expect(code).toBe(2);
    expect(stderr).toContain('usage:');
  });

  it('handle-errors.ts prints each kind of failure', async () => {
    const { code, stdout, stderr } = await run(['--import', 'tsx', 'examples/handle-errors.ts', RUN], env);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe('A run that exists: ok');
    expect(lines[1]).toMatch(/^A run that does not: not found \(404 resource\.not_found, request id req_mock_\d+\)$/);
    expect(lines[2]).toMatch(/^A bad limit: bad input, nothing sent: .*`limit`/);
    expect(lines[3]).toBe('A wrong key: check your API key (401 auth.invalid_key)');
    expect(lines[4]).toMatch(/^Nobody listening: network problem \(AymaraConnectionError\): .*ECONNREFUSED/);
    expect(lines[5]).toMatch(/^Aborted by the caller: AymaraAbortError: /);
  });

  it('serverless-handler.ts reuses one client across invocations and keeps nothing else between them', async () => {
    vi.stubEnv('AYMARA_AI_API_KEY', fixtures.apiKey);
    vi.stubEnv('AYMARA_AI_BASE_URL', server.url);
    const { handler, getClient } = await import('../examples/serverless-handler.js');
    try {
      const before = server.api.requests.length;
      const invoke = async (event: Parameters<typeof handler>[0]) => {
        const result = await handler(event, { getRemainingTimeInMillis: () => 30_000 });
        return { statusCode: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
      };

      const first = await invoke({ pathParameters: { evalRunUUID: RUN } });
      expect(first).toEqual({ statusCode: 200, body: { evalRunUUID: RUN, ...summaryOf(responses) } });
      const client = getClient();

      expect(await invoke({ pathParameters: { evalRunUUID: SMALL_RUN }, queryStringParameters: { workspace_uuid: 'ws-lambda' } })).toEqual({
        statusCode: 200,
        body: { evalRunUUID: SMALL_RUN, ...summaryOf(small) },
      });
      const elsewhere = await invoke({ pathParameters: { evalRunUUID: SMALL_RUN }, queryStringParameters: { workspace_uuid: 'ws-other' } });
      expect(elsewhere.statusCode).toBe(404);
      expect(elsewhere.body).toMatchObject({ error: { code: 'resource.not_found', requestId: expect.stringMatching(/^req_mock_/) } });
      expect((await invoke({ pathParameters: null })).statusCode).toBe(400);
      // Upstream trouble is ours, not the caller's: a 500 that outlasts the retries is a 502; a 401 (our key) too.
      server.api.inject({ status: 500, headers: { 'retry-after-ms': '0' }, match: { eval_run_uuid: SMALL_RUN } });
      expect((await invoke({ pathParameters: { evalRunUUID: SMALL_RUN } })).statusCode).toBe(502);
      server.api.clearFaults();
      server.api.inject({ status: 401, times: 1 });
      expect((await invoke({ pathParameters: { evalRunUUID: SMALL_RUN } })).statusCode).toBe(502);
      // The same run again gives the same answer: nothing carried over from the invocations in between.
      expect(await invoke({ pathParameters: { evalRunUUID: RUN } })).toEqual(first);
      expect(await invoke({ pathParameters: { evalRunUUID: SMALL_RUN }, queryStringParameters: { workspace_uuid: 'ws-lambda' } })).toMatchObject({
        statusCode: 200,
      });

      // One client for every invocation, and its keep-alive pool: far fewer connections than invocations.
      expect(getClient()).toBe(client);
      const seen = server.api.requests.slice(before);
      expect(seen.length).toBeGreaterThanOrEqual(12);
      expect(new Set(seen.map((r) => r.connection)).size).toBeLessThanOrEqual(4);
    } finally {
      await getClient().close();
      vi.unstubAllEnvs();
    }
  });

  it('ci-gate.ts exits 0 at or over the threshold, 1 under it or with nothing scored, 2 on bad usage, 3 when the run cannot be read, 5 when it is not finished', async () => {
    const { passRate } = summarizeResponses(responses as unknown as EvalScoredResponse[]);
    if (passRate === null) throw new Error('the fixture run has scored responses');
    const rate = `${(passRate * 100).toFixed(1)}%`;
    const gate = (args: string[], extra: Record<string, string> = {}) => run(['--import', 'tsx', 'examples/ci-gate.ts', ...args], { ...env, ...extra });
    const [pass, failFromEnv, argvOverEnv, nothingScored, missing, usage, processing] = await Promise.all([
      gate([RUN, '0.5']),
      gate([RUN], { AYMARA_MIN_PASS_RATE: '0.99' }),
      gate([RUN, String(passRate)], { AYMARA_MIN_PASS_RATE: '0.99' }),
      gate([UNSCORED_RUN, '0']),
      gate(['no-such-run']),
      gate([RUN, '1.5']),
      gate([PROCESSING_RUN, '0']),
    ]);
    const summary = summarizeResponses(responses as unknown as EvalScoredResponse[]);
    expect(pass).toMatchObject({ code: 0, stderr: '' });
    expect(pass.stdout).toContain(`Eval run ${RUN}: ${responses.length} responses`);
    expect(pass.stdout).toContain(
      `passed ${summary.passed}, failed ${summary.failed}, unscored ${summary.unscored}, excluded ${summary.excluded}, refused ${summary.refused}`,
    );
    expect(pass.stdout).toContain(`PASS: pass rate ${rate}, threshold 50.0%`);
    expect(failFromEnv.code).toBe(1);
    expect(failFromEnv.stdout).toContain(`FAIL: pass rate ${rate}, threshold 99.0%`);
    expect(failFromEnv.stdout.match(/^ {2}failed \S+: /gm)).toHaveLength(5);
    expect(argvOverEnv.code).toBe(0);
    expect(nothingScored.code).toBe(1);
    expect(nothingScored.stdout).toContain('FAIL: no response was scored');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('Could not read eval run no-such-run');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage:');
    expect(processing.code).toBe(5);
    expect(processing.stderr).toContain(`Eval run ${PROCESSING_RUN} is processing (0 of ${unscored.length} scored): not gated`);
    expect(processing.stdout).toBe('');
  });

  it('tracing-middleware.ts sends a W3C traceparent on every attempt: one trace id, a new span id each', async () => {
    server.api.inject({ status: 503, times: 1, headers: { 'retry-after-ms': '0' }, match: { eval_run_uuid: TRACE_RUN } });
    const { code, stdout } = await run(['--import', 'tsx', 'examples/tracing-middleware.ts', TRACE_RUN], env);
    expect(code).toBe(0);
    const attempts = server.api.requests.filter((r) => r.eval_run_uuid === TRACE_RUN);
    expect(attempts).toHaveLength(2);
    const parsed = attempts.map((r) => /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(r.headers.traceparent ?? ''));
    for (const match of parsed) expect(match).not.toBeNull();
    const [traceId, ...others] = parsed.map((m) => m?.[1]);
    expect(others).toEqual([traceId]);
    expect(traceId).not.toMatch(/^0+$/);
    const spans = parsed.map((m) => m?.[2] ?? '');
    expect(new Set(spans).size).toBe(2);
    // The log names each attempt with the span the server saw.
    expect(stdout).toMatch(new RegExp(`trace=${traceId} span=${spans[0]} attempt=1 GET \\S+ -> 503`));
    expect(stdout).toMatch(new RegExp(`trace=${traceId} span=${spans[1]} attempt=2 GET \\S+ -> 200`));
    expect(stdout).toContain(`5 of ${small.length} responses`);
  });
});

describe('npm run demo', () => {
  it('runs scripts/demo.ts, exits 0 and prints the pass rate of the bundled run', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const [command, ...args] = (pkg.scripts.demo ?? '').split(' ');
    expect(command).toBe('node');
    expect(args).toContain('scripts/demo.ts');

    // As in a CI job: the demo must not act on it (no annotations, no job summary).
    const { code, stdout, stderr } = await run(args, {
      AYMARA_AI_API_KEY: '',
      AYMARA_AI_BASE_URL: '',
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: '/nonexistent/summary.md',
    });
    expect(code).toBe(0);
    const report = expectedReport(demoFixtures().runs[DEMO_RUN_UUID]?.responses ?? []);
    expect(report.count).toBeGreaterThan(0);
    expect(stdout).toContain(`Eval run ${DEMO_RUN_UUID}: ${report.count} responses`);
    expect(stdout).toContain(`Pass rate: ${report.rate}% of ${report.scored} scored responses`);
    expect(stdout).toContain('A run that does not: not found (404 resource.not_found');
    expect(stdout).toContain('A wrong key: check your API key (401 auth.invalid_key)');
    // compare latest finds the run's baseline, the summary and the comparison show categories, the HTML report is written.
    expect(stdout).toMatch(/^baseline: main-2026-11-24 \(e1a7c0de-0000-4000-a000-000000001124\), the latest finished run named main-\* of eval /m);
    expect(stdout).toMatch(/│ jailbreak +│/);
    expect(stdout).toContain('Pass rate by category:');
    const html = /^HTML report for a reviewer: (.+)$/m.exec(stdout)?.[1];
    expect(html).toBeDefined();
    expect(readFileSync(html as string, 'utf8').toLowerCase()).toContain('<!doctype html>');
    // On a terminal it reads as a terminal: no workflow commands, even when the demo itself runs in a CI job.
    expect(`${stdout}${stderr}`).not.toMatch(/^::/m);
    // Each line once: the regression's verdict is printed by the one run that gates it.
    expect(stderr.match(/^fail: /gm)).toHaveLength(1);
    // The terms are explained where they appear.
    expect(stdout).toMatch(/^\d+ regressed, \d+ fixed, 80 still failing \(passed in neither run: failed, unscored, excluded or missing\), /m);
    expect(stdout).toMatch(/│ refused +│ 45 \(also counted in passed, failed, excluded or unscored\) +│/);
    for (const step of [1, 2, 3, 4, 5, 6]) expect(stdout).toMatch(new RegExp(`^# ${step}\\. \\S`, 'm'));
    // The JUnit and markdown reports of the gating run, from the same read.
    expect(stdout).toMatch(/^JUnit report for the CI's test view: .+: 321 testcases, 15 failures \(the regressions and the gate\), 80 skipped/m);
    const markdown = /^Markdown report .*: (\S+\.md)$/m.exec(stdout)?.[1];
    expect(readFileSync(markdown as string, 'utf8')).toMatch(/^### ❌ Aymara eval: candidate /);
  });
});
