/** `aymara-ai compare`: a candidate run against a baseline run of the same eval, prompt by prompt. */
import type { EvalRun } from 'aymara-ai';
import { compareRuns } from 'aymara-ai/analysis';
import { findBaseline } from '../baseline.js';
import type { Command, RunContext } from '../command.js';
import { compareGates } from '../compare-report.js';
import { deliverReport } from '../deliver.js';
import { escapeText } from '../escape.js';
import { readEvalData } from '../eval-prompts.js';
import { FLAGS } from '../flags.js';
import { failUnderCheck, type GateCheck } from '../gate.js';
import { buildCompareReport, buildSummaryReport } from '../gate-report.js';
import { MAX_ANNOTATIONS } from '../github.js';
import { finishedRun, slimResponses } from '../read-run.js';
import { GATE_FORMAT_NAMES, GATE_FORMATS } from '../report-formats.js';
import type { BaselineChoice } from '../report-model.js';
import { runLabel } from '../report-parts.js';
import { RunNotFinishedError } from '../run-status.js';
import { UsageError } from '../values.js';

/** The baseline operand that asks for the baseline to be found among the eval's runs. */
export const LATEST = 'latest';

/** Reads runs concurrently; a run that is not finished is reported with the others' state. */
async function finishedRuns(ctx: RunContext, runs: readonly [uuid: string, label: string][]): Promise<EvalRun[]> {
  const states = await Promise.allSettled(runs.map(([uuid, label]) => finishedRun(ctx, uuid, label)));
  const errors = states.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  const other = errors.find((e) => !(e instanceof RunNotFinishedError));
  if (other !== undefined) throw other;
  if (errors.length > 0) throw new RunNotFinishedError((errors as RunNotFinishedError[]).flatMap((e) => e.lines));
  return states.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
}

const note = (ctx: RunContext, text: string) => {
  if (!ctx.args.quiet) process.stderr.write(`${escapeText(text)}\n`);
};

/** `compare latest` when no run qualifies: the candidate alone is reported, and the gate holds unless one was required. */
async function withoutBaseline(ctx: RunContext, candidate: EvalRun): Promise<number> {
  const { args } = ctx;
  const named = args.baselineName === undefined ? '' : ` named ${args.baselineName}`;
  const text = `no baseline: eval ${candidate.eval_uuid} has no finished run${named} created before the candidate, so nothing is compared`;
  note(ctx, text);
  const [data, responses] = await Promise.all([readEvalData(ctx, candidate.eval_uuid), slimResponses(ctx, candidate.eval_run_uuid)]);
  ctx.progress?.finish();
  const checks: GateCheck[] = [];
  if (args.requireBaseline) checks.push({ ok: false, message: `${text} (--require-baseline)` });
  const report = buildSummaryReport({ run: candidate, data, responses, gate: undefined, noBaseline: text });
  if (args.failUnder !== undefined) checks.push(failUnderCheck(report.summary, args.failUnder));
  // The report names one gate: the first that failed, else the one that held.
  const gate = checks.find((check) => !check.ok) ?? checks[0];
  return deliverReport(ctx, { ...report, gate }, checks, []);
}

export const compare: Command = {
  name: 'compare',
  about: 'Compare a candidate run with a baseline run of the same eval, prompt by prompt.',
  usage: `  aymara-ai compare   <baseline_run|latest> <candidate_run> [--format ${GATE_FORMAT_NAMES}]
                      [--fail-on-regression] [--max-drop RATE] [--alpha P] [--fail-under RATE]
                      [--baseline-name GLOB] [--require-baseline] [options]`,
  help: `aymara-ai compare: compare a candidate run with a baseline run, prompt by prompt

Usage:
  aymara-ai compare <baseline_run|latest> <candidate_run> [--format ${GATE_FORMAT_NAMES}]
                    [--fail-on-regression] [--max-drop RATE] [--alpha P] [--fail-under RATE]
                    [--baseline-name GLOB] [--require-baseline]
                    [--report FORMAT=FILE]... [--pr-comment] [options]

Pairs the two runs' responses by prompt_uuid (both runs are read concurrently, and must be
finished) and reports:
  regressed      passed in the baseline; failed, unscored, excluded or missing in the candidate
                 (a missing case is not a passing case)
  fixed          not passed in the baseline, passed in the candidate
  still failing  passed in neither run: failed, unscored, excluded or missing in each
  new            only in the candidate
and the pass-rate change, overall and per prompt category (the eval's prompts are read beside
the responses), with the regressed, fixed and still-failing prompts: their text, the answer and
the explanation. If the eval or its prompts cannot be read, a warning says so and the report has
no categories; the gate decides as it would have.

The baseline, found (latest):
  latest                  the baseline is the most recent finished run of the candidate's eval
                          created before the candidate (every page of the eval's runs is read).
                          It is named on stderr and in every report. When none qualifies, the
                          candidate is reported alone, with a note, and the exit code is 0.
  --baseline-name GLOB    only runs whose name matches GLOB (* any text, ? one character, the
                          whole name): --baseline-name 'main-*'. A run without a name never matches.
  --require-baseline      exit 1 when no run qualifies.
  Both go with latest only: with a baseline run's UUID they are a usage error.

Gates (exit 1):
  always                  a run repeats a prompt_uuid, or the candidate lacks cases of the
                          baseline: the comparison would not be sound. The report names them.
  --fail-on-regression    any case regressed.
  --alpha P               a regression fails only when McNemar's exact test (one-sided, on the
                          regressed against the fixed cases) says the candidate is worse with
                          p < P, so a non-deterministic judge flipping a few cases both ways does
                          not block a build. A case that became unscored or excluded still fails:
                          that is missing data, not noise. Implies --fail-on-regression.
  --max-drop RATE         the pass rate fell by more than RATE, in points: 0.05 or 5% (fails too
                          when either rate is undefined).
  --fail-under RATE       the candidate's own pass rate is under RATE (0.9 or 90%), as summary's
                          gate; with latest and no baseline found, it still applies.

Options:
  --format FORMAT     table (default), json, markdown (a report for a pull request or a job
                      summary), junit (a testcase per prompt, classed by its category: regressed ->
                      <failure>, still failing or new and not passing -> <skipped>, the rest pass;
                      each gate its own testcase), html (one self-contained file).

Example:
  aymara-ai compare latest 5f0c... --baseline-name 'main-*' --fail-on-regression --alpha 0.05 \\
    --report junit=aymara.xml --report html=aymara.html
`,
  flags: [FLAGS.failOnRegression, FLAGS.maxDrop, FLAGS.alpha, FLAGS.failUnder, FLAGS.baselineName, FLAGS.requireBaseline, FLAGS.report, FLAGS.prComment],
  formats: GATE_FORMATS,

  operands([baseline, candidate, ...extra]) {
    if (baseline === undefined || candidate === undefined) throw new UsageError('Missing run: aymara-ai compare <baseline_run|latest> <candidate_run>');
    if (extra.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(extra[0])}`);
    return { evalRunUUID: baseline, candidateRunUUID: candidate };
  },

  async run(ctx) {
    const { args, stdout } = ctx;
    // Compare always gates: a comparison that is not sound fails whatever was asked.
    stdout.gatePending = true;
    const latest = args.evalRunUUID === LATEST;
    if (!latest && (args.baselineName !== undefined || args.requireBaseline))
      throw new UsageError(
        `--baseline-name and --require-baseline go with ${LATEST} (aymara-ai compare ${LATEST} <candidate_run>), not with a baseline run's UUID`,
      );
    const candidateUUID = args.candidateRunUUID as string;
    let baseline: EvalRun;
    let candidate: EvalRun;
    let chosen: BaselineChoice;
    if (latest) {
      [candidate] = (await finishedRuns(ctx, [[candidateUUID, 'candidate']])) as [EvalRun];
      const found = await findBaseline(ctx, candidate);
      if (found.run === undefined) return withoutBaseline(ctx, candidate);
      baseline = found.run;
      chosen = { kind: 'latest', eval_uuid: candidate.eval_uuid, nameGlob: args.baselineName, considered: found.considered };
      note(ctx, `baseline: ${runLabel(baseline)}, the latest finished run of eval ${candidate.eval_uuid} before the candidate`);
    } else {
      [baseline, candidate] = (await finishedRuns(ctx, [
        [args.evalRunUUID, 'baseline'],
        [candidateUUID, 'candidate'],
      ])) as [EvalRun, EvalRun];
      chosen = { kind: 'given' };
    }
    const [data, baselineResponses, candidateResponses] = await Promise.all([
      readEvalData(ctx, candidate.eval_uuid),
      slimResponses(ctx, baseline.eval_run_uuid),
      slimResponses(ctx, candidate.eval_run_uuid),
    ]);
    ctx.progress?.finish();
    const comparison = compareRuns(baselineResponses, candidateResponses);
    const checks = compareGates(comparison, { failOnRegression: args.failOnRegression, alpha: args.alpha, maxDrop: args.maxDrop });
    if (args.failUnder !== undefined) checks.push(failUnderCheck(comparison.candidate, args.failUnder));
    const report = buildCompareReport({ baseline, candidate, chosen, data, baselineResponses, candidateResponses, comparison, checks });
    const annotations = comparison.regressed.slice(0, MAX_ANNOTATIONS).map((x) => ({
      title: `Aymara: prompt ${x.prompt_uuid} regressed`,
      message: `passed in the baseline, ${x.candidate} in the candidate${x.candidateResponse?.explanation ? `: ${x.candidateResponse.explanation}` : ''}`,
    }));
    return deliverReport(ctx, report, checks, annotations);
  },
};
