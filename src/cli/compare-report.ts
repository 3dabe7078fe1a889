/** `aymara-ai compare`: its gates, and its report as a table, JSON and Markdown. */
import Table from 'cli-table3';
import type { CaseOutcome, ComparedCase, ResponseCounts, RunComparison } from 'aymara-ai/analysis';
import { toJSONPretty } from './json.js';
import { clipText, mdCode, mdTable, mdText } from './markdown.js';
import { RATE_EPSILON, type GateCheck } from './gate.js';
import { cell, COMPACT, countsJSON, MARKDOWN_LIST_LIMIT } from './output.js';
import { formatRate } from './rate.js';
import type { SlimResponse } from './slim.js';

export type Comparison = RunComparison<SlimResponse>;
type Case = ComparedCase<SlimResponse>;

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

function tally(c: Comparison): string {
  return [
    `${c.regressed.length} regressed`,
    `${c.fixed.length} fixed`,
    `${c.stillFailing.length} still failing`,
    `${c.stillPassing.length} still passing`,
    `${c.new.length} new`,
    `${c.missing.length} missing`,
  ].join(', ');
}

const explanationOf = (r: SlimResponse | undefined) => r?.explanation ?? '';

/** The comparison as terminal tables. */
export function compareTable(baselineUUID: string, candidateUUID: string, c: Comparison): string {
  const totals = new Table({ head: ['', 'baseline', 'candidate', 'change'], ...COMPACT });
  const row = (name: string, key: keyof Omit<ResponseCounts, 'passRate'>) => {
    const [a, b] = [c.baseline[key], c.candidate[key]];
    totals.push([name, String(a), String(b), b - a === 0 ? '0' : `${b - a > 0 ? '+' : ''}${b - a}`]);
  };
  totals.push(
    ['run', cell(baselineUUID), cell(candidateUUID), ''],
    ['pass rate', formatRate(c.baseline.passRate), formatRate(c.candidate.passRate), formatChange(c.passRateChange)],
  );
  for (const key of ['total', 'passed', 'failed', 'unscored', 'excluded'] as const) row(key, key);
  const lines = [
    totals.toString(),
    tally(c),
    `McNemar's exact test (one-sided): p = ${formatP(c.mcnemar.pValue, c.mcnemar.log10PValue)} (${c.mcnemar.regressed} regressed, ${c.mcnemar.fixed} fixed)`,
  ];
  const list = (title: string, cases: readonly Case[], explain: (x: Case) => string) => {
    if (cases.length === 0) return;
    const table = new Table({ head: ['prompt_uuid', 'baseline', 'candidate', 'explanation'], ...COMPACT });
    for (const x of cases) table.push([cell(x.prompt_uuid), x.baseline, x.candidate, cell(explain(x), 70)]);
    lines.push('', `${title} (${cases.length}):`, table.toString());
  };
  list('Regressed', c.regressed, (x) => explanationOf(x.candidateResponse) || `(baseline: ${explanationOf(x.baselineResponse)})`);
  list('Fixed', c.fixed, (x) => explanationOf(x.candidateResponse));
  list('New', c.new, (x) => explanationOf(x.candidateResponse));
  for (const side of ['baseline', 'candidate'] as const) {
    if (c.duplicates[side].length > 0)
      lines.push('', `Repeated prompt_uuids in the ${side} (${c.duplicates[side].length}): ${c.duplicates[side].map((id) => cell(id)).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function caseJSON(x: Case): Record<string, unknown> {
  return {
    prompt_uuid: x.prompt_uuid,
    baseline: x.baseline,
    candidate: x.candidate,
    explanation: x.candidateResponse?.explanation ?? null,
    baseline_explanation: x.baselineResponse?.explanation ?? null,
  };
}

/** The comparison as one JSON document, in the API's snake_case style. */
export function compareJSON(baselineUUID: string, candidateUUID: string, c: Comparison, checks: readonly GateCheck[]): string {
  return `${toJSONPretty({
    baseline: { eval_run_uuid: baselineUUID, ...countsJSON(c.baseline) },
    candidate: { eval_run_uuid: candidateUUID, ...countsJSON(c.candidate) },
    pass_rate_change: c.passRateChange,
    counts: {
      regressed: c.regressed.length,
      fixed: c.fixed.length,
      still_failing: c.stillFailing.length,
      still_passing: c.stillPassing.length,
      new: c.new.length,
      missing: c.missing.length,
    },
    mcnemar: { regressed: c.mcnemar.regressed, fixed: c.mcnemar.fixed, p_value: c.mcnemar.pValue, log10_p_value: c.mcnemar.log10PValue },
    duplicates: c.duplicates,
    regressed: c.regressed.map(caseJSON),
    fixed: c.fixed.map(caseJSON),
    still_failing: c.stillFailing.map(caseJSON),
    new: c.new.map(caseJSON),
    missing: c.missing.map((x) => x.prompt_uuid),
    gate: { passed: checks.every((x) => x.ok), checks },
  })}\n`;
}

const OUTCOME_MD: Record<CaseOutcome, string> = { passed: 'passed', failed: 'failed', unscored: 'unscored', excluded: 'excluded', missing: '**missing**' };

function caseTable(cases: readonly Case[], explain: (x: Case) => string): string {
  const shown = cases.slice(0, MARKDOWN_LIST_LIMIT);
  const table = mdTable(
    ['prompt', 'baseline', 'candidate', 'explanation'],
    shown.map((x) => [mdCode(x.prompt_uuid), OUTCOME_MD[x.baseline], OUTCOME_MD[x.candidate], mdText(clipText(explain(x) || '(no explanation)', 300))]),
  );
  return shown.length < cases.length ? `${table}\n\n…and ${cases.length - shown.length} more (see the JSON or JUnit report).` : table;
}

/** The comparison as a Markdown report for a pull request or a job summary. */
export function compareMarkdown(baselineUUID: string, candidateUUID: string, c: Comparison, checks: readonly GateCheck[]): string {
  const ok = checks.every((x) => x.ok);
  const lines = [`### ${ok ? '✅' : '❌'} Aymara eval: candidate ${mdCode(candidateUUID)} against baseline ${mdCode(baselineUUID)}`, ''];
  if (checks.length > 0) {
    lines.push(`**Gate ${ok ? 'passed' : 'failed'}:**`, '', ...checks.map((x) => `- ${x.ok ? '✅' : '❌'} ${mdText(x.message)}`), '');
  }
  const diff = (a: number, b: number) => (b - a === 0 ? '0' : `${b - a > 0 ? '+' : ''}${b - a}`);
  lines.push(
    mdTable(
      ['', 'baseline', 'candidate', 'change'],
      [
        ['pass rate', formatRate(c.baseline.passRate), formatRate(c.candidate.passRate), formatChange(c.passRateChange)],
        ...(['passed', 'failed', 'unscored', 'excluded', 'total'] as const).map((k) => [
          k,
          String(c.baseline[k]),
          String(c.candidate[k]),
          diff(c.baseline[k], c.candidate[k]),
        ]),
      ],
      'lrrr',
    ),
    '',
    `**${c.regressed.length} regressed** · ${c.fixed.length} fixed · ${c.stillFailing.length} still failing · ${c.stillPassing.length} still passing · ${c.new.length} new · ${c.missing.length} missing`,
    '',
    `McNemar's exact test (one-sided, ${c.mcnemar.regressed} regressed against ${c.mcnemar.fixed} fixed): p = ${formatP(c.mcnemar.pValue, c.mcnemar.log10PValue)}`,
  );
  if (c.regressed.length > 0) {
    lines.push(
      '',
      `#### Regressed prompts (${c.regressed.length})`,
      '',
      caseTable(c.regressed, (x) => explanationOf(x.candidateResponse) || `baseline: ${explanationOf(x.baselineResponse)}`),
    );
  }
  const folded = (title: string, cases: readonly Case[]) => {
    if (cases.length === 0) return;
    lines.push(
      '',
      `<details><summary>${title} (${cases.length})</summary>`,
      '',
      caseTable(cases, (x) => explanationOf(x.candidateResponse)),
      '',
      '</details>',
    );
  };
  folded('Fixed prompts', c.fixed);
  folded('New prompts', c.new);
  for (const side of ['baseline', 'candidate'] as const) {
    const ids = c.duplicates[side];
    if (ids.length > 0)
      lines.push(
        '',
        `**Repeated prompt_uuids in the ${side}:** ${ids.slice(0, MARKDOWN_LIST_LIMIT).map(mdCode).join(', ')}${ids.length > MARKDOWN_LIST_LIMIT ? ' …' : ''}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
