import Table from 'cli-table3';
import type { EvalScoredResponse, ResponsesSummary } from 'aymara-ai';

/** No rule between rows: long tables stay readable. */
const COMPACT = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [], border: [] } };

/** The CSV columns, one per scalar field; `content` and `next_prompt` flattened (see `csvRow`). */
export const CSV_COLUMNS = [
  'prompt_uuid',
  'thread_uuid',
  'turn_number',
  'continue_thread',
  'content',
  'content_type',
  'exclude_from_scoring',
  'ai_refused',
  'response_uuid',
  'explanation',
  'confidence',
  'is_passed',
  'next_prompt',
] as const;

/** Text content as is; a file reference as its `remote_file_path`, else its `file_uuid`. */
export function contentText(content: EvalScoredResponse['content']): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  // An empty path is no path: fall back to the file's id.
  return content.remote_file_path || content.file_uuid || '';
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvRow(r: EvalScoredResponse): string {
  const cells: unknown[] = CSV_COLUMNS.map((column) => {
    if (column === 'content') return contentText(r.content);
    if (column === 'next_prompt') return r.next_prompt?.prompt_uuid ?? '';
    return r[column];
  });
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export function resultOf(r: EvalScoredResponse): string {
  if (r.exclude_from_scoring) return 'excluded';
  if (r.is_passed === true) return 'passed';
  if (r.is_passed === false) return 'failed';
  return 'unscored';
}

function clip(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

/** A readable terminal table of responses. */
export function responsesTable(responses: readonly EvalScoredResponse[]): string {
  const table = new Table({ head: ['#', 'prompt_uuid', 'result', 'refused', 'type', 'content', 'explanation'], ...COMPACT });
  responses.forEach((r, i) => {
    table.push([String(i + 1), r.prompt_uuid, resultOf(r), r.ai_refused ? 'yes' : '', r.content_type, clip(contentText(r.content), 40), clip(r.explanation ?? '', 50)]);
  });
  return `${table.toString()}\n${responses.length.toLocaleString('en-US')} responses\n`;
}

export function formatRate(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

/** The summary as a table: totals, then one row per content type. */
export function summaryTable(evalRunUUID: string, s: ResponsesSummary): string {
  const totals = new Table({ ...COMPACT });
  totals.push(
    { 'eval run': evalRunUUID },
    { total: String(s.total) },
    { passed: String(s.passed) },
    { failed: String(s.failed) },
    { refused: String(s.refused) },
    { excluded: String(s.excluded) },
    { unscored: String(s.unscored) },
    { 'pass rate': `${formatRate(s.passRate)}${s.passRate === null ? ' (nothing scored)' : ` (${s.passed} of ${s.passed + s.failed} scored)`}` },
  );
  const byType = new Table({ head: ['content type', 'total', 'passed', 'failed', 'refused', 'excluded', 'unscored', 'pass rate'], ...COMPACT });
  for (const [type, c] of Object.entries(s.byContentType)) {
    byType.push([type, c.total, c.passed, c.failed, c.refused, c.excluded, c.unscored, formatRate(c.passRate)].map(String));
  }
  return `${totals.toString()}\n${byType.toString()}\n`;
}

/** The summary as JSON, with the API's snake_case style. */
export function summaryJSON(evalRunUUID: string, s: ResponsesSummary): string {
  const counts = (c: Omit<ResponsesSummary, 'byContentType'>) => ({
    total: c.total,
    passed: c.passed,
    failed: c.failed,
    refused: c.refused,
    excluded: c.excluded,
    unscored: c.unscored,
    pass_rate: c.passRate,
  });
  return `${JSON.stringify(
    { eval_run_uuid: evalRunUUID, ...counts(s), by_content_type: Object.fromEntries(Object.entries(s.byContentType).map(([k, v]) => [k, counts(v)])) },
    null,
    2,
  )}\n`;
}
