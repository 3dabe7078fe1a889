/** `aymara-ai summary`: a run's totals and pass rate, overall, by category and by content type. */
import { oneRun, type Command } from '../command.js';
import { deliverReport } from '../deliver.js';
import { readEvalData } from '../eval-prompts.js';
import { FLAGS } from '../flags.js';
import { failUnderCheck } from '../gate.js';
import { buildSummaryReport } from '../gate-report.js';
import { MAX_ANNOTATIONS } from '../github.js';
import { finishedRun, slimResponses } from '../read-run.js';
import { GATE_FORMAT_NAMES, GATE_FORMATS } from '../report-formats.js';

export const summary: Command = {
  name: 'summary',
  about: 'Print the totals, the pass rate and a breakdown by category and content type.',
  usage: `  aymara-ai summary   <eval_run_uuid> [--format ${GATE_FORMAT_NAMES}] [--fail-under RATE] [options]`,
  help: `aymara-ai summary: the totals and the pass rate of a finished run

Usage:
  aymara-ai summary <eval_run_uuid> [--format ${GATE_FORMAT_NAMES}] [--fail-under RATE]
                    [--report FORMAT=FILE]... [--pr-comment] [options]

Counts total, passed, failed, refused (ai_refused), excluded (exclude_from_scoring) and unscored
(is_passed null, not excluded), overall, by prompt category and by content type. The pass rate is
passed / (passed + failed), over responses not excluded from scoring. The eval's prompts are read
beside the responses: each failed prompt is shown with its text, the answer and the explanation.
If the eval or its prompts cannot be read, a warning says so and the report has no categories;
the gate decides as it would have.

Options:
  --format FORMAT     table (default), json, markdown (a report for a pull request or a job
                      summary), junit (a testcase per prompt, classed by its category; failed ->
                      <failure>, excluded or unscored -> <skipped>; the gate its own testcase),
                      html (one self-contained file).
  --fail-under RATE   Exit 1 when the pass rate is under RATE: a fraction (0.9) or a percentage (90%).
                      With nothing scored the rate is undefined and the gate fails.
`,
  flags: [FLAGS.failUnder, FLAGS.report, FLAGS.prComment],
  formats: GATE_FORMATS,
  operands: oneRun('summary'),

  async run(ctx) {
    const { args, stdout } = ctx;
    stdout.gatePending = args.failUnder !== undefined;
    const run = await finishedRun(ctx, args.evalRunUUID);
    const [data, responses] = await Promise.all([readEvalData(ctx, run.eval_uuid), slimResponses(ctx, args.evalRunUUID)]);
    ctx.progress?.finish();
    const report = buildSummaryReport({ run, data, responses, gate: undefined });
    report.gate = args.failUnder === undefined ? undefined : failUnderCheck(report.summary, args.failUnder);
    const annotations = report.failed.slice(0, MAX_ANNOTATIONS).map((r) => ({
      title: `Aymara: prompt ${r.prompt_uuid} failed`,
      message: r.explanation ?? 'failed (no explanation)',
    }));
    return deliverReport(ctx, report, report.gate ? [report.gate] : [], annotations);
  },
};
