/** Wording every format of the gate reports shares: category names, runs, how the baseline was chosen. */
import { UNCATEGORISED_LABEL, type CompareReport, type RunInfo } from './report-model.js';

/** A category's name in a report; prompts without one are a group of their own. */
export function categoryLabel(category: string | null | undefined): string {
  return category ?? UNCATEGORISED_LABEL;
}

/** A run as a sentence names it: `name (uuid)`, or the uuid alone (server text: the caller escapes it). */
export function runLabel(run: { eval_run_uuid: string; name?: RunInfo['name'] }): string {
  return run.name ? `${run.name} (${run.eval_run_uuid})` : run.eval_run_uuid;
}

/** How the baseline was chosen, as a sentence (server text inside: the caller escapes it). */
export function baselineChoice({ chosen }: CompareReport['baseline']): string {
  if (chosen.kind === 'given') return 'given on the command line';
  const named = chosen.nameGlob === undefined ? '' : ` named ${chosen.nameGlob}`;
  return `the latest finished run${named} of eval ${chosen.eval_uuid} before the candidate (${chosen.considered} qualified)`;
}

/** How many prompts a list shows in formats with little room, and how many of them it leaves out. */
export function firstOf<T>(items: readonly T[], limit: number): { shown: readonly T[]; more: number } {
  const shown = items.slice(0, limit);
  return { shown, more: items.length - shown.length };
}
