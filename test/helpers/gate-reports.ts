/**
 * `GateReport`s for the HTML report's tests, built from fixtures the way `summary` and `compare` build them: the
 * responses parsed by the SDK's schema, counted by `summarizeResponses()`, paired by `compareRuns()`, joined to
 * the eval's prompts by `prompt_uuid`, and gated by the CLI's own checks. Kept small and faithful so the renderer
 * is tested on realistic data before the commands assemble the model themselves.
 */
import { compareRuns, EvalScoredResponseSchema, summarizeResponses, type ComparedCase, type ResponseCounts } from 'aymara-ai';
import {
  DEMO_EVAL_UUID,
  DEMO_RUN_UUID,
  demoFixtures,
  generatePrompts,
  generateResponses,
  generateResponsesFor,
  type MockEval,
  type MockPrompt,
  type MockRun,
} from 'aymara-ai/testing';
import { compareGates } from '../../src/cli/compare-report.js';
import { failUnderCheck } from '../../src/cli/gate.js';
import type {
  BaselineChoice,
  CategoryChange,
  CategoryFigures,
  ComparedPrompt,
  CompareReport,
  EvalInfo,
  PromptCase,
  RunInfo,
  SummaryReport,
} from '../../src/cli/report-model.js';
import { escapeText } from '../../src/cli/escape.js';
import { slim, type SlimResponse } from '../../src/cli/slim.js';

export const DEMO_BASELINE_UUID = 'e1a7c0de-0000-4000-a000-000000001124';

function parse(run: MockRun): SlimResponse[] {
  return run.responses.map((r) => slim(EvalScoredResponseSchema.parse(r)));
}

function evalInfo(uuid: string, e: MockEval | undefined): EvalInfo {
  return { eval_uuid: uuid, name: e?.name, eval_type: e?.eval_type, modality: e?.modality, language: e?.language };
}

function runInfo(uuid: string, run: MockRun): RunInfo {
  return { eval_run_uuid: uuid, name: run.name, created_at: run.created_at, status: run.status ?? 'finished' };
}

/** Categories in the reports' order: by name, uncategorised (null) last. */
function sortCategories(categories: Iterable<string | null>): (string | null)[] {
  return [...new Set(categories)].sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b, 'en')));
}

function categoryOf(prompts: ReadonlyMap<string, MockPrompt>, uuid: string): string | null {
  return prompts.get(uuid)?.category ?? null;
}

function countsBy(responses: readonly SlimResponse[], prompts: ReadonlyMap<string, MockPrompt>): Map<string | null, ResponseCounts> {
  const groups = new Map<string | null, SlimResponse[]>();
  for (const r of responses) {
    const category = categoryOf(prompts, r.prompt_uuid);
    const group = groups.get(category);
    if (group) group.push(r);
    else groups.set(category, [r]);
  }
  const counts = new Map<string | null, ResponseCounts>();
  for (const [category, group] of groups) {
    const { byContentType: _byType, ...totals } = summarizeResponses(group);
    counts.set(category, totals);
  }
  return counts;
}

function promptCase(r: SlimResponse, prompts: ReadonlyMap<string, MockPrompt> | undefined): PromptCase {
  return {
    prompt_uuid: r.prompt_uuid,
    category: prompts ? categoryOf(prompts, r.prompt_uuid) : undefined,
    prompt: prompts ? prompts.get(r.prompt_uuid)?.content : undefined,
    answer: r.content,
    content_type: r.content_type,
    explanation: r.explanation,
    confidence: r.confidence,
    refused: r.ai_refused === true,
  };
}

export interface BuildOptions {
  /** When false, the prompts are treated as unreadable (the note the commands give). */
  promptsReadable?: boolean;
}

const UNREADABLE = { available: false, note: 'The eval\u2019s prompts could not be read (403 forbidden): no categories and no prompt text.' } as const;

export function summaryReportFrom(
  evalUUID: string,
  evaluation: MockEval | undefined,
  runUUID: string,
  run: MockRun,
  failUnder: number | undefined,
  options: BuildOptions = {},
): SummaryReport {
  const readable = options.promptsReadable !== false && evaluation !== undefined;
  const prompts = new Map((evaluation?.prompts ?? []).map((p) => [p.prompt_uuid, p]));
  const responses = parse(run);
  const summary = summarizeResponses(responses);
  const counts = countsBy(responses, prompts);
  const byCategory: CategoryFigures[] = readable
    ? sortCategories(counts.keys()).map((category) => ({ category, counts: counts.get(category) as ResponseCounts }))
    : [];
  return {
    command: 'summary',
    eval: evalInfo(evalUUID, evaluation),
    run: runInfo(runUUID, run),
    summary,
    byCategory,
    failed: responses.filter((r) => r.is_passed === false && !r.exclude_from_scoring).map((r) => promptCase(r, readable ? prompts : undefined)),
    gate: failUnder === undefined ? undefined : failUnderCheck(summary, failUnder),
    prompts: readable ? { available: true } : UNREADABLE,
  };
}

export function compareReportFrom(
  evalUUID: string,
  evaluation: MockEval | undefined,
  baseline: [string, MockRun],
  candidate: [string, MockRun],
  chosen: BaselineChoice,
  options: BuildOptions & { failOnRegression?: boolean; maxDrop?: number; alpha?: number } = {},
): CompareReport {
  const readable = options.promptsReadable !== false && evaluation !== undefined;
  const prompts = new Map((evaluation?.prompts ?? []).map((p) => [p.prompt_uuid, p]));
  const [baseResponses, candResponses] = [parse(baseline[1]), parse(candidate[1])];
  const c = compareRuns(baseResponses, candResponses);
  const [baseCounts, candCounts] = [countsBy(baseResponses, prompts), countsBy(candResponses, prompts)];
  const empty: ResponseCounts = { total: 0, passed: 0, failed: 0, refused: 0, excluded: 0, unscored: 0, passRate: null };
  const byCategory: CategoryChange[] = readable
    ? sortCategories([...baseCounts.keys(), ...candCounts.keys()]).map((category) => {
        const b = baseCounts.get(category) ?? empty;
        const n = candCounts.get(category) ?? empty;
        return { category, baseline: b, candidate: n, change: b.passRate === null || n.passRate === null ? null : n.passRate - b.passRate };
      })
    : [];
  const compared = (x: ComparedCase<SlimResponse>): ComparedPrompt => {
    const response = (x.candidateResponse ?? x.baselineResponse) as SlimResponse;
    return { ...promptCase(response, readable ? prompts : undefined), baseline: x.baseline, candidate: x.candidate };
  };
  return {
    command: 'compare',
    eval: evalInfo(evalUUID, evaluation),
    baseline: { ...runInfo(baseline[0], baseline[1]), chosen },
    candidate: runInfo(candidate[0], candidate[1]),
    baselineCounts: c.baseline,
    candidateCounts: c.candidate,
    passRateChange: c.passRateChange,
    byCategory,
    regressed: c.regressed.map(compared),
    fixed: c.fixed.map(compared),
    stillFailing: c.stillFailing.map(compared),
    stillPassing: c.stillPassing.length,
    new: c.new.length,
    missing: c.missing.length,
    mcnemar: c.mcnemar,
    checks: compareGates(c, { failOnRegression: options.failOnRegression ?? true, alpha: options.alpha, maxDrop: options.maxDrop }),
    prompts: readable ? { available: true } : UNREADABLE,
  };
}

/** `summary` of the demo's latest run with `--fail-under 0.8`. */
export function demoSummaryReport(options: BuildOptions = {}): SummaryReport {
  const f = demoFixtures();
  const run = f.runs[DEMO_RUN_UUID] as MockRun;
  return summaryReportFrom(DEMO_EVAL_UUID, f.evals?.[DEMO_EVAL_UUID], DEMO_RUN_UUID, run, 0.8, options);
}

/** `compare latest <demo run> --baseline-name 'main-*' --fail-on-regression --max-drop 0.05`. */
export function demoCompareReport(options: BuildOptions = {}): CompareReport {
  const f = demoFixtures();
  return compareReportFrom(
    DEMO_EVAL_UUID,
    f.evals?.[DEMO_EVAL_UUID],
    [DEMO_BASELINE_UUID, f.runs[DEMO_BASELINE_UUID] as MockRun],
    [DEMO_RUN_UUID, f.runs[DEMO_RUN_UUID] as MockRun],
    { kind: 'latest', nameGlob: 'main-*', considered: 2 },
    { ...options, failOnRegression: true, maxDrop: 0.05 },
  );
}

/** A comparison of two runs of `count` responses each, over the same generated, categorised prompts. */
export function largeCompareReport(count: number): CompareReport {
  const prompts = generatePrompts(generateResponses(count, 7), 7);
  const evaluation: MockEval = { name: 'Large eval', eval_type: 'safety', modality: 'text', prompts };
  const run = (name: string, seed: number, created_at: string): MockRun => ({ name, created_at, responses: generateResponsesFor(prompts, seed) });
  return compareReportFrom(
    'large-eval',
    evaluation,
    ['large-baseline', run('main-1', 1, '2026-11-30T09:00:00Z')],
    ['large-candidate', run('pr-2', 2, '2026-12-01T09:00:00Z')],
    { kind: 'given' },
    { failOnRegression: true },
  );
}

/**
 * Text that would act if it were not escaped for where it lands: each piece sets `window.__pwned` or the document's
 * title, or opens a dialog, or makes a request, so a browser test can see that none of them did.
 */
export const HOSTILE_STRINGS = [
  '<script>window.__pwned = 1; document.title = "pwned"; alert(1)</script>',
  '</style><script>window.__pwned = 2; alert(2)</script><style>',
  '</title><script>window.__pwned = 3</script>',
  'javascript:alert(4)',
  '" onerror="window.__pwned = 5; alert(5)" x="',
  "' onmouseover='window.__pwned = 6' x='",
  '<img src=x onerror="window.__pwned = 7; alert(7)">',
  '<svg onload="window.__pwned = 8"><text>svg</text></svg>',
  '</text></svg><script>window.__pwned = 9</script>',
  '<a href="https://evil.example/steal">click me</a>',
  '<link rel="stylesheet" href="https://evil.example/x.css"><style>@import url(https://evil.example/y.css); body{background:url(https://evil.example/z.png)}</style>',
  '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
  '<iframe src="https://evil.example/frame"></iframe><base href="https://evil.example/">',
  '<!-- an open comment',
  'invoice\u202Eexe.pdf and \u2066isolated\u2069 and \u200Bzero-width',
  'NUL\u0000 BEL\u0007 ESC\u001b[31m red \u009b DEL\u007f',
  'emoji 🧪🔥👩‍👩‍👧 and Hebrew שלום עולם and Arabic مرحبا',
  '&lt;already-escaped&gt; &amp; &#x3C;script&#x3E;',
] as const;

/** A word with no break, longer than any screen is wide. */
export const LONG_WORD = `long${'x'.repeat(10_000)}`;

/** Category names that are keys of `Object.prototype`, markup, and directional overrides. */
export const HOSTILE_CATEGORIES = [
  '__proto__',
  'constructor',
  'toString',
  '<script>window.__pwned = 10</script>',
  '</style><b>bold</b>',
  '\u202Ereversed',
] as const;

/** A demo-like eval and two runs where every string the server sends is hostile. */
function hostileFixtures(): { evaluation: MockEval; base: MockRun; cand: MockRun } {
  const texts = [...HOSTILE_STRINGS, LONG_WORD];
  const count = 60;
  const baseRaw = generateResponses(count, 99);
  const prompts: MockPrompt[] = baseRaw.map((r, i) => ({
    prompt_uuid: `${texts[i % texts.length]}-${i}`,
    content: `${texts[(i + 1) % texts.length]} (prompt ${i})`,
    category: i % 9 === 8 ? null : HOSTILE_CATEGORIES[i % HOSTILE_CATEGORIES.length],
  }));
  const respond = (seed: number, pass: (i: number) => boolean): MockRun => ({
    name: HOSTILE_STRINGS[0],
    created_at: '2026-12-01T09:00:00Z',
    responses: generateResponses(count, seed).map((r, i) => {
      const passed = pass(i);
      return {
        ...r,
        prompt_uuid: prompts[i]?.prompt_uuid,
        content:
          i % 10 === 7
            ? { file_uuid: texts[i % texts.length], remote_file_path: `javascript:alert(${i})//${texts[(i + 2) % texts.length]}` }
            : `${texts[(i + 3) % texts.length]} (answer ${i})`,
        content_type: i % 10 === 7 ? 'image' : 'text',
        is_passed: passed,
        exclude_from_scoring: false,
        explanation: `${texts[(i + 4) % texts.length]} (explanation ${i})`,
      };
    }),
  });
  return {
    evaluation: { name: HOSTILE_STRINGS[0], eval_type: HOSTILE_STRINGS[4], modality: HOSTILE_STRINGS[14], language: HOSTILE_STRINGS[15], prompts },
    base: respond(1, (i) => i % 3 !== 0),
    cand: respond(2, (i) => i % 2 === 0),
  };
}

/** A summary where every string is hostile: the eval, the run, the prompts, answers, explanations and the gate. */
export function hostileSummaryReport(): SummaryReport {
  const { evaluation, cand } = hostileFixtures();
  const report = summaryReportFrom(HOSTILE_STRINGS[1], evaluation, HOSTILE_STRINGS[2], { ...cand, status: HOSTILE_STRINGS[3] }, 0.9);
  return {
    ...report,
    gate: { ok: false, message: `${HOSTILE_STRINGS[5]} ${HOSTILE_STRINGS[6]}` },
    noBaseline: HOSTILE_STRINGS[7],
  };
}

/** A comparison where every string is hostile, with the prompts readable; the notes hostile too. */
export function hostileCompareReport(): CompareReport {
  const { evaluation, base, cand } = hostileFixtures();
  const report = compareReportFrom(HOSTILE_STRINGS[8], evaluation, [HOSTILE_STRINGS[9], { ...base, name: HOSTILE_STRINGS[10] }], [HOSTILE_STRINGS[11], cand], {
    kind: 'latest',
    nameGlob: HOSTILE_STRINGS[12],
    considered: 3,
  });
  return { ...report, checks: [...report.checks, { ok: true, message: HOSTILE_STRINGS.join(' ') }] };
}

/** The same comparison with the prompts unreadable, whose note is hostile. */
export function hostileCompareWithoutPrompts(): CompareReport {
  const report = hostileCompareReport();
  const strip = (x: ComparedPrompt): ComparedPrompt => ({ ...x, category: undefined, prompt: undefined });
  return {
    ...report,
    byCategory: [],
    regressed: report.regressed.map(strip),
    fixed: report.fixed.map(strip),
    stillFailing: report.stillFailing.map(strip),
    prompts: { available: false, note: HOSTILE_STRINGS.join(' ') },
  };
}

/** A zero-width joiner between two pictographs (one emoji), which the HTML report keeps. */
export const EMOJI_JOINER = /(\p{Extended_Pictographic}(?:[\u{1F3FB}-\u{1F3FF}]|\uFE0F)?)\u200d(?=\p{Extended_Pictographic})/gu;

/** What the HTML report shows for server text: as the CLI everywhere (`escapeText`), emoji joiners kept. */
export function shownInHTML(text: string): string {
  // U+E000 (private use, not escaped) holds each kept joiner's place through escapeText.
  return escapeText(text.replace(EMOJI_JOINER, '$1\ue000')).replace(/\ue000/g, '\u200d');
}
