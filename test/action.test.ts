/**
 * The GitHub Action (action.yml), tested without GitHub: its `run:` steps run with bash in a simulated runner
 * (test/helpers/action-runner.ts) against the mock Aymara API and a mock GitHub REST API. The runner's `npx` is a
 * shim that accepts only `aymara-ai@<package.json's version>` and runs this repository's build, so every run also
 * proves the action runs the CLI of its own version.
 */
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYAML } from 'yaml';
import { startMockServer, type MockFixtures, type MockServer } from 'aymara-ai/testing';
import { CLI, ensureBuiltBeforeAll, ROOT } from './cli-harness.js';
import { evaluate, interpolate, readAction, runAction, type ActionFile, type ActionRun } from './helpers/action-runner.js';
import { expectInert } from './helpers/inert.js';
import { startMockGitHub, type MockGitHub } from './helpers/mock-github.js';

ensureBuiltBeforeAll();

const KEY = 'sk-action-SECRET-4242';
const TOKEN = 'ghs_action_WRITE_token_0001';
const READ_ONLY = 'ghs_action_READ_token_0002';
const REPOSITORY = 'octo/app';
const HOSTILE = 'ask @someone about #12 and owner/repo#12';

const { version: VERSION } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const ACTION: ActionFile = await readAction(join(ROOT, 'action.yml'));

// --- fixtures: one eval with four runs, and an eval with a single run ---------------------------------------------

const PROMPTS = Array.from({ length: 10 }, (_, i) => ({ prompt_uuid: `p-${i}`, content: `question ${i}`, category: i < 5 ? 'jailbreak' : 'privacy' }));
const passed = (i: number) => ({ prompt_uuid: `p-${i}`, content: `answer ${i}`, is_passed: true, explanation: 'fine', content_type: 'text' });
const failed = (i: number) => ({
  prompt_uuid: `p-${i}`,
  content: `answer ${i}`,
  is_passed: false,
  explanation: `${HOSTILE} (case ${i})`,
  content_type: 'text',
});
const ALL_PASS = PROMPTS.map((_, i) => passed(i));
const THREE_FAIL = PROMPTS.map((_, i) => (i < 3 ? failed(i) : passed(i)));

const FIXTURES: MockFixtures = {
  apiKey: KEY,
  evals: { 'eval-gate': { name: 'Gate eval', prompts: PROMPTS }, 'eval-new': { name: 'New eval', prompts: PROMPTS } },
  runs: {
    'run-base': { eval_uuid: 'eval-gate', name: 'main-1', created_at: '2026-11-01T09:00:00Z', responses: ALL_PASS },
    'run-pass': { eval_uuid: 'eval-gate', name: 'pr-1', created_at: '2026-11-02T09:00:00Z', responses: ALL_PASS },
    'run-fail': { eval_uuid: 'eval-gate', name: 'pr-2', created_at: '2026-11-03T09:00:00Z', responses: THREE_FAIL },
    'run-pending': { eval_uuid: 'eval-gate', name: 'pr-3', created_at: '2026-11-04T09:00:00Z', status: 'processing', responses: ALL_PASS },
    'run-new': { eval_uuid: 'eval-new', name: 'first', created_at: '2026-11-05T09:00:00Z', responses: ALL_PASS },
  },
};

let aymara: MockServer;
let github: MockGitHub;
let scratch: string;
/** Every simulated run, for the leak check at the end. */
const runs: Simulated[] = [];

beforeAll(async () => {
  aymara = await startMockServer({ fixtures: FIXTURES });
  github = await startMockGitHub({ repository: REPOSITORY, tokens: { [TOKEN]: 'write', [READ_ONLY]: 'read' }, existing: { 42: 120 } });
  scratch = await mkdtemp(join(tmpdir(), 'aymara-action-'));
});

afterAll(async () => {
  await Promise.all([aymara.close(), github.close()]);
  await rm(scratch, { recursive: true, force: true });
});

// --- the simulated runner ------------------------------------------------------------------------------------------

/** The runner's `npx`: this repository's build for exactly `npx --yes aymara-ai@<version>`, else a loud failure. */
const CLI_SHIM = `#!/usr/bin/env bash
if [ "$#" -lt 2 ] || [ "$1" != "--yes" ] || [ "$2" != "aymara-ai@${VERSION}" ]; then
  echo "shim npx: expected npx --yes aymara-ai@${VERSION} ..., got: npx $*" >&2
  exit 97
fi
shift 2
exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"
`;

/** An `npx` that records the arguments (NUL-separated) and the secrets it was given, and runs nothing. */
const RECORDING_SHIM = `#!/usr/bin/env bash
[ "$1" = "--yes" ] && [ "$2" = "aymara-ai@${VERSION}" ] || { echo "shim npx: wrong package $2" >&2; exit 97; }
shift 2
for arg in "$@"; do printf '%s\\0' "$arg"; done > "$RUNNER_TEMP/args"
printf '%s\\0%s' "$AYMARA_AI_API_KEY" "$GITHUB_TOKEN" > "$RUNNER_TEMP/secrets"
`;

interface SimulateOptions {
  inputs: Record<string, string>;
  event?: string;
  pr?: number;
  token?: string;
  shim?: 'cli' | 'record';
}

interface Simulated extends ActionRun {
  dir: string;
  workspace: string;
  temp: string;
  /** Each `run:` step's stdout and stderr. */
  log: string;
}

let counter = 0;

async function simulate({ inputs, event = 'pull_request', pr = 42, token = TOKEN, shim = 'cli' }: SimulateOptions): Promise<Simulated> {
  const dir = join(scratch, `run-${++counter}`);
  const [workspace, temp, bin] = ['workspace', 'temp', 'bin'].map((d) => join(dir, d)) as [string, string, string];
  await Promise.all([workspace, temp, bin].map((d) => mkdir(d, { recursive: true })));
  await writeFile(join(bin, 'npx'), shim === 'cli' ? CLI_SHIM : RECORDING_SHIM);
  await chmod(join(bin, 'npx'), 0o755);
  const eventPath = join(temp, 'event.json');
  await writeFile(
    eventPath,
    JSON.stringify(event.startsWith('pull_request') ? { action: 'synchronize', pull_request: { number: pr } } : { ref: 'refs/heads/main' }),
  );
  // A runner's environment: none of this machine's GitHub, Aymara or proxy variables.
  const inherited = Object.entries(process.env).filter(
    (e): e is [string, string] => e[1] !== undefined && !/^(AYMARA_AI_|GITHUB_|RUNNER_)|_proxy$/i.test(e[0]),
  );
  const env: Record<string, string> = {
    ...Object.fromEntries(inherited),
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_API_URL: github.url,
    GITHUB_WORKSPACE: workspace,
    GITHUB_JOB: 'gate',
    RUNNER_TEMP: temp,
  };
  const githubContext = { event_name: event, token, repository: REPOSITORY, api_url: github.url, job: 'gate', workspace };
  const result = await runAction({
    action: ACTION,
    inputs: { 'base-url': aymara.url, 'api-key': KEY, ...inputs },
    github: githubContext,
    env,
    temp,
    workspace,
  });
  const log = result.steps.map((s) => `${s.stdout ?? ''}${s.stderr ?? ''}`).join('');
  expect(log).not.toContain('shim npx:');
  const simulated = { ...result, dir, workspace, temp, log };
  runs.push(simulated);
  return simulated;
}

const gate = (run: ActionRun) => run.steps.find((s) => s.step.id === 'gate');
const upload = (run: ActionRun) => run.steps.find((s) => s.step.uses?.startsWith('actions/upload-artifact@'));
const ours = () => (github.comments.get(42) ?? []).filter((c) => c.body.startsWith('<!-- aymara-ai:'));

// --- the simulated runner itself -----------------------------------------------------------------------------------

describe('the simulated runner', () => {
  it('evaluates expressions as a runner does: contexts, status functions, comparisons, || and &&', () => {
    const context = { inputs: { html: 'a.html', junit: '' }, steps: { gate: { outputs: { verdict: 'PASS' } } }, github: { token: 't' } };
    const ok = { failed: false };
    expect(evaluate("always() && inputs.html != ''", context, { failed: true })).toBe(true);
    expect(evaluate("success() && inputs.junit != ''", context, ok)).toBe(false);
    expect(evaluate("steps.gate.outputs.verdict == 'pass'", context, ok)).toBe(true);
    expect(evaluate("inputs.junit || 'none'", context, ok)).toBe('none');
    expect(evaluate("!failure() && (github.token == 't')", context, ok)).toBe(true);
    expect(interpolate('x-${{ steps.gate.outputs.missing }}-${{ github.token }}', context)).toBe('x--t');
  });
});

// --- the action file -----------------------------------------------------------------------------------------------

describe('action.yml', () => {
  it('runs the CLI at the version of package.json, and so do the README and CHANGELOG pins', async () => {
    const scripts = ACTION.runs.steps.map((s) => s.run ?? '').join('\n');
    const pins = [...scripts.matchAll(/\bnpx --yes aymara-ai@(\S+)/g)].map((m) => m[1]);
    expect(pins).toEqual([VERSION]);
    const docs = (await Promise.all(['README.md', 'CHANGELOG.md'].map((f) => readFile(join(ROOT, f), 'utf8')))).join('\n');
    const docPins = [...docs.matchAll(/\baymara-ai@(\d[\w.-]*)/g)].map((m) => m[1]);
    expect(docPins.length).toBeGreaterThan(0);
    expect(new Set(docPins)).toEqual(new Set([VERSION]));
    // The release notes' newest entry is this version's.
    expect(/^## (\S+)/m.exec(docs.slice(docs.indexOf('# Changelog')))?.[1]).toBe(VERSION);
  });

  it("the README's CI section leads with a whole workflow of at most 15 lines, using only the action's inputs", async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## CI\n'));
    const workflow = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    expect(workflow.trimEnd().split('\n').length).toBeLessThanOrEqual(15);
    const parsed = parseYAML(workflow) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }> };
    const steps = Object.values(parsed.jobs).flatMap((job) => job.steps);
    expect(steps).toHaveLength(1);
    expect(steps[0]?.uses).toMatch(/@v0$/);
    for (const input of Object.keys(steps[0]?.with ?? {})) expect(ACTION.inputs).toHaveProperty([input]);
  });

  it('has an input for every gate flag, and the outputs of the CLI plus the report paths', () => {
    expect(Object.keys(ACTION.inputs).sort()).toEqual(
      [
        'api-key',
        'run',
        'baseline',
        'baseline-name',
        'require-baseline',
        'fail-under',
        'fail-on-regression',
        'alpha',
        'max-drop',
        'wait',
        'workspace',
        'base-url',
        'comment',
        'junit',
        'html',
        'github-token',
      ].sort(),
    );
    expect([ACTION.inputs['api-key']?.required, ACTION.inputs.run?.required]).toEqual([true, true]);
    expect([ACTION.inputs.comment?.default, ACTION.inputs.junit?.default, ACTION.inputs.html?.default]).toEqual([
      'true',
      'aymara-report.xml',
      'aymara-report.html',
    ]);
    expect(Object.keys(ACTION.outputs).sort()).toEqual(
      ['verdict', 'pass-rate', 'baseline', 'baseline-pass-rate', 'regressed', 'fixed', 'junit', 'html'].sort(),
    );
  });

  it('passes inputs to scripts through env only (no expression in a script), the key as AYMARA_AI_API_KEY only', () => {
    for (const step of ACTION.runs.steps.filter((s) => s.run !== undefined)) {
      expect(step.run).not.toContain('${{');
      expect(step.shell).toBe('bash');
    }
    const env = ACTION.runs.steps.flatMap((s) => Object.entries(s.env ?? {}));
    expect(env.filter(([, value]) => value.includes('inputs.api-key'))).toEqual([['AYMARA_AI_API_KEY', '${{ inputs.api-key }}']]);
  });

  it('uploads the HTML report with actions/upload-artifact@v4 under if: always(), so a failed gate keeps its report', () => {
    const step = ACTION.runs.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(step?.uses).toBe('actions/upload-artifact@v4');
    expect(step?.if).toBe("always() && inputs.html != ''");
    expect(step?.with?.path).toBe('${{ inputs.html }}');
  });
});

// --- inputs to arguments (the CLI not run) -------------------------------------------------------------------------

async function recorded(options: Omit<SimulateOptions, 'shim'>): Promise<{ run: Simulated; args: string[]; key: string; token: string }> {
  const run = await simulate({ ...options, shim: 'record' });
  const read = async (name: string) => (await readFile(join(run.temp, name), 'utf8').catch(() => '')).split('\0');
  const args = (await read('args')).slice(0, -1);
  const [key = '', token = ''] = await read('secrets');
  return { run, args, key, token };
}

describe('the action turns its inputs into the CLI arguments', () => {
  it('no baseline: summary with the absolute gate, the reports and, on a pull request, --pr-comment', async () => {
    const { run, args, key, token } = await recorded({ inputs: { run: 'run-pass', 'fail-under': '0.9', 'fail-on-regression': 'true' } });
    expect(run.outcome).toBe('success');
    expect(args).toEqual([
      'summary',
      'run-pass',
      '--fail-under',
      '0.9',
      '--base-url',
      aymara.url,
      '--report',
      'junit=aymara-report.xml',
      '--report',
      'html=aymara-report.html',
      '--pr-comment',
    ]);
    // The secrets reach the CLI in its environment, never as arguments.
    expect([key, token]).toEqual([KEY, TOKEN]);
    expect(args.join(' ')).not.toContain(KEY);
  });

  it('a baseline: compare with every compare gate; --wait; no --pr-comment off a pull request or with comment: false', async () => {
    const inputs = {
      run: 'run-fail',
      baseline: 'latest',
      'baseline-name': 'main-*',
      'require-baseline': 'true',
      'fail-under': '90%',
      'fail-on-regression': 'true',
      alpha: '0.05',
      'max-drop': '0.1',
      wait: '15m',
      workspace: 'ws-1',
      junit: 'out/eval.xml',
      html: '',
    };
    const push = await recorded({ inputs, event: 'push' });
    expect(push.args).toEqual([
      'compare',
      'latest',
      'run-fail',
      '--baseline-name',
      'main-*',
      '--require-baseline',
      '--fail-on-regression',
      '--alpha',
      '0.05',
      '--max-drop',
      '0.1',
      '--fail-under',
      '90%',
      '--wait=15m',
      '--workspace',
      'ws-1',
      '--base-url',
      aymara.url,
      '--report',
      'junit=out/eval.xml',
    ]);
    // No HTML report asked for: nothing to upload.
    expect(upload(push.run)?.ran).toBe(false);
    const off = await recorded({ inputs: { run: 'run-fail', comment: 'false', wait: 'true' } });
    expect(off.args).toContain('--wait');
    expect(upload(off.run)).toMatchObject({ ran: true, with: { path: 'aymara-report.html' } });
    expect(off.args).not.toContain('--pr-comment');
    expect((await recorded({ inputs: { run: 'run-fail' }, event: 'pull_request_target' })).args).toContain('--pr-comment');
  });

  it('an input cannot run a command: it stays one argument, whatever it holds', async () => {
    const evil = `x"; touch pwned-1; echo "$(touch pwned-2)\`touch pwned-3\``;
    const { run, args } = await recorded({ inputs: { run: evil, baseline: `$(touch pwned-4)`, 'baseline-name': "'; touch pwned-5 #" } });
    expect(args.slice(0, 3)).toEqual(['compare', '$(touch pwned-4)', evil]);
    expect(args).toContain("'; touch pwned-5 #");
    expect((await readdir(run.workspace)).filter((f) => f.startsWith('pwned'))).toEqual([]);
    // Named after the run, in characters an artifact name may hold.
    expect(gate(run)?.outputs?.artifact).toMatch(/^aymara-report-[\w.-]+$/);
  });

  it('a boolean input that is neither true nor false is a usage error (exit 2), not silently false', async () => {
    const { run } = await recorded({ inputs: { run: 'run-pass', baseline: 'latest', 'fail-on-regression': 'yes' } });
    expect(run.outcome).toBe('failure');
    expect(gate(run)?.code).toBe(2);
    expect(gate(run)?.stderr).toContain('::error::input fail-on-regression must be true or false');
  });
});

// --- end to end: the CLI against the mock APIs ---------------------------------------------------------------------

/** The reports and outputs a run left, for the checks below. */
async function files(run: Simulated): Promise<{ junit: string; html: string }> {
  const read = (name: string) => readFile(join(run.workspace, name), 'utf8').catch(() => '');
  return { junit: await read('aymara-report.xml'), html: await read('aymara-report.html') };
}

describe('in a simulated runner, against the mock Aymara API and a mock GitHub API', () => {
  const gated = { baseline: 'latest', 'fail-under': '0.6', 'fail-on-regression': 'true' };

  it('pass, then fail, on one pull request: the comment is posted once, then updated in place', async () => {
    const pass = await simulate({ inputs: { run: 'run-pass', ...gated } });
    expect(pass.outcome).toBe('success');
    expect(gate(pass)?.code).toBe(0);
    expect(pass.outputs).toMatchObject({ verdict: 'pass', 'pass-rate': '1', baseline: 'run-base', 'baseline-pass-rate': '1', regressed: '0', fixed: '0' });
    expect(pass.outputs).toMatchObject({ junit: 'aymara-report.xml', html: 'aymara-report.html' });
    expect(pass.summary).toMatch(/^### ✅ /m);
    const reports = await files(pass);
    expect(reports.junit).toContain('<testsuites');
    expect(reports.html).toMatch(/<html/i);
    expect(upload(pass)).toMatchObject({ ran: true, with: { path: 'aymara-report.html', name: 'aymara-report-run-pass' } });
    expect(ours()).toHaveLength(1);
    const first = ours()[0]?.body;
    expect(first).toMatch(/^<!-- aymara-ai:compare:eval-gate -->\n/);

    const fail = await simulate({ inputs: { run: 'run-fail', ...gated } });
    expect(fail.outcome).toBe('failure');
    expect(gate(fail)?.code).toBe(1);
    expect(fail.outputs).toMatchObject({ verdict: 'fail', 'pass-rate': '0.7', baseline: 'run-pass', 'baseline-pass-rate': '1', regressed: '3', fixed: '0' });
    // The report is still uploaded: the upload step runs after a failed gate.
    expect(upload(fail)).toMatchObject({ ran: true, with: { path: 'aymara-report.html' } });
    expect((await files(fail)).html).toMatch(/<html/i);
    expect(fail.log).toContain('::error title=Aymara%3A prompt p-0 regressed::');
    // One comment, updated in place, now the failing report.
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.body).not.toBe(first);
    expect(ours()[0]?.body).toMatch(/^<!-- aymara-ai:compare:eval-gate -->\n### ❌ /);
    expect(github.comments.get(42)).toHaveLength(121);
    // The server's explanation mentions no one and links nothing, in the comment or in the job summary.
    expect(fail.summary).toContain('someone');
    for (const text of [ours()[0]?.body ?? '', fail.summary]) expectInert(text.replace(/^#+ .*$/gm, ''), 'comment and summary');
  });

  it('summary when no baseline is given: the absolute gate alone', async () => {
    const run = await simulate({ inputs: { run: 'run-fail', 'fail-under': '0.9' }, event: 'push' });
    expect(run.outcome).toBe('failure');
    expect(gate(run)?.code).toBe(1);
    expect(run.outputs).toMatchObject({ verdict: 'fail', 'pass-rate': '0.7', baseline: '', regressed: '' });
    expect(run.summary).toContain('#### Failed prompts (3)');
  });

  it('a run not finished: exit 5, the step fails, the upload step still runs', async () => {
    const run = await simulate({ inputs: { run: 'run-pending', ...gated }, pr: 43 });
    expect(run.outcome).toBe('failure');
    expect(gate(run)?.code).toBe(5);
    expect(gate(run)?.stderr).toMatch(/not finished: candidate run run-pending is not finished/);
    expect(upload(run)?.ran).toBe(true);
    expect(run.outputs.verdict).toBe('');
    expect(github.comments.get(43)).toBeUndefined();
  });

  it('an eval with no earlier run: no baseline, exit 0 with a note, verdict no-baseline; 1 with require-baseline', async () => {
    const run = await simulate({ inputs: { run: 'run-new', ...gated }, pr: 44 });
    expect(run.outcome).toBe('success');
    expect(run.outputs).toMatchObject({ verdict: 'no-baseline', 'pass-rate': '1', baseline: '', 'baseline-pass-rate': '', regressed: '', fixed: '' });
    expect(github.comments.get(44)?.[0]?.body).toMatch(/^<!-- aymara-ai:compare:eval-new -->\n/);
    const required = await simulate({ inputs: { run: 'run-new', ...gated, 'require-baseline': 'true' }, pr: 44 });
    expect(required.outcome).toBe('failure');
    expect(gate(required)?.code).toBe(1);
    expect(required.outputs.verdict).toBe('fail');
    expect(github.comments.get(44)).toHaveLength(1);
  });

  it('a token without write permission: a warning, no comment, and the verdict unchanged (exit 0)', async () => {
    const run = await simulate({ inputs: { run: 'run-pass', ...gated }, pr: 45, token: READ_ONLY });
    expect(run.outcome).toBe('success');
    expect(gate(run)?.code).toBe(0);
    expect(run.log).toMatch(/::warning::--pr-comment: no comment posted: .*HTTP 403/);
    expect(github.comments.get(45)).toBeUndefined();
    expect(run.outputs.verdict).toBe('pass');
  });

  it('no key and no token in any log, output, summary, comment or report of any run', async () => {
    expect(runs.length).toBeGreaterThanOrEqual(10);
    const texts: [string, string][] = [];
    for (const run of runs) {
      texts.push([`${run.dir}: log`, run.log], [`${run.dir}: summary`, run.summary], [`${run.dir}: outputs`, JSON.stringify(run.outputs)]);
      for (const step of run.steps) texts.push([`${run.dir}: step outputs`, JSON.stringify(step.outputs ?? {})], [`${run.dir}: script`, step.script ?? '']);
      for (const name of await readdir(run.workspace, { recursive: true })) {
        texts.push([`${run.dir}: ${name}`, await readFile(join(run.workspace, name), 'utf8').catch(() => '')]);
      }
    }
    for (const comment of [...github.comments.values()].flat()) texts.push([`comment ${comment.id}`, comment.body]);
    for (const request of github.requests) texts.push([`GitHub ${request.method} ${request.url}`, `${request.url} ${request.body}`]);
    const leaks = texts.filter(([, text]) => [KEY, TOKEN, READ_ONLY].some((secret) => text.includes(secret))).map(([where]) => where);
    expect(leaks).toEqual([]);
  });
});
