import Table from 'cli-table3';
import type { EvalScoredResponse } from 'aymara-ai';
import type { ResponseCounts } from 'aymara-ai/analysis';
import { escapeText } from './escape.js';
import { clipText } from './markdown.js';

/** No rule between rows: long tables stay readable. */
export const COMPACT = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [], border: [] } };

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
  'manually_updated',
  'manually_updated_at',
] as const;

/** Text content as is; a file reference as its `remote_file_path`, else its `file_uuid`. */
export function contentText(content: EvalScoredResponse['content']): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  // An empty path is no path: fall back to the file's id.
  return content.remote_file_path || content.file_uuid || '';
}

/** The first characters of a cell that a spreadsheet would run as a formula (OWASP's list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell. Text from the server has its control characters escaped like everywhere else, line breaks
 * and tabs included (`\n`): a row is one line, and no cell can forge a line of a log (json and ndjson are the
 * lossless formats). A cell a spreadsheet would run as a formula (`=HYPERLINK(...)`, `@SUM(...)`, or a leading
 * tab or CR) gets a leading `'`, as OWASP advises. Numbers and booleans are written as they are.
 */
export function csvCell(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (typeof value === 'string') text = FORMULA_START.test(value) ? `'${escapeText(value)}` : escapeText(value);
  else text = String(value);
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

export function resultOf(r: Pick<EvalScoredResponse, 'exclude_from_scoring' | 'is_passed'>): 'excluded' | 'passed' | 'failed' | 'unscored' {
  if (r.exclude_from_scoring) return 'excluded';
  if (r.is_passed === true) return 'passed';
  if (r.is_passed === false) return 'failed';
  return 'unscored';
}

/** Server text for one table cell: whitespace flattened, clipped, control characters escaped. */
export function cell(text: string | null | undefined, width = Infinity): string {
  return escapeText(clipText(text ?? '', width));
}

/** A readable terminal table of responses. */
export function responsesTable(responses: readonly EvalScoredResponse[]): string {
  const table = new Table({ head: ['#', 'prompt_uuid', 'result', 'refused', 'type', 'content', 'explanation'], ...COMPACT });
  responses.forEach((r, i) => {
    table.push([
      String(i + 1),
      cell(r.prompt_uuid),
      resultOf(r),
      r.ai_refused ? 'yes' : '',
      cell(r.content_type),
      cell(contentText(r.content), 40),
      cell(r.explanation, 50),
    ]);
  });
  return `${table.toString()}\n${responses.length.toLocaleString('en-US')} responses\n`;
}

/** Counts in the API's snake_case style. */
export function countsJSON(c: ResponseCounts): Record<string, number | null> {
  return { total: c.total, passed: c.passed, failed: c.failed, refused: c.refused, excluded: c.excluded, unscored: c.unscored, pass_rate: c.passRate };
}
