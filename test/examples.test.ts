import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFixtures, DEMO_RUN_UUID, generateResponses, startMockServer, type MockFixtures, type MockServer } from 'aymara-ai/testing';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUN = 'run-examples-0001';

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
  return { count: responses.length, passed, failed: failed.length, refused, images, scored, rate: ((passed / scored) * 100).toFixed(1), firstFailures: failed.slice(0, 3).map((r) => String(r.prompt_uuid)) };
}

describe('examples against the mock server', () => {
  // 237 responses: three pages at the default limit of 100, plus the example's 5-item first page.
  const responses = generateResponses(237, 7);
  const fixtures: MockFixtures = { apiKey: 'examples-key', runs: { [RUN]: { responses } } };
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
    expect(stdout).toContain(`Passed ${report.passed}, failed ${report.failed}, refused ${report.refused}, image answers ${report.images}`);
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
    expect(lines[4]).toMatch(/^Nobody listening: network problem \(AymaraConnectionError\): /);
    expect(lines[5]).toMatch(/^Aborted by the caller: AymaraAbortError: /);
  });
});

describe('npm run demo', () => {
  it('runs scripts/demo.ts, exits 0 and prints the pass rate of the bundled run', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    const [command, ...args] = (pkg.scripts.demo ?? '').split(' ');
    expect(command).toBe('node');
    expect(args).toContain('scripts/demo.ts');

    const { code, stdout } = await run(args, { AYMARA_AI_API_KEY: '', AYMARA_AI_BASE_URL: '' });
    expect(code).toBe(0);
    const report = expectedReport(demoFixtures().runs[DEMO_RUN_UUID]?.responses ?? []);
    expect(report.count).toBeGreaterThan(0);
    expect(stdout).toContain(`Eval run ${DEMO_RUN_UUID}: ${report.count} responses`);
    expect(stdout).toContain(`Pass rate: ${report.rate}% of ${report.scored} scored responses`);
    expect(stdout).toContain('A run that does not: not found (404 resource.not_found');
    expect(stdout).toContain('A wrong key: check your API key (401 auth.invalid_key)');
  });
});
