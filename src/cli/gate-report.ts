/**
 * Builds the one report (report-model.ts) that every format of `summary` and `compare` renders, from what the
 * command read: the runs, their responses, the eval and its prompts, and the gate's checks.
 */
import { type EvalRun } from 'aymara-ai';
import { SummaryBuilder, type CaseOutcome, type ComparedCase, type ResponseCounts } from 'aymara-ai/analysis';
import type { Comparison } from './compare-report.js';
import type { EvalData } from './eval-prompts.js';
import type { GateCheck } from './gate.js';
import { resultOf } from './output.js';
import type {
  BaselineChoice,
  CategoryChange,
  CategoryFigures,
  CompareReport,
  ComparedPrompt,
  PromptCase,
  RunInfo,
  SummaryCase,
  SummaryReport,
} from './report-model.js';
import type { SlimResponse } from './slim.js';

export function runInfo(run: EvalRun): RunInfo {
  return { eval_run_uuid: run.eval_run_uuid, name: run.name, created_at: run.created_at, status: String(run.status) };
}

/** A response as a report shows it, joined to its prompt by prompt_uuid. */
function promptCase(r: SlimResponse, data: EvalData): PromptCase {
  const prompt = data.prompts?.get(r.prompt_uuid);
  return {
    prompt_uuid: r.prompt_uuid,
    // A prompt_uuid the eval does not list has no category, like a prompt without one.
    category: data.prompts === undefined ? undefined : (prompt?.category ?? null),
    prompt: prompt?.content,
    answer: r.content,
    content_type: String(r.content_type ?? 'text'),
    explanation: r.explanation,
    confidence: r.confidence,
    refused: r.ai_refused === true,
  };
}

/** Categories by name, the uncategorised (null) last. */
function byName(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** Counts per category of each list of responses; empty when the prompts could not be read. */
function countByCategory(data: EvalData, runs: readonly (readonly SlimResponse[])[]): Map<string | null, ResponseCounts[]> {
  const counts = new Map<string | null, SummaryBuilder[]>();
  if (data.prompts === undefined) return new Map();
  runs.forEach((responses, side) => {
    for (const r of responses) {
      const category = data.prompts?.get(r.prompt_uuid)?.category ?? null;
      let builders = counts.get(category);
      if (!builders) counts.set(category, (builders = runs.map(() => new SummaryBuilder())));
      builders[side]?.add(r);
    }
  });
  const sorted = [...counts.keys()].sort(byName);
  return new Map(sorted.map((category) => [category, (counts.get(category) ?? []).map((b) => countsOnly(b))]));
}

function countsOnly(builder: SummaryBuilder): ResponseCounts {
  const { byContentType: _types, ...counts } = builder.result();
  return counts;
}

export interface SummaryInput {
  run: EvalRun;
  data: EvalData;
  responses: readonly SlimResponse[];
  gate: GateCheck | undefined;
  noBaseline?: string | undefined;
}

export function buildSummaryReport({ run, data, responses, gate, noBaseline }: SummaryInput): SummaryReport {
  const builder = new SummaryBuilder();
  const cases: SummaryCase[] = [];
  for (const r of responses) {
    builder.add(r);
    cases.push({ ...promptCase(r, data), outcome: resultOf(r) });
  }
  const byCategory: CategoryFigures[] = [...countByCategory(data, [responses])].map(([category, [counts]]) => ({
    category,
    counts: counts as ResponseCounts,
  }));
  return {
    command: 'summary',
    eval: data.eval,
    run: runInfo(run),
    summary: builder.result(),
    byCategory,
    failed: cases.filter((x) => x.outcome === 'failed'),
    cases,
    gate,
    prompts: data.status,
    ...(noBaseline !== undefined ? { noBaseline } : {}),
  };
}

export interface CompareInput {
  baseline: EvalRun;
  candidate: EvalRun;
  chosen: BaselineChoice;
  data: EvalData;
  baselineResponses: readonly SlimResponse[];
  candidateResponses: readonly SlimResponse[];
  comparison: Comparison;
  checks: GateCheck[];
}

function comparedPrompt(x: ComparedCase<SlimResponse>, data: EvalData): ComparedPrompt {
  const shown = (x.candidateResponse ?? x.baselineResponse) as SlimResponse;
  return {
    ...promptCase(shown, data),
    baseline: x.baseline as CaseOutcome,
    candidate: x.candidate as CaseOutcome,
    baselineExplanation: x.baselineResponse?.explanation,
  };
}

export function buildCompareReport(input: CompareInput): CompareReport {
  const { comparison: c, data } = input;
  const prompts = (cases: readonly ComparedCase<SlimResponse>[]) => cases.map((x) => comparedPrompt(x, data));
  const byCategory: CategoryChange[] = [...countByCategory(data, [input.baselineResponses, input.candidateResponses])].map(([category, [b, k]]) => {
    const baseline = b as ResponseCounts;
    const candidate = k as ResponseCounts;
    const change = baseline.passRate === null || candidate.passRate === null ? null : candidate.passRate - baseline.passRate;
    return { category, baseline, candidate, change };
  });
  return {
    command: 'compare',
    eval: data.eval,
    baseline: { ...runInfo(input.baseline), chosen: input.chosen },
    candidate: runInfo(input.candidate),
    baselineCounts: c.baseline,
    candidateCounts: c.candidate,
    passRateChange: c.passRateChange,
    byCategory,
    regressed: prompts(c.regressed),
    fixed: prompts(c.fixed),
    stillFailing: prompts(c.stillFailing),
    stillPassing: c.stillPassing.length,
    new: c.new.length,
    missing: c.missing.length,
    stillPassingPrompts: prompts(c.stillPassing),
    newPrompts: prompts(c.new),
    missingUUIDs: c.missing.map((x) => x.prompt_uuid),
    duplicates: { baseline: [...c.duplicates.baseline], candidate: [...c.duplicates.candidate] },
    mcnemar: { ...c.mcnemar },
    checks: input.checks,
    prompts: data.status,
  };
}
