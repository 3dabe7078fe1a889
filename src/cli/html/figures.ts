/** The figures the chart and the table both show, and how each reads, so the two cannot disagree. */
import type { ResponseCounts } from 'aymara-ai/analysis';
import { formatRate } from '../rate.js';

/** One row of the chart and the table: the whole run, or one category (null: the prompts without one). */
export interface FigureRow {
  kind: 'overall' | 'category';
  category: string | null;
  /** Absent in a summary. */
  baseline?: ResponseCounts | undefined;
  candidate: ResponseCounts;
  /** candidate - baseline pass rate; absent in a summary, null when either rate is undefined. */
  change?: number | null | undefined;
}

/** Characters of a category name shown in the table and the group headings; json has the whole name. */
export const CATEGORY_CHARS = 200;
export const OVERALL_LABEL = 'All prompts';

/** How a rate reads on the chart and in the table: `71.2% (89/125)`, the scored count under the rate. */
export function rateWithCounts(counts: ResponseCounts): string {
  const scored = counts.passed + counts.failed;
  return counts.passRate === null ? 'n/a (nothing scored)' : `${formatRate(counts.passRate)} (${counts.passed}/${scored})`;
}

/** The class that colours a change: better, worse, or (within rounding) none. */
export const changeClass = (change: number | null | undefined) =>
  change === null || change === undefined || Math.abs(change) < 0.0005 ? 'muted' : change > 0 ? 'up' : 'down';
