/**
 * The CLI as a CI gate, run as users run it (the built bin against the mock API of `aymara-ai/testing`):
 * only finished runs are gated (exit 5, --wait), `compare` and its gates, JUnit output read back by two
 * independent JUnit consumers, and the GitHub Actions job summary and annotations.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseJUnit, type TestCase as JUnitCase, type TestSuite as JUnitSuite } from 'junit2json';
import { convertJUnitToCTRFReport } from 'junit-to-ctrf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEvals } from './helpers/gate-reports.js';
import { startMockServer, type MockFixtures, type MockServer } from 'aymara-ai/testing';
import { ensureBuiltBeforeAll, runCLI, type Run } from './cli-harness.js';
import { OUTCOME_FIELDS, type Outcome } from './helpers/outcomes.js';

ensureBuiltBeforeAll();

const KEY = 'sk-cli-ci-SECRET-123';
type Item = Record<string, unknown>;

function item(id: string, outcome: Outcome, explanation = `${id}: ${outcome}`): Item {
  const fields = OUTCOME_FIELDS[outcome];
  return { prompt_uuid: id, content: `answer to ${id}`, explanation, ...fields };
}

const id = (i: number) => `case-${String(i).padStart(2, '0')}`;
/** The baseline: case-00..29 pass, 30..35 and 39 fail, 36 unscored, 37 and 38 excluded. */
const baseOutcome = (i: number): Outcome => (i < 30 ? 'passed' : i === 36 ? 'unscored' : i === 37 || i === 38 ? 'excluded' : 'failed');
const BASE: Item[] = Array.from({ length: 40 }, (_, i) => item(id(i), baseOutcome(i)));

/** The baseline with some cases changed (id -> outcome and explanation), some removed, some added. */
function variant(changes: Record<string, [Outcome, string?]>, options: { drop?: string[]; add?: Item[] } = {}): Item[] {
  const kept = BASE.filter((r) => !options.drop?.includes(r.prompt_uuid as string));
  return [
    ...kept.map((r) => (changes[r.prompt_uuid as string] ? item(r.prompt_uuid as string, ...(changes[r.prompt_uuid as string] as [Outcome, string?])) : r)),
    ...(options.add ?? []),
  ];
}

const LEAK = 'now leaks the system prompt';
/** 4 regressed (2 failed, 1 unscored, 1 excluded), 1 fixed, 1 new: p = P(X >= 4 | 5) = 6/32. */
const REG = variant(
  { [id(1)]: ['failed', LEAK], [id(2)]: ['failed', LEAK], [id(3)]: ['unscored'], [id(4)]: ['excluded'], [id(30)]: ['passed'] },
  { add: [item('new-01', 'failed')] },
);
/** 1 regressed, 1 fixed: noise (p = 3/4). */
const NOISE = variant({ [id(5)]: ['failed', 'a flip of the judge'], [id(31)]: ['passed'] });
/** 12 regressed, 1 fixed: p = P(X >= 12 | 13) = 14/8192. */
const BAD = variant({ ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [id(i), ['failed', LEAK]])), [id(30)]: ['passed'] });
/** 1 regressed to unscored, 6 fixed: p = 127/128, but a missing result is not noise. */
const UNJUDGED = variant({ [id(6)]: ['unscored'], ...Object.fromEntries([30, 31, 32, 33, 34, 35].map((i) => [id(i), ['passed']])) });
/** Lacks case-07 (passed) and case-39 (failed). */
const MISSING = variant({}, { drop: [id(7), id(39)] });
/** Repeats case-08. */
const DUP = [...BASE, item(id(8), 'passed')];

const RUNS = {
  base: 'run-base',
  reg: 'run-reg',
  noise: 'run-noise',
  bad: 'run-bad',
  unjudged: 'run-unjudged',
  missing: 'run-missing',
  dup: 'run-dup',
  same: 'run-same',
  processing: 'run-processing',
  failed: 'run-failed',
  created: 'run-created',
  slow: 'run-slow',
  manual: 'run-manual',
  empty: 'run-empty',
} as const;

const FIXTURES: MockFixtures = withEvals({
  apiKey: KEY,
  runs: {
    [RUNS.base]: { responses: BASE },
    [RUNS.reg]: { responses: REG },
    [RUNS.noise]: { responses: NOISE },
    [RUNS.bad]: { responses: BAD },
    [RUNS.unjudged]: { responses: UNJUDGED },
    [RUNS.missing]: { responses: MISSING },
    [RUNS.dup]: { responses: DUP },
    [RUNS.same]: { responses: BASE },
    [RUNS.processing]: { status: 'processing', finishAfter: { polls: 3 }, responses: REG },
    [RUNS.failed]: { status: 'failed', responses: BASE },
    [RUNS.created]: { status: 'created', responses: [] },
    [RUNS.slow]: { status: 'processing', finishAfter: { polls: 1_000_000 }, responses: BASE },
    [RUNS.manual]: { status: 'processing', responses: BASE },
    [RUNS.empty]: { responses: [] },
  },
});

let server: MockServer;
const servers: MockServer[] = [];
const printed: string[] = [];
let scratch: string;

async function fresh(): Promise<MockServer> {
  const s = await startMockServer({ fixtures: FIXTURES });
  servers.push(s);
  return s;
}

async function cli(args: readonly string[], options: { server?: MockServer; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  const run = await runCLI(args, { key: KEY, baseURL: (options.server ?? server).url, env: options.env });
  printed.push(run.stdout, run.stderr);
  return run;
}

beforeAll(async () => {
  server = await fresh();
  scratch = await mkdtemp(join(tmpdir(), 'aymara-cli-ci-'));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(scratch, { recursive: true, force: true });
});

// --- 1. finished runs only -------------------------------------------------------------------------------------

describe('only finished runs are gated (exit 5)', () => {
  it('summary and compare refuse a processing, failed or created run with its status and progress, before reading responses', async () => {
    const s = await fresh();
    const [processing, failed, created, compareCandidate, compareBoth, gatedResponses] = await Promise.all([
      cli(['summary', RUNS.processing, '--fail-under', '0'], { server: s }),
      cli(['summary', RUNS.failed, '--format', 'json'], { server: s }),
      cli(['summary', RUNS.created], { server: s }),
      cli(['compare', RUNS.base, RUNS.failed, '--fail-on-regression'], { server: s }),
      cli(['compare', RUNS.created, RUNS.failed], { server: s }),
      cli(['responses', RUNS.slow, '--format', 'ndjson', '--fail-under', '0.5'], { server: s }),
    ]);
    for (const run of [processing, failed, created, compareCandidate, compareBoth, gatedResponses]) {
      expect(run.code).toBe(5);
      expect(run.stdout).toBe('');
    }
    // The mock scores a processing run a quarter at a time (finishAfter polls: 3): after 1 read of 4, 10 of 41.
    expect(processing.stderr).toBe(
      `not finished: run ${RUNS.processing} is not finished (processing: 10 of 41 scored): it is not gated until it is; use --wait to wait for it\n`,
    );
    expect(failed.stderr).toMatch(new RegExp(`^not finished: run ${RUNS.failed} failed \\(failed: 0 of 40 scored\\): a failed run is not gated\\n$`));
    expect(created.stderr).toMatch(/^not finished: run run-created is not finished \(created: 0 of 0 scored\)/);
    expect(compareCandidate.stderr).toMatch(/^not finished: candidate run run-failed failed \(failed: 0 of 40 scored\)/m);
    expect(compareCandidate.stderr).not.toContain('baseline run');
    // Both runs are read, and both are named.
    expect(compareBoth.stderr).toMatch(/^not finished: baseline run run-created is not finished \(created/m);
    expect(compareBoth.stderr).toMatch(/^not finished: candidate run run-failed failed/m);
    expect(gatedResponses.stderr).toMatch(/processing: 0 of 40 scored/);
    // No response was read for a run that was not finished.
    expect(s.api.requests.filter((r) => r.route === 'responses')).toEqual([]);
  });

  it('responses without a gate prints a run as it is, finished or not; with --wait it waits first', async () => {
    const s = await fresh();
    const run = await cli(['responses', RUNS.slow, '--format', 'ndjson'], { server: s });
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(BASE.length);
    expect(s.api.requests.map((r) => r.route)).toEqual(['responses']);
    const waited = await cli(['responses', RUNS.processing, '--format', 'ndjson', '--wait=30s'], { server: s });
    expect(waited.code).toBe(0);
    expect(waited.stderr).toMatch(/run run-processing finished/);
    expect(waited.stdout.trimEnd().split('\n')).toHaveLength(REG.length);
  });

  it('--wait polls with backoff until the run finishes, showing progress on stderr, then gates it', async () => {
    const s = await fresh();
    const run = await cli(['summary', RUNS.processing, '--format', 'json', '--fail-under', '0.5', '--wait'], { server: s });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ eval_run_uuid: RUNS.processing, total: REG.length });
    const runReads = s.api.requests.filter((r) => r.route === 'run');
    // finishAfter polls 3: processing on reads 1-3, finished on the 4th.
    expect(runReads).toHaveLength(4);
    // In a log (stderr is a pipe) a line per change of progress, no carriage returns, then the verdict.
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).toMatch(/^waiting for run run-processing \(up to 10m\): processing: 10 of 41 scored\n/);
    expect(run.stderr).toContain('processing: 20 of 41 scored\n');
    expect(run.stderr).toContain('processing: 30 of 41 scored\n');
    expect(run.stderr).toMatch(/run run-processing finished after \d+s: finished: 41 of 41 scored\n/);
    expect(run.stderr).toMatch(/^ok: pass rate/m);
    // The backoff waits 250 ms, then longer: 3 waits take at least 0.2+0.3+0.45 s (with -20% jitter).
    const gaps = runReads.slice(1).map((r, i) => r.receivedAt - (runReads[i] as { receivedAt: number }).receivedAt);
    expect(gaps.length).toBe(3);
    expect(gaps[0]).toBeGreaterThanOrEqual(190);
    expect(gaps[2]).toBeGreaterThan(gaps[0] as number);
  });

  it('--wait=DURATION gives up with exit 5 when the time is up, and a run that fails during the wait is exit 5', async () => {
    const s = await fresh();
    const pending = cli(['summary', RUNS.manual, '--wait=1m'], { server: s });
    const slow = cli(['compare', RUNS.base, RUNS.slow, '--wait=1s'], { server: s });
    // Let the first wait begin, then fail the run by hand.
    await new Promise((resolve) => setTimeout(resolve, 600));
    s.api.setRunStatus(RUNS.manual, 'failed');
    const [failedDuringWait, timedOut] = await Promise.all([pending, slow]);
    expect(failedDuringWait.code).toBe(5);
    expect(failedDuringWait.stderr).toMatch(/^not finished: run run-manual failed/m);
    expect(timedOut.code).toBe(5);
    expect(timedOut.stderr).toMatch(/^not finished: candidate run run-slow is still not finished after waiting 1s \(processing: 0 of 40 scored\)$/m);
    expect(timedOut.stdout).toBe('');
  });

  it('a run set to finished by hand ends the wait with exit 0', async () => {
    const s = await fresh();
    const pending = cli(['compare', RUNS.base, RUNS.manual, '--wait=1m', '--format', 'json'], { server: s });
    await new Promise((resolve) => setTimeout(resolve, 600));
    s.api.setRunStatus(RUNS.manual, 'finished');
    const run = await pending;
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ counts: { regressed: 0, fixed: 0 }, gate: { passed: true } });
  });

  it('a run the API does not know is exit 3 (404), not 5', async () => {
    const run = await cli(['compare', RUNS.base, 'no-such-run']);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/resource\.not_found/);
  });
});

// --- 2. compare --------------------------------------------------------------------------------------------------

interface CompareJSON {
  baseline: Item;
  candidate: Item;
  pass_rate_change: number | null;
  counts: Record<string, number>;
  mcnemar: { regressed: number; fixed: number; p_value: number };
  duplicates: { baseline: string[]; candidate: string[] };
  regressed: Item[];
  fixed: Item[];
  still_failing: Item[];
  new: Item[];
  missing: string[];
  gate: { passed: boolean; checks: { ok: boolean; message: string }[] };
}

describe('compare', () => {
  it('pairs by prompt_uuid: regressed, fixed, still failing, new; pass rates and their change (json)', async () => {
    const run = await cli(['compare', RUNS.base, RUNS.reg, '--format', 'json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const c = JSON.parse(run.stdout) as CompareJSON;
    expect(c.regressed.map((x) => [x.prompt_uuid, x.baseline, x.candidate, x.explanation])).toEqual([
      [id(1), 'passed', 'failed', LEAK],
      [id(2), 'passed', 'failed', LEAK],
      [id(3), 'passed', 'unscored', `${id(3)}: unscored`],
      [id(4), 'passed', 'excluded', `${id(4)}: excluded`],
    ]);
    expect(c.fixed.map((x) => x.prompt_uuid)).toEqual([id(30)]);
    expect(c.still_failing.map((x) => x.prompt_uuid)).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39].map(id));
    expect(c.new).toEqual([
      expect.objectContaining({ prompt_uuid: 'new-01', baseline: 'missing', candidate: 'failed', explanation: 'new-01: failed', baseline_explanation: null }),
    ]);
    expect(c.counts).toEqual({ regressed: 4, fixed: 1, still_failing: 9, still_passing: 26, new: 1, missing: 0 });
    expect(c.baseline).toMatchObject({ eval_run_uuid: RUNS.base, total: 40, passed: 30, failed: 7, unscored: 1, excluded: 2, pass_rate: 30 / 37 });
    expect(c.candidate).toMatchObject({ eval_run_uuid: RUNS.reg, total: 41, passed: 27, failed: 9, unscored: 2, excluded: 3, pass_rate: 27 / 36 });
    expect(c.pass_rate_change).toBeCloseTo(27 / 36 - 30 / 37, 12);
    expect(c.mcnemar).toMatchObject({ regressed: 4, fixed: 1 });
    expect(c.mcnemar.p_value).toBeCloseTo(6 / 32, 12);
    expect(c.gate).toEqual({ passed: true, checks: [] });
  });

  it('gates: --fail-on-regression, --alpha (McNemar) and --max-drop, each with its verdict on stderr', async () => {
    const cases: [string, string[], number, RegExp][] = [
      ['regressions fail --fail-on-regression', [RUNS.reg, '--fail-on-regression'], 1, /^fail: 4 cases regressed: case-01, case-02, case-03, case-04$/m],
      ['no regression passes it', [RUNS.same, '--fail-on-regression'], 0, /^ok: no case regressed$/m],
      ['one flip each way fails --fail-on-regression', [RUNS.noise, '--fail-on-regression'], 1, /^fail: 1 case regressed: case-05$/m],
      [
        'but is noise for --alpha 0.05',
        [RUNS.noise, '--alpha', '0.05'],
        0,
        /^ok: McNemar's exact test \(one-sided\): p = 0\.75 for 1 regressed against 1 fixed; not significant at alpha 0\.05$/m,
      ],
      ['--alpha overrides --fail-on-regression', [RUNS.noise, '--alpha', '0.05', '--fail-on-regression'], 0, /not significant at alpha 0\.05/],
      [
        '12 against 1 is significant at 0.05',
        [RUNS.bad, '--alpha', '0.05'],
        1,
        /^fail: McNemar's exact test \(one-sided\): p = 0\.001709 for 12 regressed against 1 fixed; the candidate is worse \(p < 0\.05\)$/m,
      ],
      ['but not at 0.001', [RUNS.bad, '--alpha', '0.001'], 0, /^ok: McNemar.*p = 0\.001709 .*not significant at alpha 0\.001$/m],
      [
        'a case left unscored fails --alpha whatever p says',
        [RUNS.unjudged, '--alpha', '5%'],
        1,
        /^fail: 1 case that passed in the baseline has no result in the candidate \(unscored or excluded\): case-06$/m,
      ],
      [
        '--max-drop: 29.7 points fell, 30 allowed',
        [RUNS.bad, '--max-drop', '0.3'],
        0,
        /^ok: the pass rate changed by -29\.7 points \(from 81\.1% to 51\.4%\), within the 30\.0 points allowed drop$/m,
      ],
      [
        '--max-drop: 25 allowed',
        [RUNS.bad, '--max-drop', '25%'],
        1,
        /^fail: the pass rate fell by 29\.7 points \(from 81\.1% to 51\.4%\), more than the 25\.0 points allowed$/m,
      ],
      ['--max-drop with nothing scored in the candidate', [RUNS.empty, '--max-drop', '1'], 1, /^fail: the pass-rate change is undefined/m],
      [
        'missing cases fail with no flag at all',
        [RUNS.missing],
        1,
        /^fail: the candidate run lacks 2 cases of the baseline: case-07, case-39 \(a missing case is not a passing case\)$/m,
      ],
      [
        'a duplicate in the candidate fails with no flag',
        [RUNS.dup],
        1,
        /^fail: the candidate run repeats 1 prompt_uuid: case-08; pairing them would be a guess/m,
      ],
    ];
    const runs = await Promise.all(cases.map(([, [candidate, ...flags]]) => cli(['compare', RUNS.base, candidate as string, '--format', 'json', ...flags])));
    cases.forEach(([name, , code, message], i) => {
      const run = runs[i] as Run;
      expect({ name, code: run.code }).toEqual({ name, code });
      expect(run.stderr).toMatch(message);
      const report = JSON.parse(run.stdout) as CompareJSON;
      expect(report.gate.passed).toBe(code === 0);
    });
  });

  it('a duplicate in the baseline fails too, naming it; --quiet keeps the fail lines', async () => {
    const run = await cli(['compare', RUNS.dup, RUNS.base, '--quiet']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('fail: the baseline run repeats 1 prompt_uuid: case-08; pairing them would be a guess, so the comparison is not sound\n');
    expect(run.stdout).toContain('Repeated prompt_uuids in the baseline (1): case-08');
  });

  it('both runs are read first, then fetched concurrently', async () => {
    const s = await fresh();
    const run = await cli(['compare', RUNS.base, RUNS.reg, '--page-size', '4', '--quiet'], { server: s });
    expect(run.code).toBe(0);
    const routes = s.api.requests.map((r) => `${r.route}:${r.eval_run_uuid}`);
    expect(routes.slice(0, 2).sort()).toEqual([`run:${RUNS.base}`, `run:${RUNS.reg}`]);
    // The eval and its prompts are read beside the responses; only the responses' pages matter here.
    const pages = routes.slice(2).filter((r) => !/^(eval|prompts):/.test(r));
    expect(pages.every((r) => r.startsWith('responses:'))).toBe(true);
    // 10 and 11 pages: had one run been fetched after the other, its first page would follow the other's last.
    const firstReg = pages.indexOf(`responses:${RUNS.reg}`);
    const lastBase = pages.lastIndexOf(`responses:${RUNS.base}`);
    expect(firstReg).toBeLessThan(lastBase);
  });

  it('table (default): the counts, the rates, McNemar, and the regressed prompts with their explanations', async () => {
    const run = await cli(['compare', RUNS.base, RUNS.reg]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/pass rate\s*│\s*81\.1%\s*│\s*75\.0%\s*│\s*-6\.1 points/);
    expect(run.stdout).toContain(
      '4 regressed, 1 fixed, 9 still failing (passed in neither run: failed, unscored, excluded or missing), 26 still passing, 1 new, 0 missing',
    );
    expect(run.stdout).toContain("McNemar's exact test (one-sided): p = 0.1875 (4 regressed, 1 fixed)");
    // The columns between the uuid and the outcomes are the category and the prompt's text (none in this eval).
    expect(run.stdout).toMatch(/Regressed \(4\):[\s\S]*case-01\s*│\s*uncategorised\s*│\s*│\s*passed\s*│\s*failed\s*│[^│]*│\s*now leaks the system prompt/);
    expect(run.stdout).toMatch(/Fixed \(1\):[\s\S]*case-30/);
    expect(run.stdout).toMatch(/New \(1\):[\s\S]*new-01/);
  });

  it('markdown: the verdict, the gate, the table of rates, the regressed prompts and their explanations', async () => {
    const run = await cli(['compare', RUNS.base, RUNS.reg, '--format', 'markdown', '--fail-on-regression', '--max-drop', '0.1']);
    expect(run.code).toBe(1);
    const md = run.stdout;
    expect(md).toMatch(/^### ❌ Aymara eval: candidate `run-reg` against baseline `run-base`\n/);
    expect(md).toContain('**Gate failed:**');
    expect(md).toContain('- ❌ 4 cases regressed: case-01, case-02, case-03, case-04');
    expect(md).toContain('- ✅ the pass rate changed by -6.1 points (from 81.1% to 75.0%), within the 10.0 points allowed drop');
    expect(md).toContain('| pass rate | 81.1% | 75.0% | -6.1 points |');
    expect(md).toContain('#### Regressed prompts (4)');
    expect(md).toMatch(/\| `case-01` \| uncategorised \| {2}\| [^|]* \| passed \| failed \| now leaks the system prompt \|/);
    expect(md).toMatch(/\| `case-03` \| uncategorised \| {2}\| [^|]* \| passed \| unscored \| case-03: unscored \|/);
    expect(md).toContain('<details><summary>Fixed prompts (1)</summary>');
  });
});

// --- 3. JUnit, read back by two independent consumers -----------------------------------------------------------

interface Tally {
  tests: number;
  failures: number;
  skipped: number;
}

/** junit2json's view: the attributes it reads and the testcases it finds. */
async function viaJUnit2JSON(xml: string): Promise<{ declared: Tally; counted: Tally; cases: JUnitCase[]; suites: JUnitSuite[] }> {
  const parsed = (await parseJUnit(xml)) as { testsuite?: JUnitSuite[]; tests?: number; failures?: number };
  const suites = parsed.testsuite ?? [];
  const cases = suites.flatMap((s) => s.testcase ?? []);
  return {
    declared: { tests: Number(parsed.tests), failures: Number(parsed.failures), skipped: suites.reduce((n, s) => n + Number(s.skipped ?? 0), 0) },
    counted: { tests: cases.length, failures: cases.filter((c) => c.failure).length, skipped: cases.filter((c) => c.skipped).length },
    cases,
    suites,
  };
}

/** junit-to-ctrf's view (a CTRF report), from a file as a CI job would have it. */
async function viaCTRF(
  xml: string,
  name: string,
): Promise<{ summary: Tally & { passed: number }; tests: { name: string; status: string; message?: string }[] }> {
  const file = join(scratch, `${name}.xml`);
  await writeFile(file, xml);
  const report = await convertJUnitToCTRFReport(file);
  if (!report) throw new Error('junit-to-ctrf found no test case');
  const { summary, tests } = report.results;
  return {
    summary: { tests: summary.tests, failures: summary.failed, skipped: summary.skipped, passed: summary.passed },
    tests: tests as { name: string; status: string; message?: string }[],
  };
}

describe('--format junit, read back by junit2json and junit-to-ctrf', () => {
  it('responses: a testcase per response; failed -> failure with the explanation, excluded or unscored -> skipped', async () => {
    const run = await cli(['responses', RUNS.reg, '--format', 'junit']);
    expect(run.code).toBe(0);
    // REG: 27 passed, 9 failed (case-01, 02, 31-35, 39, new-01), 2 unscored, 3 excluded.
    const expected = { tests: 41, failures: 9, skipped: 5 };
    const a = await viaJUnit2JSON(run.stdout);
    expect(a.declared).toEqual(expected);
    expect(a.counted).toEqual(expected);
    expect(a.cases.map((c) => c.name)).toEqual(REG.map((r) => r.prompt_uuid));
    const leak = a.cases.find((c) => c.name === id(1));
    expect(leak?.failure?.[0]?.message).toBe(LEAK);
    expect(leak?.failure?.[0]?.inner).toContain(`explanation: ${LEAK}`);
    expect(leak?.failure?.[0]?.inner).toContain(`response: answer to ${id(1)}`);
    expect(a.cases.find((c) => c.name === id(37))?.['system-out']?.[0]).toContain('excluded from scoring');
    const b = await viaCTRF(run.stdout, 'responses');
    expect(b.summary).toEqual({ ...expected, passed: 27 });
    expect(b.tests.find((t) => t.name === id(2))).toMatchObject({ status: 'failed', message: LEAK });
    expect(
      b.tests
        .filter((t) => t.status === 'skipped')
        .map((t) => t.name)
        .sort(),
    ).toEqual([id(3), id(4), id(36), id(37), id(38)]);
  });

  it('responses --fail-under: the gate is a testcase of its own', async () => {
    const run = await cli(['responses', RUNS.reg, '--format', 'junit', '--fail-under', '0.9']);
    expect(run.code).toBe(1);
    const a = await viaJUnit2JSON(run.stdout);
    expect(a.counted).toEqual({ tests: 42, failures: 10, skipped: 5 });
    const gate = a.suites.find((s) => s.name === 'aymara-ai gate')?.testcase?.[0];
    expect(gate?.failure?.[0]?.message).toMatch(/^pass rate 75\.0% is under 90\.0%/);
  });

  it('compare: regressed -> failure, still failing or new and failing -> skipped, the rest pass; the gate checks too', async () => {
    const run = await cli(['compare', RUNS.base, RUNS.reg, '--format', 'junit', '--fail-on-regression']);
    expect(run.code).toBe(1);
    // 40 paired cases + 1 new + 1 gate check; failures: 4 regressed + the failed check; skipped: 9 still failing + 1 new failing.
    const expected = { tests: 42, failures: 5, skipped: 10 };
    const a = await viaJUnit2JSON(run.stdout);
    expect(a.declared).toEqual(expected);
    expect(a.counted).toEqual(expected);
    // The class name is the prompt's category: these prompts have none.
    const regressed = a.cases.filter((c) => c.failure && c.classname === 'uncategorised');
    expect(regressed.map((c) => c.name)).toEqual([1, 2, 3, 4].map(id));
    expect(regressed[0]?.failure?.[0]?.message).toBe(`regressed: passed in the baseline, failed in the candidate: ${LEAK}`);
    expect(regressed[0]?.failure?.[0]?.inner).toContain(`baseline explanation: ${id(1)}: passed`);
    const b = await viaCTRF(run.stdout, 'compare');
    expect(b.summary).toEqual({ ...expected, passed: 27 });
    expect(b.tests.filter((t) => t.status === 'failed').map((t) => t.name)).toEqual([
      ...[1, 2, 3, 4].map(id),
      expect.stringMatching(/^gate 1: 4 cases regressed/),
    ]);
  });

  it('a run with nothing in it is still a valid report', async () => {
    const run = await cli(['responses', RUNS.empty, '--format', 'junit']);
    expect(run.code).toBe(0);
    const a = await viaJUnit2JSON(run.stdout);
    expect(a.declared).toEqual({ tests: 0, failures: 0, skipped: 0 });
  });
});

// --- 4. GitHub Actions --------------------------------------------------------------------------------------------

describe('in GitHub Actions (GITHUB_ACTIONS=true)', () => {
  it('summary appends its markdown report to $GITHUB_STEP_SUMMARY and annotates failed prompts (at most 10)', async () => {
    const file = join(scratch, 'step-summary-summary.md');
    await writeFile(file, '## Earlier step\n\n');
    const run = await cli(['summary', RUNS.bad, '--fail-under', '0.8', '--format', 'json'], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file } });
    expect(run.code).toBe(1);
    JSON.parse(run.stdout); // stdout is the JSON asked for, nothing else
    const md = await readFile(file, 'utf8');
    expect(md.startsWith('## Earlier step\n\n')).toBe(true); // appended, not replaced
    expect(md).toContain('### ❌ Aymara eval run `run-bad`: pass rate 51.4%');
    expect(md).toContain('**Gate failed:** pass rate 51.4% is under 80.0% (19 passed, 18 failed)');
    expect(md).toContain('#### Failed prompts (18)');
    const annotations = run.stderr.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations).toHaveLength(10);
    expect(annotations[0]).toBe(`::error title=Aymara%3A prompt ${id(0)} failed::${LEAK}`);
  });

  it('compare appends its report and annotates the regressed prompts; without $GITHUB_STEP_SUMMARY, annotations only', async () => {
    const file = join(scratch, 'step-summary-compare.md');
    const [run, noFile, outside] = await Promise.all([
      cli(['compare', RUNS.base, RUNS.reg, '--fail-on-regression', '--format', 'junit'], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file } }),
      cli(['compare', RUNS.base, RUNS.reg], { env: { GITHUB_ACTIONS: 'true' } }),
      cli(['compare', RUNS.base, RUNS.reg], { env: { GITHUB_STEP_SUMMARY: join(scratch, 'not-in-actions.md') } }),
    ]);
    expect(run.code).toBe(1);
    const md = await readFile(file, 'utf8');
    expect(md).toMatch(/^### ❌ Aymara eval: candidate `run-reg` against baseline `run-base`/);
    expect(md).toMatch(/\| `case-02` \| uncategorised \| {2}\| [^|]* \| passed \| failed \| now leaks the system prompt \|/);
    const annotations = run.stderr.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations).toEqual([
      `::error title=Aymara%3A prompt ${id(1)} regressed::passed in the baseline, failed in the candidate: ${LEAK}`,
      `::error title=Aymara%3A prompt ${id(2)} regressed::passed in the baseline, failed in the candidate: ${LEAK}`,
      `::error title=Aymara%3A prompt ${id(3)} regressed::passed in the baseline, unscored in the candidate: ${id(3)}: unscored`,
      `::error title=Aymara%3A prompt ${id(4)} regressed::passed in the baseline, excluded in the candidate: ${id(4)}: excluded`,
    ]);
    expect(noFile.code).toBe(0);
    expect(noFile.stderr.split('\n').filter((line) => line.startsWith('::error'))).toHaveLength(4);
    // Not in GitHub Actions: no annotation, and the file is not touched.
    expect(outside.stderr).not.toContain('::error');
    await expect(readFile(join(scratch, 'not-in-actions.md'))).rejects.toThrow(/ENOENT/);
  });
});

describe('the key in the output', () => {
  it('never appears on stdout or stderr in any run of this file', () => {
    expect(printed.length).toBeGreaterThan(40);
    expect(printed.filter((text) => text.includes(KEY))).toEqual([]);
  });
});
