/**
 * The end of `summary` and `compare`: one report, rendered to stdout in `--format`, to each `--report` file, and to
 * GitHub in Actions; then the verdict on stderr and the exit code.
 */
import type { RunContext } from './command.js';
import { formatOf } from './command.js';
import { verdict, type GateCheck } from './gate.js';
import { inGitHubActions, publishToGitHub, type Annotation } from './github.js';
import { withReports, writeReports } from './report-files.js';
import { GATE_FORMATS, gateMarkdown } from './report-formats.js';
import type { GateReport } from './report-model.js';

export async function deliverReport(ctx: RunContext, report: GateReport, checks: readonly GateCheck[], annotations: readonly Annotation[]): Promise<number> {
  const { args, stdout } = ctx;
  await stdout.write(await formatOf(GATE_FORMATS, args.format)(report));
  const written = await writeReports(GATE_FORMATS, report, args.report);
  if (inGitHubActions()) await publishToGitHub({ report, markdown: gateMarkdown(report), annotations, prComment: args.prComment });
  return withReports(verdict(args.quiet, checks), written);
}
