/** `aymara-ai compare`: a candidate run against a baseline run of the same eval, prompt by prompt. */
import { compareRuns } from 'aymara-ai/analysis';
import { formatOf, type Command, type Render } from '../command.js';
import { compareGates, compareJSON, compareMarkdown, compareTable, type Comparison } from '../compare-report.js';
import { FLAGS } from '../flags.js';
import { verdict, type GateCheck } from '../gate.js';
import { inGitHubActions, MAX_ANNOTATIONS, reportToGitHub } from '../github.js';
import { compareJUnit } from '../junit.js';
import { allResponses, finishedRun } from '../read-run.js';
import { RunNotFinishedError } from '../run-status.js';
import { slim, type SlimResponse } from '../slim.js';
import { UsageError } from '../values.js';

/** What every format of compare renders: the two runs, their comparison and the gate's checks. */
export interface CompareReport {
  baselineUUID: string;
  candidateUUID: string;
  comparison: Comparison;
  checks: readonly GateCheck[];
}

const FORMATS: Readonly<Record<string, Render<CompareReport>>> = {
  table: (r) => compareTable(r.baselineUUID, r.candidateUUID, r.comparison),
  json: (r) => compareJSON(r.baselineUUID, r.candidateUUID, r.comparison, r.checks),
  markdown: (r) => compareMarkdown(r.baselineUUID, r.candidateUUID, r.comparison, r.checks),
  junit: (r) => compareJUnit(r.baselineUUID, r.candidateUUID, r.comparison, r.checks),
};

const FORMAT_NAMES = Object.keys(FORMATS).join('|');

export const compare: Command = {
  name: 'compare',
  about: 'Compare a candidate run with a baseline run of the same eval, prompt by prompt.',
  usage: `  aymara-ai compare   <baseline_run> <candidate_run> [--format ${FORMAT_NAMES}]
                      [--fail-on-regression] [--max-drop RATE] [--alpha P] [options]`,
  help: `aymara-ai compare: compare a candidate run with a baseline run, prompt by prompt

Usage:
  aymara-ai compare <baseline_run> <candidate_run> [--format ${FORMAT_NAMES}]
                    [--fail-on-regression] [--max-drop RATE] [--alpha P] [options]

Pairs the two runs' responses by prompt_uuid (both runs are read concurrently, and must be
finished) and reports:
  regressed      passed in the baseline; failed, unscored, excluded or missing in the candidate
                 (a missing case is not a passing case)
  fixed          not passed in the baseline, passed in the candidate
  still failing  passed in neither
  new            only in the candidate
and the pass-rate change, with the regressed prompts and their explanations.

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

Options:
  --format FORMAT     table (default), json, markdown (a report for a pull request or a job
                      summary), junit (a testcase per prompt: regressed -> <failure>, still failing
                      or new and not passing -> <skipped>, the rest pass).
`,
  flags: [FLAGS.failOnRegression, FLAGS.maxDrop, FLAGS.alpha],
  formats: FORMATS,

  operands([baseline, candidate, ...extra]) {
    if (baseline === undefined || candidate === undefined) throw new UsageError('Missing run: aymara-ai compare <baseline_run> <candidate_run>');
    if (extra.length > 0) throw new UsageError(`Unexpected argument ${JSON.stringify(extra[0])}`);
    return { evalRunUUID: baseline, candidateRunUUID: candidate };
  },

  async run(ctx) {
    const { args, stdout } = ctx;
    // Compare always gates: a comparison that is not sound fails whatever was asked.
    stdout.gatePending = true;
    const baselineUUID = args.evalRunUUID;
    const candidateUUID = args.candidateRunUUID as string;
    // Both runs are read, then fetched, concurrently. A run that is not finished is reported with the other's state.
    const states = await Promise.allSettled([finishedRun(ctx, baselineUUID, 'baseline'), finishedRun(ctx, candidateUUID, 'candidate')]);
    const errors = states.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    const other = errors.find((e) => !(e instanceof RunNotFinishedError));
    if (other !== undefined) throw other;
    if (errors.length > 0) throw new RunNotFinishedError((errors as RunNotFinishedError[]).flatMap((e) => e.lines));

    const collect = async (uuid: string) => {
      const kept: SlimResponse[] = [];
      for await (const response of allResponses(ctx, uuid)) kept.push(slim(response));
      return kept;
    };
    const [baseline, candidate] = await Promise.all([collect(baselineUUID), collect(candidateUUID)]);
    ctx.progress?.finish();
    const comparison = compareRuns(baseline, candidate);
    const checks = compareGates(comparison, { failOnRegression: args.failOnRegression, alpha: args.alpha, maxDrop: args.maxDrop });
    const report: CompareReport = { baselineUUID, candidateUUID, comparison, checks };
    await stdout.write(await formatOf(FORMATS, args.format)(report));
    if (inGitHubActions()) {
      const annotations = comparison.regressed.slice(0, MAX_ANNOTATIONS).map((x) => ({
        title: `Aymara: prompt ${x.prompt_uuid} regressed`,
        message: `passed in the baseline, ${x.candidate} in the candidate${x.candidateResponse?.explanation ? `: ${x.candidateResponse.explanation}` : ''}`,
      }));
      await reportToGitHub(compareMarkdown(baselineUUID, candidateUUID, comparison, checks), annotations);
    }
    return verdict(args.quiet, checks);
  },
};
