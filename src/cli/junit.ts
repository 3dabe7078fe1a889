/**
 * JUnit XML, which CI test reporters read (GitLab's `artifacts:reports:junit`, Jenkins, GitHub test-report
 * actions), so eval failures show in the CI's own test UI. Built with `junit-report-builder`, loaded only when
 * this format is asked for.
 */
import type { EvalScoredResponse } from 'aymara-ai';
import type { ComparedCase, RunComparison } from 'aymara-ai/analysis';
import { escapeText } from './escape.js';
import { clipText } from './markdown.js';
import type { GateCheck } from './gate.js';
import { contentText, resultOf } from './output.js';
import type { SlimResponse } from './slim.js';

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

function outcomeLine(c: ComparedCase<SlimResponse>): string {
  return `${c.baseline} in the baseline, ${c.candidate} in the candidate`;
}

function pairDetails(c: ComparedCase<SlimResponse>): string {
  const parts = [outcomeLine(c)];
  if (c.candidateResponse) parts.push(`candidate ${details(c.candidateResponse)}`);
  if (c.baselineResponse) parts.push(`baseline ${details(c.baselineResponse)}`);
  return parts.join('\n');
}

/**
 * `compare --format junit`: one testsuite for the comparison, a testcase per prompt of either run:
 * regressed -> `<failure>`; still failing, or new and not passing -> `<skipped>` (a known failure, not a new
 * one); fixed, still passing, or new and passing -> passed. The gate's checks follow in their own testsuite.
 */
export async function compareJUnit(baselineUUID: string, candidateUUID: string, c: RunComparison<SlimResponse>, checks: readonly GateCheck[]): Promise<string> {
  const builder = (await newBuilder()).name('aymara-ai');
  const suite = builder
    .testSuite()
    .name(`aymara-ai compare ${line(baselineUUID)} -> ${line(candidateUUID)}`)
    .property('baseline_run', line(baselineUUID))
    .property('candidate_run', line(candidateUUID));
  const test = (x: ComparedCase<SlimResponse>, className = 'aymara.compare') => suite.testCase().className(className).name(line(x.prompt_uuid));
  for (const x of c.regressed) {
    const why = x.candidateResponse?.explanation ? `: ${x.candidateResponse.explanation}` : '';
    test(x)
      .failure(line(`regressed: ${outcomeLine(x)}${why}`, 500), 'regression')
      .stacktrace(block(pairDetails(x)));
  }
  for (const x of c.stillFailing)
    test(x)
      .skipped()
      .standardOutput(block(`still failing: ${pairDetails(x)}`));
  for (const x of c.fixed) test(x).standardOutput(block(`fixed: ${pairDetails(x)}`));
  for (const x of c.stillPassing) test(x);
  for (const x of c.new) {
    if (x.candidate === 'passed') test(x, 'aymara.compare.new').standardOutput('new: passed in the candidate');
    else
      test(x, 'aymara.compare.new')
        .skipped()
        .standardOutput(block(`new, ${x.candidate} in the candidate\ncandidate ${x.candidateResponse ? details(x.candidateResponse) : ''}`));
  }
  gateSuite(builder, checks);
  return `${builder.build()}\n`;
}
