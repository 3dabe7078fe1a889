/** `aymara-ai summary`: its report (report-model.ts) as a terminal table, JSON and Markdown. */
import Table from 'cli-table3';
import type { ResponseCounts } from 'aymara-ai/analysis';
import { toJSONPretty } from './json.js';
import { clipText, mdCode, mdTable, mdText } from './markdown.js';
import { cell, COMPACT, countsJSON } from './output.js';
import { formatRate } from './rate.js';
import { categoryLabel, firstOf, runLabel } from './report-parts.js';
import type { CategoryFigures, EvalInfo, PromptCase, PromptsStatus, SummaryReport } from './report-model.js';

/** How many failed or regressed prompts a table or a markdown report lists (a job summary holds at most 1 MiB). */
export const MARKDOWN_LIST_LIMIT = 50;

const COUNT_KEYS = ['total', 'passed', 'failed', 'refused', 'excluded', 'unscored'] as const;

/** A refusal is scored like any answer: the refused count overlaps the others, which the reports say. */
export const REFUSED = 'also counted in passed, failed, excluded or unscored';

function countCells(c: ResponseCounts): string[] {
  return COUNT_KEYS.map((key) => String(c[key]));
}

/** The eval's name, else its uuid, else nothing. */
export function evalLabel(e: EvalInfo | undefined): string | undefined {
  if (!e) return undefined;
  const facts = [e.eval_type, e.modality].filter((x): x is string => typeof x === 'string' && x !== '');
  return `${e.name ? `${e.name} (${e.eval_uuid})` : e.eval_uuid}${facts.length > 0 ? `, ${facts.join(', ')}` : ''}`;
}

/** The notes a report carries: no baseline found, prompts unreadable. */
export function notes(report: { prompts: PromptsStatus; noBaseline?: string | undefined }): string[] {
  return [...(report.noBaseline !== undefined ? [report.noBaseline] : []), ...(report.prompts.available ? [] : [report.prompts.note])];
}

/** The per-category table of a summary, for a terminal. */
function categoryTable(rows: readonly CategoryFigures[]): string {
  const table = new Table({ head: ['category', ...COUNT_KEYS, 'pass rate'], ...COMPACT });
  for (const row of rows) table.push([cell(categoryLabel(row.category), 40), ...countCells(row.counts), formatRate(row.counts.passRate)]);
  return table.toString();
}

/** The failed prompts of a summary for a terminal: one clipped line each. */
function failedTable(failed: readonly PromptCase[]): string {
  const { shown, more } = firstOf(failed, MARKDOWN_LIST_LIMIT);
  const table = new Table({ head: ['prompt_uuid', 'category', 'prompt', 'answer', 'explanation'], ...COMPACT });
  for (const x of shown)
    table.push([cell(x.prompt_uuid), cell(categoryLabel(x.category), 20), cell(x.prompt, 40), cell(x.answer, 40), cell(x.explanation, 50)]);
  return `${table.toString()}${more > 0 ? `\n…and ${more} more (see the JSON or JUnit report)` : ''}`;
}

/** The summary as tables: totals, then one row per category and per content type, then the failed prompts. */
export function summaryTable(report: SummaryReport): string {
  const s = report.summary;
  const totals = new Table({ ...COMPACT });
  const evalName = evalLabel(report.eval);
  if (evalName !== undefined) totals.push({ eval: cell(evalName, 80) });
  totals.push(
    { 'eval run': cell(report.run.name ? runLabel(report.run) : report.run.eval_run_uuid) },
    { total: String(s.total) },
    { passed: String(s.passed) },
    { failed: String(s.failed) },
    { refused: `${s.refused} (${REFUSED})` },
    { excluded: String(s.excluded) },
    { unscored: String(s.unscored) },
    { 'pass rate': `${formatRate(s.passRate)}${s.passRate === null ? ' (nothing scored)' : ` (${s.passed} of ${s.passed + s.failed} scored)`}` },
  );
  const byType = new Table({ head: ['content type', ...COUNT_KEYS, 'pass rate'], ...COMPACT });
  for (const [type, c] of Object.entries(s.byContentType)) byType.push([cell(type), ...countCells(c), formatRate(c.passRate)]);
  const parts = [...notes(report).map((note) => `note: ${cell(note)}`), totals.toString()];
  if (report.byCategory.length > 0) parts.push(categoryTable(report.byCategory));
  parts.push(byType.toString());
  if (report.failed.length > 0) parts.push(`Failed prompts (${report.failed.length}):`, failedTable(report.failed));
  return `${parts.join('\n')}\n`;
}

/** A prompt of a report as JSON: full text, nothing clipped. */
export function promptJSON(x: PromptCase): Record<string, unknown> {
  return {
    prompt_uuid: x.prompt_uuid,
    category: x.category ?? null,
    prompt: x.prompt ?? null,
    answer: x.answer,
    content_type: x.content_type,
    explanation: x.explanation ?? null,
    confidence: x.confidence ?? null,
    refused: x.refused,
  };
}

export function evalJSON(e: EvalInfo | undefined): Record<string, unknown> | null {
  return e
    ? { eval_uuid: e.eval_uuid, name: e.name ?? null, eval_type: e.eval_type ?? null, modality: e.modality ?? null, language: e.language ?? null }
    : null;
}

export function promptsJSON(p: PromptsStatus): Record<string, unknown> {
  return p.available ? { available: true } : { available: false, note: p.note };
}

/** The summary as JSON, with the API's snake_case style. */
export function summaryJSON(report: SummaryReport): string {
  const s = report.summary;
  // Built with a null prototype: the content types are the server's words, and `__proto__` must stay a key.
  const byType = Object.create(null) as Record<string, unknown>;
  for (const [type, counts] of Object.entries(s.byContentType)) byType[type] = countsJSON(counts);
  return `${toJSONPretty({
    eval_run_uuid: report.run.eval_run_uuid,
    ...countsJSON(s),
    by_content_type: byType,
    by_category: report.byCategory.map((row) => ({ category: row.category, ...countsJSON(row.counts) })),
    run: { eval_run_uuid: report.run.eval_run_uuid, name: report.run.name ?? null, created_at: report.run.created_at ?? null, status: report.run.status },
    eval: evalJSON(report.eval),
    prompts: promptsJSON(report.prompts),
    failed_prompts: report.failed.map(promptJSON),
    ...(report.gate ? { gate: { passed: report.gate.ok, checks: [report.gate] } } : {}),
    ...(report.noBaseline !== undefined ? { baseline: null, note: report.noBaseline } : {}),
  })}\n`;
}

function verdictMark(ok: boolean | undefined): string {
  if (ok === undefined) return '';
  return ok ? '✅ ' : '❌ ';
}

/** A markdown table of categories' figures. */
function categoryMarkdown(rows: readonly CategoryFigures[]): string {
  return mdTable(
    ['category', ...COUNT_KEYS, 'pass rate'],
    rows.map((row) => [mdText(clipText(categoryLabel(row.category), 80)), ...countCells(row.counts), formatRate(row.counts.passRate)]),
    'lrrrrrrr',
  );
}

/** Prompt text and answer cells, clipped to one line. */
export function mdPromptCells(x: PromptCase): string[] {
  return [mdText(clipText(categoryLabel(x.category), 60)), mdText(clipText(x.prompt ?? '', 200)), mdText(clipText(x.answer, 200))];
}

/** The summary as a Markdown report for a pull request or a job summary. */
export function summaryMarkdown(report: SummaryReport): string {
  const { summary: s, gate } = report;
  const lines = [`### ${verdictMark(gate?.ok)}Aymara eval run ${mdCode(report.run.eval_run_uuid)}: pass rate ${formatRate(s.passRate)}`, ''];
  const evalName = evalLabel(report.eval);
  if (evalName !== undefined || report.run.name) {
    const facts = [...(evalName !== undefined ? [`eval ${mdText(evalName)}`] : []), ...(report.run.name ? [`run ${mdText(report.run.name)}`] : [])];
    lines.push(`${facts.join(' · ')}`, '');
  }
  for (const note of notes(report)) lines.push(`> **Note:** ${mdText(note)}`, '');
  if (gate) lines.push(`**Gate ${gate.ok ? 'passed' : 'failed'}:** ${mdText(gate.message)}`, '');
  const basis = s.passRate === null ? 'nothing scored' : `${s.passed} of ${s.passed + s.failed} scored`;
  lines.push(
    mdTable([...COUNT_KEYS, 'pass rate'], [[...countCells(s), `${formatRate(s.passRate)} (${basis})`]], 'rrrrrrr'),
    '',
    `refused: answers the AI declined, ${REFUSED}.`,
  );
  if (report.byCategory.length > 0) lines.push('', '#### By category', '', categoryMarkdown(report.byCategory));
  lines.push(
    '',
    '#### By content type',
    '',
    mdTable(
      ['content type', ...COUNT_KEYS, 'pass rate'],
      Object.entries(s.byContentType).map(([type, c]) => [mdCode(type), ...countCells(c), formatRate(c.passRate)]),
      'lrrrrrrr',
    ),
  );
  if (report.failed.length > 0) {
    const { shown, more } = firstOf(report.failed, MARKDOWN_LIST_LIMIT);
    lines.push(
      '',
      `#### Failed prompts (${more > 0 ? `first ${shown.length} of ${report.failed.length}` : report.failed.length})`,
      '',
      mdTable(
        ['prompt', 'category', 'question', 'answer', 'explanation'],
        shown.map((r) => [mdCode(r.prompt_uuid), ...mdPromptCells(r), mdText(clipText(r.explanation ?? '(no explanation)', 300))]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
