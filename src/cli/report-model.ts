/**
 * What the reports of `summary` and `compare` show, computed once per command and rendered by every format (table,
 * json, markdown, junit, html) and by the GitHub integration (job summary, annotations, step outputs, pull-request
 * comment). Text in here comes from the server: each renderer escapes it for where it lands.
 */
import type { CaseOutcome, ResponseCounts, ResponsesSummary } from 'aymara-ai/analysis';
import type { GateCheck } from './gate.js';

/** The eval the runs belong to, as far as it could be read. */
export interface EvalInfo {
  eval_uuid: string;
  name: string | null | undefined;
  eval_type: string | undefined;
  modality: string | null | undefined;
  language: string | null | undefined;
}

/** A run as the reports name it. */
export interface RunInfo {
  eval_run_uuid: string;
  name: string | null | undefined;
  /** ISO 8601 date-time. */
  created_at: string | undefined;
  status: string;
}

/** How `compare` got its baseline: given on the command line, or found among the eval's runs (`latest`). */
export type BaselineChoice =
  | { kind: 'given' }
  | {
      kind: 'latest';
      /** The eval whose runs were searched: the candidate's. */
      eval_uuid: string;
      /** `--baseline-name`, when given. */
      nameGlob: string | undefined;
      /** How many finished runs of the eval, created before the candidate, were candidates for the baseline. */
      considered: number;
    };

/**
 * Whether the eval's prompts (their text and category) could be read. When they could not, the reports say so
 * (`note`), show no categories and no prompt text, and the gate decides exactly as it would have with them.
 */
export type PromptsStatus = { available: true } | { available: false; note: string };

/** How every report names the group of prompts without a category (`category: null` in the model). */
export const UNCATEGORISED_LABEL = 'uncategorised';

/** One category's figures. `category` is null for the prompts without one. */
export interface CategoryFigures {
  category: string | null;
  counts: ResponseCounts;
}

/** One category's figures in both runs of a comparison. */
export interface CategoryChange {
  category: string | null;
  baseline: ResponseCounts;
  candidate: ResponseCounts;
  /** candidate.passRate - baseline.passRate; null when either is undefined. */
  change: number | null;
}

/** One prompt as a report shows it: the question, the answer, and the judge's verdict. */
export interface PromptCase {
  prompt_uuid: string;
  /** null: the prompt has no category; undefined: the prompts could not be read. */
  category: string | null | undefined;
  /** The prompt's text; undefined when the prompts could not be read. */
  prompt: string | undefined;
  /** The answer as text: the content, or an image or video answer's file reference as text (never fetched). */
  answer: string;
  content_type: string;
  explanation: string | null | undefined;
  confidence: number | null | undefined;
  refused: boolean;
}

/** A prompt of a comparison: what it came to in each run, and the candidate's answer (else the baseline's). */
export interface ComparedPrompt extends PromptCase {
  baseline: CaseOutcome;
  candidate: CaseOutcome;
  /** The baseline's explanation, when the baseline has a response for this prompt. */
  baselineExplanation: string | null | undefined;
}

/** A prompt of a summary, with what it came to. */
export interface SummaryCase extends PromptCase {
  outcome: CaseOutcome;
}

/** What `summary` reports. */
export interface SummaryReport {
  command: 'summary';
  eval: EvalInfo | undefined;
  run: RunInfo;
  summary: ResponsesSummary;
  /** Per category, in a stable order (by name, uncategorised last); empty when the prompts could not be read. */
  byCategory: CategoryFigures[];
  /** Every failed prompt (not excluded), in the run's order. Formats with little room show the first few. */
  failed: PromptCase[];
  /** Every response of the run, in order (JUnit has a testcase per prompt). */
  cases: SummaryCase[];
  gate: GateCheck | undefined;
  prompts: PromptsStatus;
  /** Set by `compare latest` when no baseline was found: the candidate alone is reported, with this note. */
  noBaseline?: string | undefined;
}

/** What `compare` reports. */
export interface CompareReport {
  command: 'compare';
  eval: EvalInfo | undefined;
  baseline: RunInfo & { chosen: BaselineChoice };
  candidate: RunInfo;
  baselineCounts: ResponseCounts;
  candidateCounts: ResponseCounts;
  /** candidate - baseline pass rate; null when either is undefined. */
  passRateChange: number | null;
  /** Per category, in a stable order (by name, uncategorised last); empty when the prompts could not be read. */
  byCategory: CategoryChange[];
  regressed: ComparedPrompt[];
  fixed: ComparedPrompt[];
  stillFailing: ComparedPrompt[];
  /** Counts of the other kinds of case, for the totals line. */
  stillPassing: number;
  new: number;
  missing: number;
  /** The prompts behind those counts, for the formats that list every prompt (JUnit, JSON). */
  stillPassingPrompts: ComparedPrompt[];
  newPrompts: ComparedPrompt[];
  missingUUIDs: string[];
  /** prompt_uuids a run repeats (the comparison is then not sound). */
  duplicates: { baseline: string[]; candidate: string[] };
  /** McNemar's exact test on regressed against fixed. */
  mcnemar: { regressed: number; fixed: number; pValue: number; log10PValue: number };
  /** Every gate's verdict, the soundness checks first. */
  checks: GateCheck[];
  prompts: PromptsStatus;
}

export type GateReport = SummaryReport | CompareReport;
