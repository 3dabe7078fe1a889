/** The chart's figures as a table: what a screen reader reads, and where anyone checks a figure. */
import { formatChange } from '../compare-report.js';
import { escapeHTML, inline } from './escape.js';
import { CATEGORY_CHARS, changeClass, OVERALL_LABEL, rateWithCounts, type FigureRow } from './figures.js';
import { UNCATEGORISED_LABEL } from '../report-model.js';

/** At most this many category rows in the table; the json report has them all. */
export const TABLE_CATEGORIES = 200;

function categoryCell(row: FigureRow): string {
  if (row.kind === 'overall') return `<th scope="row">${OVERALL_LABEL}</th>`;
  if (row.category === null) return `<th scope="row"><span class="unc">${UNCATEGORISED_LABEL}</span></th>`;
  return `<th scope="row"><span class="t">${inline(row.category, CATEGORY_CHARS)}</span></th>`;
}

const num = (value: string | number) => `<td class="num">${typeof value === 'number' ? value : escapeHTML(value)}</td>`;

/** The chart's figures as a table, with the counts behind each rate. */
export function renderFigureTable(rows: readonly FigureRow[]): string {
  const comparing = rows.some((row) => row.baseline !== undefined);
  const shown = rows.slice(0, TABLE_CATEGORIES + 1);
  const head = comparing
    ? ['Category', 'Baseline pass rate', 'Candidate pass rate', 'Change', 'Failed in baseline', 'Failed in candidate', 'Refused in candidate']
    : ['Category', 'Pass rate', 'Passed', 'Failed', 'Refused', 'Unscored', 'Excluded', 'Total'];
  const body = shown.map((row) => {
    const c = row.candidate;
    const cells = comparing
      ? [
          num(rateWithCounts(row.baseline ?? c)),
          num(rateWithCounts(c)),
          `<td class="num ${changeClass(row.change)}">${escapeHTML(formatChange(row.change ?? null))}</td>`,
          num(row.baseline?.failed ?? 0),
          num(c.failed),
          num(c.refused),
        ]
      : [num(rateWithCounts(c)), num(c.passed), num(c.failed), num(c.refused), num(c.unscored), num(c.excluded), num(c.total)];
    return `<tr>${categoryCell(row)}${cells.join('')}</tr>`;
  });
  const hidden = rows.length - shown.length;
  const more = hidden > 0 ? `<p class="more">and ${hidden} more categories: the full list is in the json report.</p>` : '';
  const headRow = head.map((h, i) => `<th scope="col"${i > 0 ? ' class="num"' : ''}>${h}</th>`).join('');
  return `<p class="none">Pass rate = passed / (passed + failed); excluded and unscored responses are left out.</p><div class="scroll"><table class="figures-table"><thead><tr>${headRow}</tr></thead><tbody>${body.join('')}</tbody></table></div>${more}`;
}
