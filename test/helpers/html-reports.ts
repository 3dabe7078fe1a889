/**
 * `GateReport`s for the HTML report's tests, built from fixtures by the commands' own builders
 * (`buildSummaryReport`, `buildCompareReport`) and gates: the demo's runs, a 10,000-response comparison, and reports
 * whose every string is hostile.
 */
import { EvalScoredResponseSchema, type EvalRun } from 'aymara-ai';
import { compareRuns, summarizeResponses } from 'aymara-ai/analysis';
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
import type { EvalData } from '../../src/cli/eval-prompts.js';
import { failUnderCheck } from '../../src/cli/gate.js';
import { buildCompareReport, buildSummaryReport } from '../../src/cli/gate-report.js';
import type { BaselineChoice, ComparedPrompt, CompareReport, EvalInfo, SummaryReport } from '../../src/cli/report-model.js';
import { escapeText } from '../../src/cli/escape.js';
import { slim, type SlimResponse } from '../../src/cli/slim.js';

export const DEMO_BASELINE_UUID = 'e1a7c0de-0000-4000-a000-000000001124';

function parse(run: MockRun): SlimResponse[] {
  return run.responses.map((r) => slim(EvalScoredResponseSchema.parse(r)));
}

/** A run as runs.get would serve its fixture. */
function evalRun(uuid: string, evalUUID: string, run: MockRun): EvalRun {
  const at = run.created_at ?? '2026-12-01T09:00:00Z';
  return { eval_run_uuid: uuid, eval_uuid: evalUUID, name: run.name, created_at: at, updated_at: at, status: run.status ?? 'finished' };
}

export interface BuildOptions {
  /** When false, the prompts are treated as unreadable (the note the commands give). */
  promptsReadable?: boolean;
}

const UNREADABLE = { available: false, note: 'The eval\u2019s prompts could not be read (403 forbidden): no categories and no prompt text.' } as const;

/** What `readEvalData()` gives for this eval: its description, and its prompts unless they are unreadable. */
function evalData(evalUUID: string, evaluation: MockEval | undefined, options: BuildOptions): EvalData {
  const readable = options.promptsReadable !== false && evaluation !== undefined;
  const info: EvalInfo | undefined = evaluation && {
    eval_uuid: evalUUID,
    name: evaluation.name,
    eval_type: evaluation.eval_type,
    modality: evaluation.modality,
    language: evaluation.language,
  };
  if (!readable) return { eval: info, prompts: undefined, status: UNREADABLE };
  return {
    eval: info,
    prompts: new Map(evaluation.prompts.map((x) => [x.prompt_uuid, { content: x.content, category: x.category }])),
    status: { available: true },
  };
}

/** `summary` of a fixture run, built by the command's own builder. */
export function summaryReportFrom(
  evalUUID: string,
  evaluation: MockEval | undefined,
  runUUID: string,
  run: MockRun,
  failUnder: number | undefined,
  options: BuildOptions = {},
): SummaryReport {
  const responses = parse(run);
  const gate = failUnder === undefined ? undefined : failUnderCheck(summarizeResponses(responses), failUnder);
  return buildSummaryReport({ run: evalRun(runUUID, evalUUID, run), data: evalData(evalUUID, evaluation, options), responses, gate });
}

/** `compare` of two fixture runs, built by the command's own builder and gates. */
export function compareReportFrom(
  evalUUID: string,
  evaluation: MockEval | undefined,
  baseline: [string, MockRun],
  candidate: [string, MockRun],
  chosen: BaselineChoice,
  options: BuildOptions & { failOnRegression?: boolean; maxDrop?: number; alpha?: number } = {},
): CompareReport {
  const [baselineResponses, candidateResponses] = [parse(baseline[1]), parse(candidate[1])];
  const comparison = compareRuns(baselineResponses, candidateResponses);
  const checks = compareGates(comparison, { failOnRegression: options.failOnRegression ?? true, alpha: options.alpha, maxDrop: options.maxDrop });
  return buildCompareReport({
    baseline: evalRun(baseline[0], evalUUID, baseline[1]),
    candidate: evalRun(candidate[0], evalUUID, candidate[1]),
    chosen,
    data: evalData(evalUUID, evaluation, options),
    baselineResponses,
    candidateResponses,
    comparison,
    checks,
  });
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
    { kind: 'latest', eval_uuid: DEMO_EVAL_UUID, nameGlob: 'main-*', considered: 2 },
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
    eval_uuid: HOSTILE_STRINGS[8],
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
