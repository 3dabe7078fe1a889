/**
 * Step outputs: the gate's figures in `$GITHUB_OUTPUT`, for the steps after it (`steps.<id>.outputs.verdict`) and
 * for the action's own outputs.
 */
import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { GateReport } from '../report-model.js';

/**
 * `pass`: every gate held. `fail`: a gate failed (the exit code is 1). `no-baseline`: `compare latest` found no
 * baseline, the candidate was reported alone and any gate on it held (a new eval has nothing to regress from).
 */
export type Verdict = 'pass' | 'fail' | 'no-baseline';

/** The outputs, by name. Rates are fractions (`0.75`); a figure that does not apply is empty. */
export interface StepOutputs {
  verdict: Verdict;
  /** The (candidate) run's pass rate; empty when nothing was scored. */
  'pass-rate': string;
  /** The baseline run's UUID; empty when there is none. */
  baseline: string;
  'baseline-pass-rate': string;
  /** Cases that regressed; empty when nothing was compared. */
  regressed: string;
  fixed: string;
}

const rate = (value: number | null | undefined): string => (value === null || value === undefined ? '' : String(value));

export function stepOutputs(report: GateReport): StepOutputs {
  if (report.command === 'summary') {
    const failed = report.gate !== undefined && !report.gate.ok;
    return {
      verdict: failed ? 'fail' : report.noBaseline !== undefined ? 'no-baseline' : 'pass',
      'pass-rate': rate(report.summary.passRate),
      baseline: '',
      'baseline-pass-rate': '',
      regressed: '',
      fixed: '',
    };
  }
  return {
    verdict: report.checks.every((check) => check.ok) ? 'pass' : 'fail',
    'pass-rate': rate(report.candidateCounts.passRate),
    baseline: report.baseline.eval_run_uuid,
    'baseline-pass-rate': rate(report.baselineCounts.passRate),
    regressed: String(report.regressed.length),
    fixed: String(report.fixed.length),
  };
}

/** Values made only of these are written `name=value`: they can hold no line break and no delimiter. */
const PLAIN = /^[\w.:+-]*$/;

/**
 * One output in the file format the runner reads: `name=value`, or `name<<DELIMITER` lines with a random delimiter
 * the value does not contain, so a value (a UUID the server sent) cannot end early and forge another output.
 */
export function formatOutput(name: string, value: string): string {
  if (PLAIN.test(value)) return `${name}=${value}\n`;
  let delimiter: string;
  do delimiter = `ghadelimiter_${randomUUID()}`;
  while (value.includes(delimiter));
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/**
 * Appends the outputs to `$GITHUB_OUTPUT` when it is set. A failure to write is a warning, not a failed gate: the
 * verdict is the exit code.
 */
export async function writeStepOutputs(outputs: StepOutputs, env: NodeJS.ProcessEnv, warn: (message: string) => void): Promise<void> {
  const path = env.GITHUB_OUTPUT;
  if (!path) return;
  const text = Object.entries(outputs)
    .map(([name, value]) => formatOutput(name, value))
    .join('');
  try {
    await appendFile(path, text);
  } catch (error) {
    warn(`could not append to $GITHUB_OUTPUT: ${error instanceof Error ? error.message : String(error)}`);
  }
}
