/**
 * What `summary` and `compare` hand to GitHub (publishToGitHub), tested in process: step outputs in GitHub's file
 * format that server text cannot forge, the pull-request comment created once and then updated in place (against a
 * mock GitHub REST API), the warnings that never change a verdict, the token kept to the API, and server text that
 * cannot mention anyone or link an issue.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResponsesSummary } from 'aymara-ai/analysis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { publishToGitHub } from '../src/cli/github.js';
import { formatOutput, stepOutputs } from '../src/cli/github/outputs.js';
import { commentBody, commentMarker } from '../src/cli/github/pr-comment.js';
import { mdText } from '../src/cli/markdown.js';
import type { CompareReport, SummaryReport } from '../src/cli/report-model.js';
import { parseOutputFile } from './helpers/action-runner.js';
import { expectInert } from './helpers/inert.js';
import { startMockGitHub, type MockGitHub } from './helpers/mock-github.js';

const TOKEN = 'ghs_mockTOKEN_write_0123456789';
const READ_ONLY = 'ghs_mockTOKEN_read_9876543210';
const HOSTILE = 'ask @someone about #12 and owner/repo#12 (GH-7, https://github.com/owner/repo/issues/12, www.example.com, a@b.io)';

const counts = (passed: number, failed: number) => ({
  total: passed + failed,
  passed,
  failed,
  refused: 0,
  excluded: 0,
  unscored: 0,
  passRate: passed + failed ? passed / (passed + failed) : null,
});
const run = (uuid: string) => ({ eval_run_uuid: uuid, name: `run ${uuid}`, created_at: '2026-12-01T09:00:00Z', status: 'finished' });
const evalInfo = { eval_uuid: 'eval-1', name: 'Jailbreaks', eval_type: 'safety', modality: 'text', language: 'en' };

function summaryReport(overrides: Partial<SummaryReport> = {}): SummaryReport {
  const summary: ResponsesSummary = { ...counts(3, 1), byContentType: {} };
  return {
    command: 'summary',
    eval: evalInfo,
    run: run('run-1'),
    summary,
    byCategory: [],
    failed: [],
    cases: [],
    gate: { ok: true, message: 'ok' },
    prompts: { available: true },
    ...overrides,
  };
}

function compareReport(overrides: Partial<CompareReport> = {}): CompareReport {
  const regressed = {
    prompt_uuid: 'p-1',
    category: 'jailbreak',
    prompt: 'q',
    answer: 'a',
    content_type: 'text',
    explanation: HOSTILE,
    confidence: 1,
    refused: false,
    baseline: 'passed',
    candidate: 'failed',
    baselineExplanation: undefined,
  } as const;
  return {
    command: 'compare',
    eval: evalInfo,
    baseline: { ...run('run-base'), chosen: { kind: 'latest', eval_uuid: 'eval-1', nameGlob: undefined, considered: 2 } },
    candidate: run('run-cand'),
    baselineCounts: counts(4, 0),
    candidateCounts: counts(3, 1),
    passRateChange: -0.25,
    byCategory: [],
    regressed: [regressed],
    fixed: [],
    stillFailing: [],
    stillPassing: 3,
    new: 0,
    missing: 0,
    stillPassingPrompts: [],
    newPrompts: [],
    missingUUIDs: [],
    duplicates: { baseline: [], candidate: [] },
    mcnemar: { regressed: 1, fixed: 0, pValue: 0.5, log10PValue: Math.log10(0.5) },
    checks: [{ ok: false, message: '1 case regressed: p-1' }],
    prompts: { available: true },
    ...overrides,
  };
}

/** A report as the renderers write it: server text through mdText. */
const markdownOf = (title: string) => `### ❌ ${title}\n\n| prompt | explanation |\n| --- | --- |\n| \`p-1\` | ${mdText(HOSTILE)} |\n`;

let scratch: string;
let github: MockGitHub;
let stderr: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'aymara-github-'));
  github = await startMockGitHub({ repository: 'octo/app', tokens: { [TOKEN]: 'write', [READ_ONLY]: 'read' }, existing: { 7: 150, 8: 3 } });
});
afterAll(async () => {
  await github.close();
  await rm(scratch, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

function captureStderr(): void {
  stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
}

async function prEnv(number: number, extra: Record<string, string | undefined> = {}): Promise<NodeJS.ProcessEnv> {
  const event = join(scratch, `event-${number}.json`);
  await writeFile(event, JSON.stringify({ action: 'synchronize', pull_request: { number } }));
  const base: NodeJS.ProcessEnv = {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_API_URL: github.url,
    GITHUB_TOKEN: TOKEN,
    GITHUB_STEP_SUMMARY: join(scratch, `summary-${number}.md`),
    GITHUB_OUTPUT: join(scratch, `output-${number}`),
  };
  return Object.fromEntries(Object.entries({ ...base, ...extra }).filter(([, value]) => value !== undefined));
}

const ours = (number: number) => (github.comments.get(number) ?? []).filter((c) => c.body.startsWith('<!-- aymara-ai:'));

describe('step outputs', () => {
  it('verdict, pass rates, baseline, regressed and fixed for summary, compare and a compare with no baseline', () => {
    expect(stepOutputs(compareReport())).toEqual({
      verdict: 'fail',
      'pass-rate': '0.75',
      baseline: 'run-base',
      'baseline-pass-rate': '1',
      regressed: '1',
      fixed: '0',
    });
    expect(stepOutputs(compareReport({ checks: [] })).verdict).toBe('pass');
    expect(stepOutputs(summaryReport())).toEqual({ verdict: 'pass', 'pass-rate': '0.75', baseline: '', 'baseline-pass-rate': '', regressed: '', fixed: '' });
    expect(stepOutputs(summaryReport({ gate: { ok: false, message: 'under' } })).verdict).toBe('fail');
    expect(stepOutputs(summaryReport({ gate: undefined, noBaseline: 'no finished run of eval-1 before run-1' })).verdict).toBe('no-baseline');
    // A failed gate is the verdict even with no baseline (--require-baseline, or --fail-under on the candidate).
    expect(stepOutputs(summaryReport({ gate: { ok: false, message: 'x' }, noBaseline: 'none' })).verdict).toBe('fail');
    expect(stepOutputs(summaryReport({ summary: { ...counts(0, 0), byContentType: {} } }))['pass-rate']).toBe('');
  });

  it('plain values as name=value; anything else in a random-delimiter block that server text cannot end or forge', () => {
    expect(formatOutput('pass-rate', '0.75')).toBe('pass-rate=0.75\n');
    expect(formatOutput('baseline', '')).toBe('baseline=\n');
    const hostile = 'run-x\nverdict=pass\nghadelimiter_\nEOF';
    const written = formatOutput('baseline', hostile) + formatOutput('verdict', 'fail');
    expect(written).toMatch(/^baseline<<ghadelimiter_[0-9a-f-]{36}\n/);
    expect(parseOutputFile(written)).toEqual({ baseline: hostile, verdict: 'fail' });
    // Two writes never share a delimiter.
    expect(formatOutput('a', 'x y')).not.toBe(formatOutput('a', 'x y'));
  });
});

describe('server text cannot act on GitHub', () => {
  it('mdText puts mentions, issue references and links in code spans; the rest stays plain text', () => {
    expect(mdText('ask @someone about #12 and owner/repo#12')).toBe('ask `@someone` about `#12` and `owner/repo#12`');
    expect(mdText('GH-7, https://github.com/o/r/issues/1 and www.x.io')).toBe('`GH-7`, `https://github.com/o/r/issues/1` and `www.x.io`');
    expect(mdText('mail a@b.io, @org/team')).toBe('mail `a@b.io`, `@org/team`');
    expect(mdText('a | b @x|y')).toBe('a \\| b `@x`\\|y');
    expect(mdText('no #hashtag, C# or 100% *bold*')).toBe('no #hashtag, C# or 100% \\*bold\\*');
    expect(mdText('a backtick `@x` stays in its own span')).toBe('a backtick \\``@x`\\` stays in its own span');
    expectInert(mdText(HOSTILE), 'mdText');
  });

  it('a marker names the command and the eval, in characters that cannot close the HTML comment', () => {
    expect(commentMarker(compareReport())).toBe('<!-- aymara-ai:compare:eval-1 -->');
    expect(commentMarker(summaryReport({ eval: undefined }))).toBe('<!-- aymara-ai:summary:run-1 -->');
    // `compare latest` that found no baseline reports the candidate alone, and is still the same comment.
    expect(commentMarker(summaryReport({ noBaseline: 'none' }))).toBe('<!-- aymara-ai:compare:eval-1 -->');
    expect(commentMarker(summaryReport({ eval: { ...evalInfo, eval_uuid: 'x --> <b>@y' } }))).toBe('<!-- aymara-ai:summary:x%20--%3e%20%3cb%3e%40y -->');
    const long = 'line\n'.repeat(20_000);
    const body = commentBody('<!-- m -->', long);
    expect(body.length).toBeLessThan(65_536);
    expect(body).toMatch(/^<!-- m -->\nline\n[\s\S]*line\n\n_The report is clipped to fit a comment: the job summary has all of it\._\n$/);
  });
});

describe('publishToGitHub', () => {
  it('on a pull request: the job summary, the outputs, and one comment, posted then updated in place (150 comments before it)', async () => {
    const env = await prEnv(7);
    captureStderr();
    const annotations = [{ title: 'Aymara: prompt p-1 regressed', message: HOSTILE }];
    await publishToGitHub({ report: compareReport(), markdown: markdownOf('first push'), annotations, prComment: true }, env);
    expect(ours(7)).toHaveLength(1);
    expect(ours(7)[0]?.body).toBe(`<!-- aymara-ai:compare:eval-1 -->\n${markdownOf('first push')}`);
    await publishToGitHub({ report: compareReport({ checks: [] }), markdown: markdownOf('second push'), annotations: [], prComment: true }, env);
    expect(github.comments.get(7)).toHaveLength(151);
    expect(ours(7)).toHaveLength(1);
    expect(ours(7)[0]?.body).toContain('second push');
    // Both pages of comments were read each time; then a POST, later a PATCH of the same comment.
    const calls = github.requests.filter((r) => r.url.includes('/issues/7/') || r.method === 'PATCH').map((r) => `${r.method} ${r.url}`);
    const id = ours(7)[0]?.id;
    expect(calls).toEqual([
      'GET /repos/octo/app/issues/7/comments?per_page=100&page=1',
      'GET /repos/octo/app/issues/7/comments?per_page=100&page=2',
      'POST /repos/octo/app/issues/7/comments',
      'GET /repos/octo/app/issues/7/comments?per_page=100&page=1',
      'GET /repos/octo/app/issues/7/comments?per_page=100&page=2',
      `PATCH /repos/octo/app/issues/comments/${id}`,
    ]);
    const summary = await readFile(env.GITHUB_STEP_SUMMARY as string, 'utf8');
    expect(summary).toBe(`${markdownOf('first push')}\n${markdownOf('second push')}\n`);
    expect(parseOutputFile(await readFile(env.GITHUB_OUTPUT as string, 'utf8'))).toEqual(stepOutputs(compareReport({ checks: [] })));
    expect(stderr).toContain('::error title=Aymara%3A prompt p-1 regressed::ask @someone');
    expect(stderr).toContain('note: posted the report on pull request 7\n');
    expect(stderr).toContain('note: updated the report on pull request 7\n');
    for (const text of [stderr, summary, ...ours(7).map((c) => c.body)]) expect(text).not.toContain(TOKEN);
    for (const text of [summary, ...ours(7).map((c) => c.body)]) expectInert(text.replace(/^### .*$/gm, ''), 'comment and summary');
    // The token went in the authorization header and nowhere else.
    for (const r of github.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect([r.url, r.body].join(' ')).not.toContain(TOKEN);
    }
  });

  it('never fails the gate: a read-only token (403), no token, another event, a bad API URL each only warn', async () => {
    captureStderr();
    const before = github.requests.length;
    const report = summaryReport();
    const publish = async (env: NodeJS.ProcessEnv) => publishToGitHub({ report, markdown: markdownOf('x'), annotations: [], prComment: true }, env);
    await publish(await prEnv(8, { GITHUB_TOKEN: READ_ONLY }));
    expect(stderr).toMatch(
      /^::warning::--pr-comment: no comment posted: POST \/repos\/octo\/app\/issues\/8\/comments answered HTTP 403: the token cannot comment on this pull request \(give the job `permissions: pull-requests: write`/m,
    );
    expect(github.requests.length).toBe(before + 2);
    expect(github.comments.get(8)).toHaveLength(3);
    stderr = '';
    await publish(await prEnv(8, { GITHUB_TOKEN: undefined }));
    expect(stderr).toMatch(/^::warning::--pr-comment: no comment posted: GITHUB_TOKEN is not set/m);
    stderr = '';
    await publish(await prEnv(8, { GITHUB_EVENT_NAME: 'push' }));
    expect(stderr).toMatch(/^::warning::--pr-comment: no comment posted: this is not a pull request event \(GITHUB_EVENT_NAME is "push"\)/m);
    stderr = '';
    await publish(await prEnv(8, { GITHUB_API_URL: 'http://api.github.example' }));
    expect(stderr).toMatch(/GITHUB_API_URL is not an https URL/);
    stderr = '';
    await publish(await prEnv(8, { GITHUB_TOKEN: `${TOKEN}\nx-injected: 1` }));
    expect(stderr).toMatch(/GITHUB_TOKEN is not a valid token/);
    expect(stderr).not.toContain(TOKEN);
    expect(stderr).not.toContain(READ_ONLY);
    // Only the read-only attempt reached the API.
    expect(github.requests.length).toBe(before + 2);
  });

  it('an API that cannot be reached is a warning, with no token in it', async () => {
    // A port nothing listens on any more: the connection is refused.
    const gone = await startMockGitHub({ repository: 'octo/app', tokens: {} });
    await gone.close();
    captureStderr();
    await publishToGitHub({ report: summaryReport(), markdown: 'x', annotations: [], prComment: true }, await prEnv(9, { GITHUB_API_URL: gone.url }));
    expect(stderr).toMatch(/^::warning::--pr-comment: no comment posted: network error \(ECONNREFUSED\)$/m);
    expect(stderr).not.toContain(TOKEN);
  });

  it('without --pr-comment nothing is sent to GitHub', async () => {
    captureStderr();
    const before = github.requests.length;
    await publishToGitHub({ report: summaryReport(), markdown: 'x', annotations: [], prComment: false }, await prEnv(7));
    expect(github.requests.length).toBe(before);
    expect(stderr).toBe('');
  });
});
