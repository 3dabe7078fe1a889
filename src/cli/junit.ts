/**
 * JUnit XML, which CI test reporters read (GitLab's `artifacts:reports:junit`, Jenkins, GitHub test-report
 * actions), so eval failures show in the CI's own test UI. The reports are described as suites of cases here and
 * written by junit-xml.ts.
 */
import type { EvalScoredResponse } from 'aymara-ai';
import { escapeText } from './escape.js';
import { clipText } from './markdown.js';
import type { GateCheck } from './gate.js';
import { junitXML, type JUnitCase, type JUnitSuite } from './junit-xml.js';
import { contentText, resultOf } from './output.js';
import { baselineChoice, categoryLabel } from './report-parts.js';
import type { CompareReport, ComparedPrompt, PromptCase, SummaryReport } from './report-model.js';
import { notes } from './summary-report.js';

/**
 * Text for an XML attribute or a name: one line, control characters escaped. Reporters print these fields in
 * logs, where the server's text must not act on a terminal.
 */
function line(text: string, max = 1000): string {
  return escapeText(clipText(text, max));
}

const EXCLUDED = 'excluded from scoring (exclude_from_scoring)';
const UNSCORED = 'not scored (is_passed is null)';

/** The gate's checks, a testcase each, in a suite of their own; none when nothing was gated. */
function gateSuites(checks: readonly GateCheck[]): JUnitSuite[] {
  if (checks.length === 0) return [];
  const cases = checks.map((check, i): JUnitCase => ({
    classname: 'aymara.gate',
    name: `gate ${i + 1}: ${line(check.message, 200)}`,
    failure: check.ok ? undefined : { message: line(check.message), type: 'gate', text: escapeText(check.message) },
  }));
  return [{ name: 'aymara-ai gate', cases }];
}

/** Details of a response for a failure or a note: its explanation, its content, confidence and refusal. */
function details(
  r: Pick<EvalScoredResponse, 'explanation'> & Partial<Pick<EvalScoredResponse, 'content' | 'confidence' | 'ai_refused' | 'content_type'>>,
): string {
  // One line per field; the server's text escaped, so it cannot add lines of its own.
  const parts = [`explanation: ${escapeText(r.explanation ?? '(none)')}`];
  if (r.content !== undefined) parts.push(`response: ${escapeText(clipText(contentText(r.content), 2000))}`);
  if (r.content_type !== undefined) parts.push(`content type: ${escapeText(String(r.content_type))}`);
  if (r.confidence !== undefined && r.confidence !== null) parts.push(`confidence: ${r.confidence}`);
  if (r.ai_refused) parts.push('the AI refused');
  return parts.join('\n');
}

/**
 * `responses --format junit`: one testsuite for the run, a testcase per response (named by its `prompt_uuid`,
 * classed by its content type); failed -> `<failure>` with the explanation, excluded or unscored -> `<skipped>`.
 */
export function responsesJUnit(evalRunUUID: string, responses: readonly EvalScoredResponse[], checks: readonly GateCheck[] = []): string {
  const cases = responses.map((r): JUnitCase => {
    const test: JUnitCase = { classname: `aymara.${line(String(r.content_type ?? 'text'), 100)}`, name: line(r.prompt_uuid) };
    const result = resultOf(r);
    if (result === 'failed') test.failure = { message: line(r.explanation ?? 'failed (no explanation)', 500), type: 'failed', text: details(r) };
    else if (result === 'excluded') Object.assign(test, { skipped: true, systemOut: EXCLUDED });
    else if (result === 'unscored') Object.assign(test, { skipped: true, systemOut: UNSCORED });
    return test;
  });
  const suite: JUnitSuite = { name: `aymara-ai responses ${line(evalRunUUID)}`, properties: [['eval_run_uuid', line(evalRunUUID)]], cases };
  return junitXML('aymara-ai', [suite, ...gateSuites(checks)]);
}

/** A prompt's testcase class: its category, so CI test reports group by it. */
function classOf(x: PromptCase): string {
  return line(categoryLabel(x.category), 200);
}

/** What a report knows of a prompt, for a failure's or a note's text: one line per field, server text escaped. */
function promptDetails(x: PromptCase, explanation: string | null | undefined = x.explanation): string {
  const parts = [`category: ${escapeText(categoryLabel(x.category))}`];
  if (x.prompt !== undefined) parts.push(`prompt: ${escapeText(x.prompt)}`);
  parts.push(
    `answer: ${escapeText(clipText(x.answer, 2000))}`,
    `explanation: ${escapeText(explanation ?? '(none)')}`,
    `content type: ${escapeText(x.content_type)}`,
  );
  if (x.confidence !== undefined && x.confidence !== null) parts.push(`confidence: ${x.confidence}`);
  if (x.refused) parts.push('the AI refused');
  return parts.join('\n');
}

/** The notes of a report (no baseline, prompts unreadable) as suite properties, where JUnit readers show them. */
function noteProperties(texts: readonly string[]): [string, string][] {
  return texts.map((text, i) => [`note${texts.length > 1 ? `_${i + 1}` : ''}`, line(text)]);
}

/**
 * `summary --format junit`: one testsuite for the run, a testcase per prompt classed by its category; failed ->
 * `<failure>` with the prompt, the answer and the explanation, excluded or unscored -> `<skipped>`. The gate's check
 * follows in its own testsuite.
 */
export function summaryJUnit(report: SummaryReport): string {
  const run = report.run.eval_run_uuid;
  const properties: [string, string][] = [['eval_run_uuid', line(run)]];
  if (report.eval) properties.push(['eval_uuid', line(report.eval.eval_uuid)]);
  properties.push(...noteProperties(notes(report)));
  const cases = report.cases.map((x): JUnitCase => {
    const test: JUnitCase = { classname: classOf(x), name: line(x.prompt_uuid) };
    if (x.outcome === 'failed') test.failure = { message: line(x.explanation ?? 'failed (no explanation)', 500), type: 'failed', text: promptDetails(x) };
    else if (x.outcome === 'excluded') Object.assign(test, { skipped: true, systemOut: EXCLUDED });
    else if (x.outcome === 'unscored') Object.assign(test, { skipped: true, systemOut: UNSCORED });
    return test;
  });
  return junitXML('aymara-ai', [{ name: `aymara-ai summary ${line(run)}`, properties, cases }, ...gateSuites(report.gate ? [report.gate] : [])]);
}

function outcomeLine(c: ComparedPrompt): string {
  return `${c.baseline} in the baseline, ${c.candidate} in the candidate`;
}

function pairDetails(c: ComparedPrompt): string {
  const parts = [outcomeLine(c)];
  if (c.candidate !== 'missing') parts.push(`candidate ${promptDetails(c)}`);
  if (c.baseline !== 'missing') parts.push(`baseline explanation: ${escapeText(c.baselineExplanation ?? '(none)')}`);
  return parts.join('\n');
}

/**
 * `compare --format junit`: one testsuite for the comparison, a testcase per prompt of either run, classed by its
 * category: regressed -> `<failure>`; still failing, or new and not passing -> `<skipped>` (a known failure, not a
 * new one); fixed, still passing, or new and passing -> passed. The gate's checks follow in their own testsuite,
 * a testcase each.
 */
export function compareJUnit(r: CompareReport): string {
  const baseline = r.baseline.eval_run_uuid;
  const candidate = r.candidate.eval_run_uuid;
  const properties: [string, string][] = [
    ['baseline_run', line(baseline)],
    ['candidate_run', line(candidate)],
    ['baseline_chosen', line(baselineChoice(r.baseline))],
    ...noteProperties(notes(r)),
  ];
  const test = (x: ComparedPrompt, more: Omit<JUnitCase, 'classname' | 'name'> = {}): JUnitCase => ({
    classname: classOf(x),
    name: line(x.prompt_uuid),
    ...more,
  });
  const cases: JUnitCase[] = [
    ...r.regressed.map((x) => {
      const why = x.candidate !== 'missing' && x.explanation ? `: ${x.explanation}` : '';
      return test(x, { failure: { message: line(`regressed: ${outcomeLine(x)}${why}`, 500), type: 'regression', text: pairDetails(x) } });
    }),
    ...r.stillFailing.map((x) => test(x, { skipped: true, systemOut: `still failing: ${pairDetails(x)}` })),
    ...r.fixed.map((x) => test(x, { systemOut: `fixed: ${pairDetails(x)}` })),
    ...r.stillPassingPrompts.map((x) => test(x)),
    ...r.newPrompts.map((x) =>
      x.candidate === 'passed'
        ? test(x, { systemOut: 'new: passed in the candidate' })
        : test(x, { skipped: true, systemOut: `new, ${x.candidate} in the candidate\ncandidate ${promptDetails(x)}` }),
    ),
  ];
  return junitXML('aymara-ai', [{ name: `aymara-ai compare ${line(baseline)} -> ${line(candidate)}`, properties, cases }, ...gateSuites(r.checks)]);
}
