/**
 * GitHub Actions: when `GITHUB_ACTIONS=true`, `summary` and `compare` append their markdown report to the job
 * summary (`$GITHUB_STEP_SUMMARY`), annotate failed or regressed prompts with `::error`, write their figures as
 * step outputs (`$GITHUB_OUTPUT`) and, with `--pr-comment`, keep one comment on the pull request current, so the
 * result shows on the run's page and in the pull request, not only in the log.
 */
import { appendFile } from 'node:fs/promises';
import { escapeText } from './escape.js';
import { stepOutputs, writeStepOutputs } from './github/outputs.js';
import { publishPRComment } from './github/pr-comment.js';
import { clipText } from './markdown.js';
import type { GateReport } from './report-model.js';

/** At most this many annotations per command: more would bury the first ones (GitHub shows 10 per step anyway). */
export const MAX_ANNOTATIONS = 10;

export function inGitHubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/**
 * A workflow command's message, escaped as GitHub's runner reads it back (`%`, CR, LF), after every control
 * character was made visible: server text can neither end the command early nor start one of its own.
 */
export function escapeData(text: string): string {
  return escapeText(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: as a message, plus `:` and `,`, which separate properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export interface Annotation {
  title: string;
  message: string;
}

/** `::error title=...::message` lines for the first `MAX_ANNOTATIONS` annotations. */
export function errorAnnotations(annotations: readonly Annotation[]): string {
  return annotations
    .slice(0, MAX_ANNOTATIONS)
    .map((a) => `::error title=${escapeProperty(clipText(a.title, 200))}::${escapeData(clipText(a.message, 1000))}\n`)
    .join('');
}

/**
 * Appends a report to `$GITHUB_STEP_SUMMARY` when it is set. A failure to write is a warning on stderr, not a
 * failed gate: the gate's verdict is the exit code.
 */
export async function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const path = env.GITHUB_STEP_SUMMARY;
  if (!path) return;
  try {
    await appendFile(path, `${markdown}\n`);
  } catch (error) {
    process.stderr.write(`warning: could not append to $GITHUB_STEP_SUMMARY: ${escapeText(error instanceof Error ? error.message : String(error))}\n`);
  }
}

/** What `summary` and `compare` hand to GitHub at the end of a run. */
export interface GitHubReport {
  report: GateReport;
  /** The markdown report: the job summary, and the pull-request comment with `--pr-comment`. */
  markdown: string;
  annotations: readonly Annotation[];
  /** `--pr-comment`: post the markdown report on the pull request, updating the one posted before. */
  prComment: boolean;
}

/** A `::warning` workflow command: shown in the log and on the run's page, where a missing permission is noticed. */
export function warnInActions(message: string): void {
  process.stderr.write(`::warning::${escapeData(message)}\n`);
}

/**
 * Everything a command shows in GitHub Actions: the job summary, the annotations, the step outputs and, with
 * `--pr-comment`, the pull request's comment. Nothing here changes the exit code.
 */
export async function publishToGitHub({ report, markdown, annotations, prComment }: GitHubReport, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  await appendStepSummary(markdown, env);
  process.stderr.write(errorAnnotations(annotations));
  await writeStepOutputs(stepOutputs(report), env, warnInActions);
  if (prComment) {
    await publishPRComment(report, markdown, { env, warn: warnInActions, note: (message) => process.stderr.write(`note: ${escapeText(message)}\n`) });
  }
}
