/** `aymara-ai compare`: its gates, and its report (report-model.ts) as a table, JSON and Markdown. */
import Table from 'cli-table3';
import type { CaseOutcome, ResponseCounts, RunComparison } from 'aymara-ai/analysis';
import { toJSONPretty } from './json.js';
import { clipText, mdCode, mdTable, mdText } from './markdown.js';
import { RATE_EPSILON, type GateCheck } from './gate.js';
import { cell, COMPACT, countsJSON } from './output.js';
import { formatRate } from './rate.js';
import { baselineChoice, categoryLabel, firstOf, runLabel } from './report-parts.js';
import type { BaselineChoice, CompareReport, ComparedPrompt, RunInfo } from './report-model.js';
import type { SlimResponse } from './slim.js';
import { evalJSON, evalLabel, MARKDOWN_LIST_LIMIT, mdPromptCells, notes, promptJSON, promptsJSON } from './summary-report.js';

export type Comparison = RunComparison<SlimResponse>;

export interface CompareGateOptions {
  failOnRegression: boolean;
  alpha: number | undefined;
  maxDrop: number | undefined;
}

/** How many prompt_uuids a gate's message names before "and N more". */
const NAMED = 5;

function some(ids: readonly string[]): string {
  const shown = ids.slice(0, NAMED).join(', ');
  return ids.length > NAMED ? `${shown} and ${ids.length - NAMED} more` : shown;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A p-value for people: 4 significant digits, exponent notation when small, and a bound where it underflows. */
export function formatP(pValue: number, log10PValue: number): string {
  if (pValue >= 0.001) return String(Number(pValue.toPrecision(4)));
  const exponent = Math.floor(log10PValue);
  const mantissa = 10 ** (log10PValue - exponent);
  return `${mantissa.toFixed(2)}e${exponent}`;
}

/** A change in pass rate, in percentage points, signed. */
export function formatChange(change: number | null): string {
  if (change === null) return 'n/a';
  const points = change * 100;
  const text = Math.abs(points).toFixed(1);
  if (text === '0.0') return '0.0 points';
  return `${points < 0 ? '-' : '+'}${text} points`;
}

/**
 * The gate's checks, each with its verdict. A comparison that is not sound fails whatever was asked: a run that
 * repeats a `prompt_uuid` (which response counts?) or a candidate that lacks cases of the baseline (a missing
 * case is not a passing case). Then the gates asked for on the command line.
 */
export function compareGates(c: Comparison, options: CompareGateOptions): GateCheck[] {
  const checks: GateCheck[] = [];
  for (const side of ['baseline', 'candidate'] as const) {
    const ids = c.duplicates[side];
    if (ids.length > 0) {
      checks.push({
        ok: false,
        message: `the ${side} run repeats ${plural(ids.length, 'prompt_uuid')}: ${some(ids)}; pairing them would be a guess, so the comparison is not sound`,
      });
    }
  }
  if (c.missing.length > 0) {
    checks.push({
      ok: false,
      message: `the candidate run lacks ${plural(c.missing.length, 'case')} of the baseline: ${some(c.missing.map((x) => x.prompt_uuid))} (a missing case is not a passing case)`,
    });
  }
  const regressedIds = c.regressed.map((x) => x.prompt_uuid);
  if (options.alpha !== undefined) {
    // Unscored or excluded where the baseline passed is missing data, not a judge's coin flip: no test excuses it.
    const unjudged = c.regressed.filter((x) => x.candidate === 'unscored' || x.candidate === 'excluded');
    if (unjudged.length > 0) {
      checks.push({
        ok: false,
        message: `${plural(unjudged.length, 'case')} that passed in the baseline ${unjudged.length === 1 ? 'has' : 'have'} no result in the candidate (unscored or excluded): ${some(unjudged.map((x) => x.prompt_uuid))}`,
      });
    }
    const { pValue, log10PValue, regressed, fixed } = c.mcnemar;
    const p = formatP(pValue, log10PValue);
    const worse = pValue < options.alpha;
    checks.push({
      ok: !worse,
      message: `McNemar's exact test (one-sided): p = ${p} for ${regressed} regressed against ${fixed} fixed; ${
        worse ? `the candidate is worse (p < ${options.alpha})` : `not significant at alpha ${options.alpha}`
      }`,
    });
  } else if (options.failOnRegression) {
    checks.push(
      c.regressed.length === 0
        ? { ok: true, message: 'no case regressed' }
        : { ok: false, message: `${plural(c.regressed.length, 'case')} regressed: ${some(regressedIds)}` },
    );
  }
  if (options.maxDrop !== undefined) {
    const allowed = `${(options.maxDrop * 100).toFixed(1)} points`;
    const rates = `from ${formatRate(c.baseline.passRate)} to ${formatRate(c.candidate.passRate)}`;
    if (c.passRateChange === null) {
      checks.push({ ok: false, message: `the pass-rate change is undefined (${rates}: a run with nothing scored), so --max-drop fails` });
    } else {
      const drop = -c.passRateChange;
      checks.push(
        drop > options.maxDrop + RATE_EPSILON
          ? { ok: false, message: `the pass rate fell by ${(drop * 100).toFixed(1)} points (${rates}), more than the ${allowed} allowed` }
          : { ok: true, message: `the pass rate changed by ${formatChange(c.passRateChange)} (${rates}), within the ${allowed} allowed drop` },
      );
    }
  }
  return checks;
}

/**
 * What "still failing" counts, said wherever the count is: more than the failed rows of the same table, since a case
 * unscored or excluded in both runs has not passed either.
 */
export const STILL_FAILING = 'passed in neither run: failed, unscored, excluded or missing';

function tally(r: CompareReport): string {
  return [
    `${r.regressed.length} regressed`,
    `${r.fixed.length} fixed`,
    `${r.stillFailing.length} still failing (${STILL_FAILING})`,
    `${r.stillPassing} still passing`,
    `${r.new} new`,
    `${r.missing} missing`,
  ].join(', ');
}

/** The explanation a regressed prompt shows: the candidate's, else the baseline's, said so. */
const regressedExplanation = (x: ComparedPrompt, baselineLabel: string) =>
  (x.candidate === 'missing' ? '' : (x.explanation ?? '')) || (x.baselineExplanation ? `${baselineLabel}${x.baselineExplanation}` : '');
const candidateExplanation = (x: ComparedPrompt) => (x.candidate === 'missing' ? '' : (x.explanation ?? ''));

const signed = (a: number, b: number) => (b - a === 0 ? '0' : `${b - a > 0 ? '+' : ''}${b - a}`);

/** The runs and how the baseline was chosen, in plain words (server text: escape for where it lands). */
function runLines(r: CompareReport): string[] {
  const lines = [`baseline: ${runLabel(r.baseline)}, ${baselineChoice(r.baseline)}`, `candidate: ${runLabel(r.candidate)}`];
  const evalName = evalLabel(r.eval);
  return evalName === undefined ? lines : [`eval: ${evalName}`, ...lines];
}

/** The comparison as terminal tables. */
export function compareTable(r: CompareReport): string {
  const totals = new Table({ head: ['', 'baseline', 'candidate', 'change'], ...COMPACT });
  const row = (name: string, key: keyof Omit<ResponseCounts, 'passRate'>) => {
    totals.push([name, String(r.baselineCounts[key]), String(r.candidateCounts[key]), signed(r.baselineCounts[key], r.candidateCounts[key])]);
  };
  totals.push(
    ['run', cell(r.baseline.eval_run_uuid), cell(r.candidate.eval_run_uuid), ''],
    ['pass rate', formatRate(r.baselineCounts.passRate), formatRate(r.candidateCounts.passRate), formatChange(r.passRateChange)],
  );
  for (const key of ['total', 'passed', 'failed', 'unscored', 'excluded'] as const) row(key, key);
  const lines = [
    ...notes(r).map((note) => `note: ${cell(note)}`),
    ...runLines(r).map((line) => cell(line)),
    totals.toString(),
    tally(r),
    `McNemar's exact test (one-sided): p = ${formatP(r.mcnemar.pValue, r.mcnemar.log10PValue)} (${r.mcnemar.regressed} regressed, ${r.mcnemar.fixed} fixed)`,
  ];
  if (r.byCategory.length > 0) {
    const table = new Table({ head: ['category', 'baseline', 'candidate', 'change', 'total'], ...COMPACT });
    for (const c of r.byCategory)
      table.push([
        cell(categoryLabel(c.category), 40),
        formatRate(c.baseline.passRate),
        formatRate(c.candidate.passRate),
        formatChange(c.change),
        String(c.candidate.total),
      ]);
    lines.push('', 'Pass rate by category:', table.toString());
  }
  const list = (title: string, cases: readonly ComparedPrompt[], explain: (x: ComparedPrompt) => string) => {
    if (cases.length === 0) return;
    const { shown, more } = firstOf(cases, MARKDOWN_LIST_LIMIT);
    const table = new Table({ head: ['prompt_uuid', 'category', 'prompt', 'baseline', 'candidate', 'answer', 'explanation'], ...COMPACT });
    for (const x of shown)
      table.push([
        cell(x.prompt_uuid),
        cell(categoryLabel(x.category), 20),
        cell(x.prompt, 40),
        x.baseline,
        x.candidate,
        cell(x.answer, 30),
        cell(explain(x), 60),
      ]);
    lines.push('', `${title} (${cases.length}):`, table.toString(), ...(more > 0 ? [`…and ${more} more (see the JSON or JUnit report)`] : []));
  };
  list('Regressed', r.regressed, (x) => regressedExplanation(x, '(baseline) '));
  list('Fixed', r.fixed, candidateExplanation);
  list('Still failing', r.stillFailing, candidateExplanation);
  list('New', r.newPrompts, candidateExplanation);
  for (const side of ['baseline', 'candidate'] as const) {
    const ids = r.duplicates[side];
    if (ids.length > 0) lines.push('', `Repeated prompt_uuids in the ${side} (${ids.length}): ${ids.map((id) => cell(id)).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function caseJSON(x: ComparedPrompt): Record<string, unknown> {
  return {
    ...promptJSON(x),
    baseline: x.baseline,
    candidate: x.candidate,
    explanation: x.candidate === 'missing' ? null : (x.explanation ?? null),
    baseline_explanation: x.baselineExplanation ?? null,
  };
}

function runJSON(run: RunInfo): Record<string, unknown> {
  return { eval_run_uuid: run.eval_run_uuid, name: run.name ?? null, created_at: run.created_at ?? null, status: run.status };
}

function chosenJSON(chosen: BaselineChoice): Record<string, unknown> {
  return chosen.kind === 'given'
    ? { kind: 'given' }
    : { kind: 'latest', eval_uuid: chosen.eval_uuid, name_glob: chosen.nameGlob ?? null, considered: chosen.considered };
}

/** The comparison as one JSON document, in the API's snake_case style. */
export function compareJSON(r: CompareReport): string {
  return `${toJSONPretty({
    eval: evalJSON(r.eval),
    baseline: { ...runJSON(r.baseline), chosen: chosenJSON(r.baseline.chosen), ...countsJSON(r.baselineCounts) },
    candidate: { ...runJSON(r.candidate), ...countsJSON(r.candidateCounts) },
    pass_rate_change: r.passRateChange,
    by_category: r.byCategory.map((c) => ({ category: c.category, baseline: countsJSON(c.baseline), candidate: countsJSON(c.candidate), change: c.change })),
    prompts: promptsJSON(r.prompts),
    counts: {
      regressed: r.regressed.length,
      fixed: r.fixed.length,
      still_failing: r.stillFailing.length,
      still_passing: r.stillPassing,
      new: r.new,
      missing: r.missing,
    },
    mcnemar: { regressed: r.mcnemar.regressed, fixed: r.mcnemar.fixed, p_value: r.mcnemar.pValue, log10_p_value: r.mcnemar.log10PValue },
    duplicates: r.duplicates,
    regressed: r.regressed.map(caseJSON),
    fixed: r.fixed.map(caseJSON),
    still_failing: r.stillFailing.map(caseJSON),
    new: r.newPrompts.map(caseJSON),
    missing: r.missingUUIDs,
    gate: { passed: r.checks.every((x) => x.ok), checks: r.checks },
  })}\n`;
}

const OUTCOME_MD: Record<CaseOutcome, string> = { passed: 'passed', failed: 'failed', unscored: 'unscored', excluded: 'excluded', missing: '**missing**' };

function caseTable(cases: readonly ComparedPrompt[], explain: (x: ComparedPrompt) => string): string {
  const { shown, more } = firstOf(cases, MARKDOWN_LIST_LIMIT);
  const table = mdTable(
    ['prompt', 'category', 'question', 'answer', 'baseline', 'candidate', 'explanation'],
    shown.map((x) => [
      mdCode(x.prompt_uuid),
      ...mdPromptCells(x),
      OUTCOME_MD[x.baseline],
      OUTCOME_MD[x.candidate],
      mdText(clipText(explain(x) || '(no explanation)', 300)),
    ]),
  );
  return more > 0 ? `${table}\n\n…and ${more} more (see the JSON or JUnit report).` : table;
}

/** The comparison as a Markdown report for a pull request or a job summary. */
export function compareMarkdown(r: CompareReport): string {
  const ok = r.checks.every((x) => x.ok);
  const lines = [
    `### ${ok ? '✅' : '❌'} Aymara eval: candidate ${mdCode(r.candidate.eval_run_uuid)} against baseline ${mdCode(r.baseline.eval_run_uuid)}`,
    '',
  ];
  lines.push(...runLines(r).map((line) => `- ${mdText(line)}`), '');
  for (const note of notes(r)) lines.push(`> **Note:** ${mdText(note)}`, '');
  if (r.checks.length > 0) {
    lines.push(`**Gate ${ok ? 'passed' : 'failed'}:**`, '', ...r.checks.map((x) => `- ${x.ok ? '✅' : '❌'} ${mdText(x.message)}`), '');
  }
  const b = r.baselineCounts;
  const k = r.candidateCounts;
  lines.push(
    mdTable(
      ['', 'baseline', 'candidate', 'change'],
      [
        ['pass rate', formatRate(b.passRate), formatRate(k.passRate), formatChange(r.passRateChange)],
        ...(['passed', 'failed', 'unscored', 'excluded', 'total'] as const).map((key) => [key, String(b[key]), String(k[key]), signed(b[key], k[key])]),
      ],
      'lrrr',
    ),
    '',
    `**${r.regressed.length} regressed** · ${r.fixed.length} fixed · ${r.stillFailing.length} still failing (${STILL_FAILING}) · ${r.stillPassing} still passing · ${r.new} new · ${r.missing} missing`,
    '',
    `McNemar's exact test (one-sided, ${r.mcnemar.regressed} regressed against ${r.mcnemar.fixed} fixed): p = ${formatP(r.mcnemar.pValue, r.mcnemar.log10PValue)}`,
  );
  if (r.byCategory.length > 0) {
    lines.push(
      '',
      '#### Pass rate by category',
      '',
      mdTable(
        ['category', 'baseline', 'candidate', 'change', 'total'],
        r.byCategory.map((c) => [
          mdText(clipText(categoryLabel(c.category), 80)),
          formatRate(c.baseline.passRate),
          formatRate(c.candidate.passRate),
          formatChange(c.change),
          String(c.candidate.total),
        ]),
        'lrrrr',
      ),
    );
  }
  if (r.regressed.length > 0) {
    lines.push(
      '',
      `#### Regressed prompts (${r.regressed.length})`,
      '',
      caseTable(r.regressed, (x) => regressedExplanation(x, 'baseline: ')),
    );
  }
  const folded = (title: string, cases: readonly ComparedPrompt[]) => {
    if (cases.length === 0) return;
    lines.push('', `<details><summary>${title} (${cases.length})</summary>`, '', caseTable(cases, candidateExplanation), '', '</details>');
  };
  folded('Fixed prompts', r.fixed);
  folded('Still failing prompts', r.stillFailing);
  folded('New prompts', r.newPrompts);
  for (const side of ['baseline', 'candidate'] as const) {
    const ids = r.duplicates[side];
    if (ids.length > 0)
      lines.push(
        '',
        `**Repeated prompt_uuids in the ${side}:** ${ids.slice(0, MARKDOWN_LIST_LIMIT).map(mdCode).join(', ')}${ids.length > MARKDOWN_LIST_LIMIT ? ' …' : ''}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
