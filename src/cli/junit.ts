/**
 * JUnit XML, which CI test reporters read (GitLab's `artifacts:reports:junit`, Jenkins, GitHub test-report
 * actions), so eval failures show in the CI's own test UI. Built with `junit-report-builder`, loaded only when
 * this format is asked for.
 */
import type { EvalScoredResponse } from 'aymara-ai';
import { escapeText } from './escape.js';
import { clipText } from './markdown.js';
import type { GateCheck } from './gate.js';
import { contentText, resultOf } from './output.js';
import { baselineChoice, categoryLabel } from './report-parts.js';
import type { CompareReport, ComparedPrompt, PromptCase, SummaryReport } from './report-model.js';
import { notes } from './summary-report.js';

/** The part of junit-report-builder this file uses (its bundled typings describe an ES default export it does not have). */
interface TestCase {
  className(name: string): TestCase;
  name(name: string): TestCase;
  failure(message?: string, type?: string): TestCase;
  stacktrace(text?: string): TestCase;
  skipped(): TestCase;
  standardOutput(text?: string): TestCase;
}
interface TestSuite {
  name(name: string): TestSuite;
  property(name: string, value: string): TestSuite;
  testCase(): TestCase;
}
interface Builder {
  newBuilder(): Builder;
  name(name: string): Builder;
  testSuite(): TestSuite;
  build(): string;
}

async function newBuilder(): Promise<Builder> {
  const module = (await import('junit-report-builder')) as unknown as { default: Builder };
  return module.default.newBuilder();
}

/**
 * Text for an XML attribute or a name: one line, control characters escaped. XML 1.0 cannot carry most of
 * them at all, and reporters print these fields in logs.
 */
function line(text: string, max = 1000): string {
  return escapeText(clipText(text, max));
}

/**
 * A CDATA block made of lines this file wrote, with the server's text in them already escaped. junit-report-builder
 * splits only the first `]]>` of a block, so every one is written `]]\x3e` (a visible escape, like the others).
 */
function block(text: string): string {
  return text.replaceAll(']]>', ']]\\x3e');
}

function gateSuite(builder: Builder, checks: readonly GateCheck[]): void {
  if (checks.length === 0) return;
  const suite = builder.testSuite().name('aymara-ai gate');
  checks.forEach((check, i) => {
    const test = suite
      .testCase()
      .className('aymara.gate')
      .name(`gate ${i + 1}: ${line(check.message, 200)}`);
    if (!check.ok) test.failure(line(check.message), 'gate').stacktrace(block(escapeText(check.message)));
  });
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
export async function responsesJUnit(evalRunUUID: string, responses: readonly EvalScoredResponse[], checks: readonly GateCheck[] = []): Promise<string> {
  const builder = (await newBuilder()).name('aymara-ai');
  const suite = builder
    .testSuite()
    .name(`aymara-ai responses ${line(evalRunUUID)}`)
    .property('eval_run_uuid', line(evalRunUUID));
  for (const r of responses) {
    const test = suite
      .testCase()
      .className(`aymara.${line(String(r.content_type ?? 'text'), 100)}`)
      .name(line(r.prompt_uuid));
    const result = resultOf(r);
    if (result === 'failed') test.failure(line(r.explanation ?? 'failed (no explanation)', 500), 'failed').stacktrace(block(details(r)));
    else if (result === 'excluded') test.skipped().standardOutput('excluded from scoring (exclude_from_scoring)');
    else if (result === 'unscored') test.skipped().standardOutput('not scored (is_passed is null)');
  }
  gateSuite(builder, checks);
  return `${builder.build()}\n`;
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
function noteProperties(suite: TestSuite, texts: readonly string[]): void {
  texts.forEach((text, i) => suite.property(`note${texts.length > 1 ? `_${i + 1}` : ''}`, line(text)));
}

/**
 * `summary --format junit`: one testsuite for the run, a testcase per prompt classed by its category; failed ->
 * `<failure>` with the prompt, the answer and the explanation, excluded or unscored -> `<skipped>`. The gate's check
 * follows in its own testsuite.
 */
export async function summaryJUnit(report: SummaryReport): Promise<string> {
  const builder = (await newBuilder()).name('aymara-ai');
  const run = report.run.eval_run_uuid;
  const suite = builder
    .testSuite()
    .name(`aymara-ai summary ${line(run)}`)
    .property('eval_run_uuid', line(run));
  if (report.eval) suite.property('eval_uuid', line(report.eval.eval_uuid));
  noteProperties(suite, notes(report));
  for (const x of report.cases) {
    const test = suite.testCase().className(classOf(x)).name(line(x.prompt_uuid));
    if (x.outcome === 'failed') test.failure(line(x.explanation ?? 'failed (no explanation)', 500), 'failed').stacktrace(block(promptDetails(x)));
    else if (x.outcome === 'excluded') test.skipped().standardOutput('excluded from scoring (exclude_from_scoring)');
    else if (x.outcome === 'unscored') test.skipped().standardOutput('not scored (is_passed is null)');
  }
  gateSuite(builder, report.gate ? [report.gate] : []);
  return `${builder.build()}\n`;
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
export async function compareJUnit(r: CompareReport): Promise<string> {
  const builder = (await newBuilder()).name('aymara-ai');
  const baseline = r.baseline.eval_run_uuid;
  const candidate = r.candidate.eval_run_uuid;
  const suite = builder
    .testSuite()
    .name(`aymara-ai compare ${line(baseline)} -> ${line(candidate)}`)
    .property('baseline_run', line(baseline))
    .property('candidate_run', line(candidate))
    .property('baseline_chosen', line(baselineChoice(r.baseline)));
  noteProperties(suite, notes(r));
  const test = (x: ComparedPrompt) => suite.testCase().className(classOf(x)).name(line(x.prompt_uuid));
  for (const x of r.regressed) {
    const why = x.candidate !== 'missing' && x.explanation ? `: ${x.explanation}` : '';
    test(x)
      .failure(line(`regressed: ${outcomeLine(x)}${why}`, 500), 'regression')
      .stacktrace(block(pairDetails(x)));
  }
  for (const x of r.stillFailing)
    test(x)
      .skipped()
      .standardOutput(block(`still failing: ${pairDetails(x)}`));
  for (const x of r.fixed) test(x).standardOutput(block(`fixed: ${pairDetails(x)}`));
  for (const x of r.stillPassingPrompts) test(x);
  for (const x of r.newPrompts) {
    if (x.candidate === 'passed') test(x).standardOutput('new: passed in the candidate');
    else
      test(x)
        .skipped()
        .standardOutput(block(`new, ${x.candidate} in the candidate\ncandidate ${promptDetails(x)}`));
  }
  gateSuite(builder, r.checks);
  return `${builder.build()}\n`;
}
