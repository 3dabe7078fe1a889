/** `aymara-ai summary`: a run's totals and pass rate, overall and by content type. */
import { SummaryBuilder } from 'aymara-ai/analysis';
import { formatOf, oneRun, type Command, type Render } from '../command.js';
import { FLAGS } from '../flags.js';
import { failUnderCheck, verdict } from '../gate.js';
import { inGitHubActions, MAX_ANNOTATIONS, reportToGitHub } from '../github.js';
import { MARKDOWN_LIST_LIMIT, summaryJSON, summaryMarkdown, summaryTable, type SummaryReport } from '../output.js';
import { allResponses, finishedRun } from '../read-run.js';

const FORMATS: Readonly<Record<string, Render<SummaryReport>>> = {
  table: (report) => summaryTable(report.evalRunUUID, report.summary),
  json: (report) => summaryJSON(report.evalRunUUID, report.summary),
  markdown: summaryMarkdown,
};

const FORMAT_NAMES = Object.keys(FORMATS).join('|');

export const summary: Command = {
  name: 'summary',
  about: 'Print the totals, the pass rate and a breakdown by content type.',
  usage: `  aymara-ai summary   <eval_run_uuid> [--format ${FORMAT_NAMES}] [--fail-under RATE] [options]`,
  help: `aymara-ai summary: the totals and the pass rate of a finished run

Usage:
  aymara-ai summary <eval_run_uuid> [--format ${FORMAT_NAMES}] [--fail-under RATE] [options]

Counts total, passed, failed, refused (ai_refused), excluded (exclude_from_scoring) and unscored
(is_passed null, not excluded), overall and by content type. The pass rate is
passed / (passed + failed), over responses not excluded from scoring.

Options:
  --format FORMAT     table (default), json, markdown (a report for a pull request or a job summary).
  --fail-under RATE   Exit 1 when the pass rate is under RATE: a fraction (0.9) or a percentage (90%).
                      With nothing scored the rate is undefined and the gate fails.
`,
  flags: [FLAGS.failUnder],
  formats: FORMATS,
  operands: oneRun('summary'),

  async run(ctx) {
    const { args, stdout } = ctx;
    stdout.gatePending = args.failUnder !== undefined;
    await finishedRun(ctx, args.evalRunUUID);
    const builder = new SummaryBuilder();
    const failed: SummaryReport['failed'] = [];
    for await (const response of allResponses(ctx, args.evalRunUUID)) {
      builder.add(response);
      if (failed.length < MARKDOWN_LIST_LIMIT && !response.exclude_from_scoring && response.is_passed === false) {
        failed.push({ prompt_uuid: response.prompt_uuid, explanation: response.explanation, content_type: response.content_type });
      }
    }
    ctx.progress?.finish();
    const result = builder.result();
    const gate = args.failUnder === undefined ? undefined : failUnderCheck(result, args.failUnder);
    const report: SummaryReport = { evalRunUUID: args.evalRunUUID, summary: result, failed, gate };
    await stdout.write(await formatOf(FORMATS, args.format)(report));
    if (inGitHubActions()) {
      const annotations = failed.slice(0, MAX_ANNOTATIONS).map((r) => ({
        title: `Aymara: prompt ${r.prompt_uuid} failed`,
        message: r.explanation ?? 'failed (no explanation)',
      }));
      await reportToGitHub(summaryMarkdown(report), annotations);
    }
    return verdict(args.quiet, gate ? [gate] : []);
  },
};
