/** Reports built as the commands build them, from responses in memory: for tests of the renderers. */
import { type EvalRun, type EvalScoredResponse } from 'aymara-ai';
import { compareRuns } from 'aymara-ai/analysis';
import type { MockFixtures } from 'aymara-ai/testing';
import { compareGates, type CompareGateOptions } from '../../src/cli/compare-report.js';
import type { EvalData } from '../../src/cli/eval-prompts.js';
import type { GateCheck } from '../../src/cli/gate.js';
import { buildCompareReport, buildSummaryReport } from '../../src/cli/gate-report.js';
import type { CompareReport, SummaryReport } from '../../src/cli/report-model.js';
import { slim, type SlimResponse } from '../../src/cli/slim.js';

/** A finished run as runs.get gives it. */
export function finishedRunOf(uuid: string, more: Partial<EvalRun> = {}): EvalRun {
  return { eval_run_uuid: uuid, eval_uuid: 'eval-1', status: 'finished', created_at: '2026-11-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z', ...more };
}

/** Eval data without prompts read (no categories), as before the eval's prompts were joined. */
export const NO_PROMPTS: EvalData = { eval: undefined, prompts: undefined, status: { available: true } };

/** Eval data with prompts by prompt_uuid: `{ uuid: [content, category] }`. */
export function promptsOf(prompts: Record<string, [string, string | null]>): EvalData {
  const map = new Map(Object.entries(prompts).map(([uuid, [content, category]]) => [uuid, { content, category }]));
  return { eval: undefined, prompts: map, status: { available: true } };
}

export function summaryReportOf(runUUID: string, responses: readonly EvalScoredResponse[], gate?: GateCheck, data: EvalData = NO_PROMPTS): SummaryReport {
  return buildSummaryReport({ run: finishedRunOf(runUUID), data, responses: responses.map(slim), gate });
}

export function compareReportOf(
  baselineUUID: string,
  candidateUUID: string,
  b: readonly SlimResponse[],
  k: readonly SlimResponse[],
  options: CompareGateOptions = { failOnRegression: false, alpha: undefined, maxDrop: undefined },
  data: EvalData = NO_PROMPTS,
): CompareReport {
  const comparison = compareRuns(b, k);
  const checks = compareGates(comparison, options);
  return buildCompareReport({
    baseline: finishedRunOf(baselineUUID),
    candidate: finishedRunOf(candidateUUID),
    chosen: { kind: 'given' },
    data,
    baselineResponses: b,
    candidateResponses: k,
    comparison,
    checks,
  });
}

/**
 * The fixtures with an eval, without prompts, for each run that names none in `evals`: the CLI reads a run's eval
 * beside its responses, and tests of other things should not see the warning an unknown eval gives.
 */
export function withEvals(fixtures: MockFixtures): MockFixtures {
  const evals = { ...fixtures.evals };
  for (const [uuid, run] of Object.entries(fixtures.runs)) {
    const evalUUID = run.eval_uuid ?? `eval-${uuid}`;
    if (!Object.hasOwn(evals, evalUUID)) evals[evalUUID] = { workspace_uuid: run.workspace_uuid, prompts: [] };
  }
  return { ...fixtures, evals };
}
