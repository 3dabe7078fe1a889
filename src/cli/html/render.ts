/**
 * The HTML report of `summary` and `compare`: one self-contained, inert file a reviewer opens from CI.
 *
 * Inert by construction: the Content-Security-Policy comes first in `<head>` (before any server text, so nothing can
 * precede it) and forbids every fetch, script, frame and form; and the report writes no script, no URL, no `href`
 * or `src`, so it needs none of them. Every string from the server goes through `./escape.js` for where it lands.
 */
import { formatChange, formatP } from '../compare-report.js';
import type { GateCheck } from '../gate.js';
import { formatRate } from '../rate.js';
import type { CompareReport, EvalInfo, GateReport, RunInfo, SummaryReport } from '../report-model.js';
import { renderChart } from './chart.js';
import { changeClass, type FigureRow } from './figures.js';
import { renderFigureTable } from './table.js';
import { escapeHTML, inline, plain } from './escape.js';
import { newBudget, renderPromptSection } from './prompts.js';
import { STYLES } from './styles.js';

/** Allows inline styles and nothing else: no script, no image, no font, no request of any kind. */
export const CSP = "default-src 'none'; style-src 'unsafe-inline'";

type Verdict = 'pass' | 'fail' | 'none';

function verdictOf(checks: readonly GateCheck[]): Verdict {
  if (checks.length === 0) return 'none';
  return checks.every((check) => check.ok) ? 'pass' : 'fail';
}

const VERDICT_TITLE: Record<Verdict, string> = { pass: 'Gate passed', fail: 'Gate failed', none: 'No gate set' };

function checksList(checks: readonly GateCheck[], noGate: string): string {
  if (checks.length === 0) return `<p class="none">${escapeHTML(noGate)}</p>`;
  const items = checks.map(
    (check) => `<li><span class="badge ${check.ok ? 'ok' : 'fail'}">${check.ok ? 'PASS' : 'FAIL'}</span><span class="t">${inline(check.message)}</span></li>`,
  );
  return `<ul class="checks">${items.join('')}</ul>`;
}

function figures(items: readonly [label: string, value: string, className?: string][]): string {
  const lis = items.map(
    ([label, value, className]) =>
      `<li><span class="n${className ? ` ${className}` : ''}">${escapeHTML(value)}</span><span class="l">${escapeHTML(label)}</span></li>`,
  );
  return `<ul class="figures">${lis.join('')}</ul>`;
}

/** A date as people read it, in UTC so every reviewer sees the same; the server's text as it is when unparseable. */
function when(iso: string | undefined): string {
  if (iso === undefined) return '<span class="none">unknown</span>';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return `<span class="t">${inline(iso)}</span>`;
  const date = new Date(ms).toISOString();
  return `${date.slice(0, 10)} ${date.slice(11, 16)} UTC`;
}

const orUnknown = (text: string | null | undefined, unknown = 'unknown') =>
  text === null || text === undefined || text === '' ? `<span class="none">${escapeHTML(unknown)}</span>` : `<span class="t">${inline(text)}</span>`;

/** The eval, then each run, as one list of facts: it reads the same on a phone, where a table of UUIDs cannot. */
function aboutFacts(evaluation: EvalInfo | undefined, runs: readonly [role: string, run: RunInfo][]): string {
  const facts: string[] = [];
  if (!evaluation) facts.push('<dt>Eval</dt><dd class="none">The eval could not be read.</dd>');
  else {
    const kind = [evaluation.eval_type, evaluation.modality, evaluation.language].filter((x): x is string => typeof x === 'string' && x !== '');
    const kinds = kind.length > 0 ? ` <span class="count">(${kind.map((x) => `<span class="t">${inline(x)}</span>`).join(' · ')})</span>` : '';
    facts.push(
      `<dt>Eval</dt><dd><strong>${orUnknown(evaluation.name, 'unnamed')}</strong>${kinds}<br><code class="t">${inline(evaluation.eval_uuid)}</code></dd>`,
    );
  }
  for (const [role, run] of runs) {
    facts.push(
      `<dt>${escapeHTML(role)}</dt><dd><strong>${orUnknown(run.name, 'unnamed')}</strong> <span class="count">created ${when(run.created_at)} · ${orUnknown(run.status)}</span><br><code class="t">${inline(run.eval_run_uuid)}</code></dd>`,
    );
  }
  return `<dl class="facts">${facts.join('')}</dl>`;
}

function baselineChoice(report: CompareReport): string {
  const chosen = report.baseline.chosen;
  if (chosen.kind === 'given') return '<p>The baseline was given on the command line.</p>';
  const filter = chosen.nameGlob === undefined ? '' : ` whose name matches <code class="t">${inline(chosen.nameGlob)}</code>`;
  return `<p>The baseline was found, not given (<code>compare latest</code>): the most recent finished run of this eval${filter} created before the candidate, out of ${chosen.considered} such ${chosen.considered === 1 ? 'run' : 'runs'}.</p>`;
}

function notes(report: GateReport): string {
  const out: string[] = [];
  if (report.command === 'summary' && report.noBaseline !== undefined)
    out.push(`<p class="note" role="note"><strong>No baseline:</strong> <span class="t">${inline(report.noBaseline)}</span></p>`);
  if (!report.prompts.available)
    out.push(
      `<p class="note" role="note"><strong>Prompts unavailable:</strong> <span class="t">${inline(report.prompts.note)}</span> The figures and the verdict do not depend on them.</p>`,
    );
  return out.join('');
}

function document(title: string, body: string): string {
  // The CSP meta is the first thing in <head>, ahead of the charset and of any server text, so it governs it all.
  return `<!doctype html>
<html lang="en"><head><meta http-equiv="Content-Security-Policy" content="${CSP}"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="color-scheme" content="light dark"><title>${plain(title)}</title><style>${STYLES}</style></head>
<body><main>${body}<footer><p>Made by the aymara-ai command-line tool. This file loads nothing and runs no script; the json report has every response.</p></footer></main></body></html>
`;
}

function figureSection(rows: readonly FigureRow[], chartTitle: string, description: string, categoriesKnown: boolean): string {
  const note = categoriesKnown ? '' : '<p class="none">No categories: the prompts could not be read.</p>';
  return `<section class="rates"><h2>Pass rate${categoriesKnown ? ' by category' : ''}</h2>${note}${renderChart(rows, { title: chartTitle, description })}${renderFigureTable(rows)}</section>`;
}

const runName = (run: RunInfo) => run.name || run.eval_run_uuid;
const evalName = (report: GateReport) => report.eval?.name || report.eval?.eval_uuid || 'an eval';

function renderSummary(report: SummaryReport): string {
  const checks = report.gate ? [report.gate] : [];
  const verdict = verdictOf(checks);
  const s = report.summary;
  const header = `<header class="verdict ${verdict}"><p class="kicker">Aymara eval · summary of one run</p><h1>${VERDICT_TITLE[verdict]}</h1><p><span class="t">${inline(evalName(report))}</span>, run <span class="t">${inline(runName(report.run))}</span></p>${checksList(checks, 'No gate was asked for (--fail-under); this report only describes the run.')}${figures(
    [
      ['pass rate', formatRate(s.passRate)],
      ['passed', String(s.passed)],
      ['failed', String(s.failed), s.failed > 0 ? 'down' : undefined],
      ['refused', String(s.refused)],
      ['unscored', String(s.unscored)],
      ['excluded', String(s.excluded)],
      ['responses', String(s.total)],
    ],
  )}</header>`;
  const about = `<section class="about"><h2>Eval and run</h2>${aboutFacts(report.eval, [['Run', report.run]])}</section>`;
  const rows: FigureRow[] = [
    { kind: 'overall', category: null, candidate: s },
    ...report.byCategory.map((f): FigureRow => ({ kind: 'category', category: f.category, candidate: f.counts })),
  ];
  const description = `Overall ${formatRate(s.passRate)}${report.byCategory.length > 0 ? `; ${report.byCategory.length} categories` : ''}. The same figures are in the table below.`;
  const chart = figureSection(rows, `Pass rate overall and by category, run ${runName(report.run)}`, description, report.prompts.available);
  const failing = renderPromptSection({
    title: 'Failing prompts',
    kind: 'failed',
    cases: report.failed,
    noun: 'failing',
    budget: newBudget(),
    empty: 'No prompt failed.',
    order: report.byCategory.map((f) => f.category),
  });
  const title = `${VERDICT_TITLE[verdict]} · ${evalName(report)} · Aymara eval summary`;
  return document(title, `${header}${notes(report)}${about}${chart}${failing}`);
}

function renderCompare(report: CompareReport): string {
  const verdict = verdictOf(report.checks);
  const { baselineCounts: b, candidateCounts: c } = report;
  const header = `<header class="verdict ${verdict}"><p class="kicker">Aymara eval · comparison of two runs</p><h1>${VERDICT_TITLE[verdict]}</h1><p><span class="t">${inline(evalName(report))}</span>: candidate <span class="t">${inline(runName(report.candidate))}</span> against baseline <span class="t">${inline(runName(report.baseline))}</span></p>${checksList(report.checks, 'No gate was asked for (--fail-on-regression, --max-drop, --alpha); this report only describes the change.')}${figures(
    [
      ['candidate pass rate', formatRate(c.passRate)],
      [`change from ${formatRate(b.passRate)}`, formatChange(report.passRateChange), changeClass(report.passRateChange)],
      ['regressed', String(report.regressed.length), report.regressed.length > 0 ? 'down' : undefined],
      ['fixed', String(report.fixed.length), report.fixed.length > 0 ? 'up' : undefined],
      ['still failing', String(report.stillFailing.length)],
      ['still passing', String(report.stillPassing)],
      ['new', String(report.new)],
      ['missing', String(report.missing), report.missing > 0 ? 'down' : undefined],
    ],
  )}<p class="none">McNemar's exact test (one-sided, ${report.mcnemar.regressed} regressed against ${report.mcnemar.fixed} fixed): p = ${escapeHTML(formatP(report.mcnemar.pValue, report.mcnemar.log10PValue))}</p></header>`;
  const about = `<section class="about"><h2>Eval and runs</h2>${aboutFacts(report.eval, [
    ['Baseline', report.baseline],
    ['Candidate', report.candidate],
  ])}${baselineChoice(report)}</section>`;
  const rows: FigureRow[] = [
    { kind: 'overall', category: null, baseline: b, candidate: c, change: report.passRateChange },
    ...report.byCategory.map((f): FigureRow => ({ kind: 'category', category: f.category, baseline: f.baseline, candidate: f.candidate, change: f.change })),
  ];
  const description = `Overall ${formatRate(b.passRate)} in the baseline and ${formatRate(c.passRate)} in the candidate (${formatChange(report.passRateChange)})${
    report.byCategory.length > 0 ? `; ${report.byCategory.length} categories` : ''
  }. The same figures are in the table below.`;
  const chart = figureSection(
    rows,
    `Pass rate overall and by category: baseline ${runName(report.baseline)} beside candidate ${runName(report.candidate)}`,
    description,
    report.prompts.available,
  );
  const budget = newBudget();
  const order = report.byCategory.map((f) => f.category);
  const compared = (x: (typeof report.regressed)[number]) => x;
  const sections = [
    renderPromptSection({
      title: 'Regressed prompts',
      kind: 'regressed',
      cases: report.regressed,
      noun: 'regressed',
      budget,
      compared,
      order,
      empty: 'No prompt regressed.',
    }),
    renderPromptSection({
      title: 'Fixed prompts',
      kind: 'fixed',
      cases: report.fixed,
      noun: 'fixed',
      budget,
      compared,
      order,
      folded: true,
      empty: 'No prompt was fixed.',
    }),
    renderPromptSection({
      title: 'Still failing',
      kind: 'failed',
      cases: report.stillFailing,
      noun: 'still failing',
      budget,
      compared,
      order,
      folded: true,
      empty: 'No prompt failed in both runs.',
    }),
  ];
  const title = `${VERDICT_TITLE[verdict]} · ${evalName(report)} · Aymara eval comparison`;
  return document(title, `${header}${notes(report)}${about}${chart}${sections.join('')}`);
}

/** The whole report as one HTML document. */
export function renderHTML(report: GateReport): string {
  return report.command === 'summary' ? renderSummary(report) : renderCompare(report);
}
