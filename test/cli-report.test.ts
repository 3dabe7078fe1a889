/**
 * The CLI's report building blocks, in-process: escaping of the server's text, JSON of any depth, Markdown,
 * GitHub workflow commands, the compare report and its gates, JUnit, and the wait for a finished run.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseJUnit, type TestSuite } from 'junit2json';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EvalScoredResponseSchema, type AymaraAI, type EvalRun } from 'aymara-ai';
import { compareRuns } from 'aymara-ai/analysis';
import { compareGates, compareJSON, compareMarkdown, compareTable, formatChange, formatP } from '../src/cli/compare-report.js';
import { escapeJSON, escapeText } from '../src/cli/escape.js';
import { appendStepSummary, errorAnnotations, escapeData, escapeProperty, inGitHubActions, MAX_ANNOTATIONS } from '../src/cli/github.js';
import { stringifyDeep, toJSONLine } from '../src/cli/json.js';
import { compareJUnit, responsesJUnit } from '../src/cli/junit.js';
import { clipText, mdCode, mdTable, mdText } from '../src/cli/markdown.js';
import { csvCell } from '../src/cli/output.js';
import { summaryMarkdown } from '../src/cli/summary-report.js';
import { compareReportOf, summaryReportOf } from './helpers/gate-reports.js';
import { awaitFinishedRun, describeProgress, pollDelay, RunNotFinishedError } from '../src/cli/run-status.js';
import { slim } from '../src/cli/slim.js';

const resp = (item: Record<string, unknown>) => EvalScoredResponseSchema.parse(item);

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

// --- escaping ------------------------------------------------------------------------------------------------------

describe('escapeText', () => {
  it.each<[string, string, string]>([
    ['ESC (a CSI sequence)', 'a\u001b[31mred', 'a\\x1b[31mred'],
    ['an OSC 52 clipboard write', '\u001b]52;c;ZXZpbA==\u0007', '\\x1b]52;c;ZXZpbA==\\x07'],
    ['line breaks and tabs', 'a\nb\r\nc\td', 'a\\nb\\r\\nc\\td'],
    ['NUL, backspace, DEL', '\u0000\b\u007f', '\\x00\\x08\\x7f'],
    ['C1 controls (U+009B is a one-byte CSI)', '\u009b31m\u0085', '\\x9b31m\\x85'],
    ['bidi override and isolate (Trojan Source)', 'a\u202eb\u2066c\u2069', 'a\\u202eb\\u2066c\\u2069'],
    ['zero-width and directional marks, BOM', '\u200b\u200e\u200f\ufeff', '\\u200b\\u200e\\u200f\\ufeff'],
    ['line and paragraph separators', '\u2028\u2029', '\\u2028\\u2029'],
    ['lone surrogates', 'a\ud800b\udc00', 'a\\ud800b\\udc00'],
    ['non-characters XML cannot carry', '\ufffe\uffff', '\\ufffe\\uffff'],
  ])('escapes %s', (_name, text, shown) => {
    expect(escapeText(text)).toBe(shown);
  });

  it('leaves ordinary text alone: accents, CJK, emoji (a surrogate pair), quotes, backslashes', () => {
    const text = 'café — 日本語 😀 "quoted" C:\\path \\x1b';
    expect(escapeText(text)).toBe(text);
  });

  it('any string comes out with no unsafe character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        // eslint-disable-next-line no-control-regex -- finding raw control characters is the point
        expect(escapeText(text)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff](?<![\ud800-\udbff][\udc00-\udfff])/u);
      }),
    );
  });
});

describe('escapeJSON', () => {
  it('escapes what JSON.stringify leaves raw, and the JSON parses back to the same value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const json = escapeJSON(JSON.stringify({ text }));
        expect((JSON.parse(json) as { text: string }).text).toBe(text);
        // eslint-disable-next-line no-control-regex -- finding raw control characters is the point
        expect(json).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/);
      }),
    );
    expect(escapeJSON(JSON.stringify('\u009b\u202e'))).toBe('"\\u009b\\u202e"');
  });
});

// --- JSON of any depth -----------------------------------------------------------------------------------------------

describe('stringifyDeep and toJSONLine', () => {
  it('write exactly what JSON.stringify writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stringifyDeep(value)).toBe(JSON.stringify(value));
      }),
    );
  });

  it('follow JSON.stringify for undefined, functions, symbols and non-finite numbers; keep a __proto__ key', () => {
    const value = { a: undefined, b: () => 1, c: Symbol('x'), d: [undefined, () => 1, Number.NaN, Infinity], e: -0, f: 'x' };
    expect(stringifyDeep(value)).toBe(JSON.stringify(value));
    const hostile = JSON.parse('{"__proto__":{"x":1},"constructor":2}') as unknown;
    expect(stringifyDeep(hostile)).toBe('{"__proto__":{"x":1},"constructor":2}');
    expect(stringifyDeep(undefined)).toBe('null');
  });

  it('a 100,000-deep value: JSON.stringify overflows the stack, toJSONLine writes it whole', () => {
    const text = `{"prompt_uuid":"p","deep":${'['.repeat(100_000)}${']'.repeat(100_000)},"obj":${'{"a":'.repeat(100_000)}null${'}'.repeat(100_000)}}`;
    const value = JSON.parse(text) as unknown;
    expect(() => JSON.stringify(value)).toThrow(RangeError);
    expect(toJSONLine(value)).toBe(text);
  });

  it('toJSONLine escapes what a terminal would act on, and rethrows other errors', () => {
    expect(toJSONLine({ t: 'a\u202eb' })).toBe('{"t":"a\\u202eb"}');
    const bad = {
      toJSON() {
        throw new TypeError('not a stack overflow');
      },
    };
    expect(() => toJSONLine(bad)).toThrow(TypeError);
  });
});

// --- Markdown ------------------------------------------------------------------------------------------------------

describe('Markdown', () => {
  it('mdText: no markup, no HTML, no cell break, no new line from the server', () => {
    expect(mdText('a | b')).toBe('a \\| b');
    expect(mdText('<img src=x onerror=alert(1)> & co')).toBe('&lt;img src=x onerror=alert(1)&gt; &amp; co');
    expect(mdText('**bold** _it_ `code` [link](http://x) ~~s~~ $x$')).toBe('\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\[link\\](`http://x`) \\~\\~s\\~\\~ \\$x\\$');
    expect(mdText('line\n# heading')).toBe('line\\\\n# heading');
    expect(mdText('back\\slash')).toBe('back\\\\slash');
  });

  it('mdCode: a code span fenced past the backticks inside, pipes escaped', () => {
    expect(mdCode('abc')).toBe('`abc`');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('a|b')).toBe('`a\\|b`');
    expect(mdCode('')).toBe('`  `');
    expect(mdCode('a\u001bb')).toBe('`a\\x1bb`');
  });

  it('mdTable and clipText', () => {
    expect(mdTable(['a', 'n'], [['x', '1']], 'lr')).toBe('| a | n |\n| --- | ---: |\n| x | 1 |');
    expect(clipText('a\n  b   c', 100)).toBe('a b c');
    expect(clipText('abcdef', 4)).toBe('abc…');
    // Never half a surrogate pair.
    expect(clipText('ab😀cd', 4)).toBe('ab…');
  });

  it('summaryMarkdown: the verdict, the counts, the types and the failed prompts', () => {
    const responses = [
      resp({ prompt_uuid: 'p`1', is_passed: false, explanation: 'bad <b>' }),
      resp({ prompt_uuid: 'p2', is_passed: true }),
      resp({ prompt_uuid: 'p3', is_passed: null }),
    ];
    const md = summaryMarkdown(summaryReportOf('run|1', responses, { ok: false, message: 'pass rate 50.0% is under 90.0%' }));
    expect(md).toContain('### ❌ Aymara eval run `run\\|1`: pass rate 50.0%');
    expect(md).toContain('**Gate failed:** pass rate 50.0% is under 90.0%');
    // Without the eval's prompts the question is empty; this response has no answer either.
    expect(md).toContain('| ``p`1`` | uncategorised |  |  | bad &lt;b&gt; |');
    const allPass = summaryReportOf('r', [resp({ prompt_uuid: 'p2', is_passed: true })]);
    expect(summaryMarkdown(allPass)).not.toContain('Failed prompts');
  });
});

// --- CSV -------------------------------------------------------------------------------------------------------------

describe('csvCell', () => {
  it('neutralises formula starts in text, not in numbers or booleans', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${start}1+1`).replace(/^"|"$/g, '')).toMatch(/^'/);
    expect(csvCell(-0.5)).toBe('-0.5');
    expect(csvCell(false)).toBe('false');
    expect(csvCell('a-b')).toBe('a-b');
    expect(csvCell(' =1')).toBe('" =1"');
  });
});

// --- GitHub workflow commands ----------------------------------------------------------------------------------------

describe('GitHub Actions', () => {
  it('escapes data and properties as the runner reads them back', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done\\r\\nnext');
    expect(escapeData('a\nb')).toBe('a\\nb');
    expect(escapeProperty('title: a, b')).toBe('title%3A a%2C b');
    expect(escapeProperty('%')).toBe('%25');
  });

  it('at most 10 annotations, one line each, nothing able to end the command early', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ title: `prompt ${i}: x`, message: `line\n::warning::forged ${i}` }));
    const lines = errorAnnotations(many).trimEnd().split('\n');
    expect(lines).toHaveLength(MAX_ANNOTATIONS);
    expect(lines[0]).toBe('::error title=prompt 0%3A x::line ::warning::forged 0');
    expect(errorAnnotations([])).toBe('');
  });

  it('GITHUB_ACTIONS must be "true"; the job summary is appended to, and a write failure is only a warning', async () => {
    expect(inGitHubActions({ GITHUB_ACTIONS: 'true' })).toBe(true);
    expect(inGitHubActions({ GITHUB_ACTIONS: '1' })).toBe(false);
    expect(inGitHubActions({})).toBe(false);
    const dir = await mkdtemp(join(tmpdir(), 'aymara-report-'));
    try {
      const file = join(dir, 'summary.md');
      await appendStepSummary('one', { GITHUB_STEP_SUMMARY: file });
      await appendStepSummary('two', { GITHUB_STEP_SUMMARY: file });
      await appendStepSummary('ignored', {});
      expect(await readFile(file, 'utf8')).toBe('one\ntwo\n');
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      await appendStepSummary('x', { GITHUB_STEP_SUMMARY: join(dir, 'no-such-dir', 'summary.md') });
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(/^warning: could not append to \$GITHUB_STEP_SUMMARY: ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// --- compare report and gates --------------------------------------------------------------------------------------

const r = (id: string, is_passed: boolean | null, extra: Record<string, unknown> = {}) =>
  slim(resp({ prompt_uuid: id, is_passed, explanation: `${id} ${String(is_passed)}`, ...extra }));

describe('compare report', () => {
  it('formatP: 4 significant digits, exponent when small, exact exponent when below the doubles', () => {
    expect(formatP(1, 0)).toBe('1');
    expect(formatP(0.1875, Math.log10(0.1875))).toBe('0.1875');
    expect(formatP(14 / 8192, Math.log10(14 / 8192))).toBe('0.001709');
    expect(formatP(2.1e-7, Math.log10(2.1e-7))).toBe('2.10e-7');
    expect(formatP(0, -602.0599913279624)).toBe('8.71e-603');
  });

  it('formatChange: signed points; no -0.0', () => {
    expect(formatChange(-0.0613)).toBe('-6.1 points');
    expect(formatChange(0.05)).toBe('+5.0 points');
    expect(formatChange(-0.0001)).toBe('0.0 points');
    expect(formatChange(null)).toBe('n/a');
  });

  const baseline = [r('a', true), r('b', true), r('c', false), r('d', true), r('e', true)];
  const candidate = [r('a', false), r('b', null), r('c', true), r('d', true), r('e', true), r('f', false)];
  const c = compareRuns(baseline, candidate);

  it('compareGates: nothing asked, nothing wrong -> no check; each flag adds its check', () => {
    expect(compareGates(c, { failOnRegression: false, alpha: undefined, maxDrop: undefined })).toEqual([]);
    expect(compareGates(c, { failOnRegression: true, alpha: undefined, maxDrop: undefined })).toEqual([{ ok: false, message: '2 cases regressed: a, b' }]);
    const alpha = compareGates(c, { failOnRegression: true, alpha: 0.05, maxDrop: undefined });
    expect(alpha).toEqual([
      { ok: false, message: '1 case that passed in the baseline has no result in the candidate (unscored or excluded): b' },
      { ok: true, message: "McNemar's exact test (one-sided): p = 0.5 for 2 regressed against 1 fixed; not significant at alpha 0.05" },
    ]);
    const drop = compareGates(c, { failOnRegression: false, alpha: undefined, maxDrop: 0.1 });
    expect(drop).toEqual([{ ok: false, message: 'the pass rate fell by 20.0 points (from 80.0% to 60.0%), more than the 10.0 points allowed' }]);
  });

  it('compareGates: duplicates and missing cases fail whatever was asked, naming at most 5', () => {
    const ids = Array.from({ length: 8 }, (_, i) => `p${i}`);
    const dup = compareRuns([...ids.map((id) => r(id, true)), ...ids.map((id) => r(id, true))], []);
    const checks = compareGates(dup, { failOnRegression: false, alpha: undefined, maxDrop: undefined });
    expect(checks).toEqual([
      {
        ok: false,
        message: 'the baseline run repeats 8 prompt_uuids: p0, p1, p2, p3, p4 and 3 more; pairing them would be a guess, so the comparison is not sound',
      },
      { ok: false, message: 'the candidate run lacks 8 cases of the baseline: p0, p1, p2, p3, p4 and 3 more (a missing case is not a passing case)' },
    ]);
  });

  it('compareJSON, compareMarkdown and compareTable carry the same facts', () => {
    const checks = compareGates(c, { failOnRegression: true, alpha: undefined, maxDrop: undefined });
    const report = compareReportOf('base', 'cand', baseline, candidate, { failOnRegression: true, alpha: undefined, maxDrop: undefined });
    const json = JSON.parse(compareJSON(report)) as Record<string, unknown>;
    expect(json).toMatchObject({
      counts: { regressed: 2, fixed: 1, still_failing: 0, still_passing: 2, new: 1, missing: 0 },
      regressed: [
        { prompt_uuid: 'a', baseline: 'passed', candidate: 'failed', explanation: 'a false', baseline_explanation: 'a true' },
        { prompt_uuid: 'b', baseline: 'passed', candidate: 'unscored' },
      ],
      gate: { passed: false, checks },
    });
    const md = compareMarkdown(report);
    expect(md).toContain(
      '**2 regressed** · 1 fixed · 0 still failing (passed in neither run: failed, unscored, excluded or missing) · 2 still passing · 1 new · 0 missing',
    );
    expect(md).toMatch(/\| `a` \| uncategorised \| {2}\| [^|]* \| passed \| failed \| a false \|/);
    const table = compareTable(report);
    expect(table).toMatch(/Regressed \(2\):/);
  });
});

// --- JUnit ---------------------------------------------------------------------------------------------------------

describe('JUnit', () => {
  it('text XML cannot carry, and CDATA terminators, come through escaped and parseable', async () => {
    const hostile = 'x ]]> y ]]> z \u0000\u0001\u001b[31m \ud800 \ufffe "q" <tag> & end';
    const xml = await responsesJUnit('run-1', [
      resp({ prompt_uuid: `p-${hostile}`, is_passed: false, explanation: hostile, content: hostile, content_type: hostile }),
      resp({ prompt_uuid: 'p-2', is_passed: null }),
    ]);
    const report = (await parseJUnit(xml)) as { testsuite: TestSuite[] };
    const cases = report.testsuite[0]?.testcase ?? [];
    expect(cases).toHaveLength(2);
    const escaped = escapeText(hostile);
    expect(cases[0]?.name).toBe(`p-${escaped}`);
    expect(cases[0]?.failure?.[0]?.message).toBe(escaped);
    // No CDATA: `]]>` is plain text, written `]]&gt;`, and reads back as it was.
    expect(cases[0]?.failure?.[0]?.inner).toContain(`explanation: ${escaped}`);
    expect(cases[1]?.skipped).toBeDefined();
  });

  it('compare: a testcase per prompt of either run, and one per gate check', async () => {
    const xml = await compareJUnit(
      compareReportOf('b', 'c', [r('a', true), r('b', false)], [r('a', false), r('b', false), r('n', true)], {
        failOnRegression: true,
        alpha: undefined,
        maxDrop: undefined,
      }),
    );
    const report = (await parseJUnit(xml)) as { tests: number; failures: number; testsuite: TestSuite[] };
    expect({ tests: Number(report.tests), failures: Number(report.failures) }).toEqual({ tests: 4, failures: 2 });
    expect(report.testsuite.map((s) => s.name)).toEqual(['aymara-ai compare b -> c', 'aymara-ai gate']);
  });
});

// --- waiting for a finished run ------------------------------------------------------------------------------------

function run(status: string, scored?: number, total?: number): EvalRun {
  return { eval_run_uuid: 'r', eval_uuid: 'e', status, created_at: '', updated_at: '', num_responses_scored: scored, num_prompts: total } as EvalRun;
}

/** A client whose runs.get answers from a list, one per call (the last one repeats). */
function stubClient(answers: EvalRun[]): { client: AymaraAI; calls: () => number } {
  let calls = 0;
  const get = async () => answers[Math.min(calls++, answers.length - 1)] as EvalRun;
  return { client: { evals: { runs: { get } } } as unknown as AymaraAI, calls: () => calls };
}

function sink(isTTY = false): NodeJS.WriteStream & { text: string } {
  const stream = { text: '', isTTY, write: (chunk: string) => ((stream.text += chunk), true) };
  return stream as unknown as NodeJS.WriteStream & { text: string };
}

describe('awaitFinishedRun', () => {
  it('pollDelay: from 250 ms, half again each time, capped at 15 s, within ±20%', () => {
    expect([0, 1, 2, 3].map((n) => pollDelay(n, () => 0.5))).toEqual([250, 375, 563, 844]);
    expect(pollDelay(50, () => 0.5)).toBe(15_000);
    expect(pollDelay(0, () => 0)).toBe(200);
    expect(pollDelay(0, () => 0.999999)).toBe(300);
  });

  it('describeProgress: status, scored and total, whatever is known, escaped', () => {
    expect(describeProgress(run('processing', 312, 500))).toBe('processing: 312 of 500 scored');
    expect(describeProgress(run('processing', 1200, 5000))).toBe('processing: 1,200 of 5,000 scored');
    expect(describeProgress(run('processing', 3))).toBe('processing: 3 scored');
    expect(describeProgress(run('queued\u001b[2J'))).toBe('queued\\x1b[2J');
  });

  it('a finished run is returned at once; failed or unfinished without a wait throws RunNotFinishedError', async () => {
    const finished = stubClient([run('finished', 5, 5)]);
    await expect(awaitFinishedRun(finished.client, 'r', undefined, { waitMs: undefined, progress: undefined })).resolves.toMatchObject({ status: 'finished' });
    const failed = stubClient([run('failed', 2, 5)]);
    await expect(awaitFinishedRun(failed.client, 'r', 'ws', { waitMs: 60_000, progress: undefined, label: 'baseline' })).rejects.toThrow(
      new RunNotFinishedError(['baseline run r failed (failed: 2 of 5 scored): a failed run is not gated']),
    );
    const unknown = stubClient([run('paused-by-admin', 2, 5)]);
    await expect(awaitFinishedRun(unknown.client, 'r', undefined, { waitMs: undefined, progress: undefined })).rejects.toBeInstanceOf(RunNotFinishedError);
    expect(unknown.calls()).toBe(1);
  });

  it('waits with backoff until the run finishes; on a terminal it redraws one line', async () => {
    vi.useFakeTimers();
    const stub = stubClient([run('created', 0, 4), run('processing', 1, 4), run('processing', 3, 4), run('finished', 4, 4)]);
    const tty = sink(true);
    const pending = awaitFinishedRun(stub.client, 'r', undefined, { waitMs: 60_000, progress: tty });
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(pending).resolves.toMatchObject({ status: 'finished' });
    expect(stub.calls()).toBe(4);
    // eslint-disable-next-line no-control-regex -- the terminal's erase-line sequence is what is drawn
    expect(tty.text).toMatch(/^\r\x1b\[Kwaiting for run r: created: 0 of 4 scored \(1m left\)\r\x1b\[Kwaiting for run r: processing: 1 of 4 scored/);
    // eslint-disable-next-line no-control-regex -- as above
    expect(tty.text).toMatch(/\r\x1b\[Krun r finished after \ds: finished: 4 of 4 scored\n$/);
  });

  it('gives up when the time is up, having polled until then', async () => {
    vi.useFakeTimers();
    const stub = stubClient([run('processing', 1, 4)]);
    const log = sink(false);
    const pending = awaitFinishedRun(stub.client, 'r', undefined, { waitMs: 10_000, progress: log });
    const settled = expect(pending).rejects.toThrow('run r is still not finished after waiting 10s (processing: 1 of 4 scored)');
    await vi.advanceTimersByTimeAsync(11_000);
    await settled;
    // 250, 375, 563, 844, 1266, 1898, 2848 ms (±20%): about 8 reads in 10 s; the log has one line, the progress never moved.
    expect(stub.calls()).toBeGreaterThanOrEqual(6);
    expect(log.text).toBe('waiting for run r (up to 10s): processing: 1 of 4 scored\n');
  });
});
