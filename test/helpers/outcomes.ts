/** How a response counts in a run: passed, failed, not scored, or left out of scoring. */
export type Outcome = 'passed' | 'failed' | 'unscored' | 'excluded';

/** The response fields that give each outcome. */
export const OUTCOME_FIELDS: Readonly<Record<Outcome, Readonly<Record<string, unknown>>>> = {
  passed: { is_passed: true },
  failed: { is_passed: false },
  unscored: { is_passed: null },
  excluded: { is_passed: true, exclude_from_scoring: true },
};
