/** `aymara-ai responses`: every scored response of a run, streamed or as one document. */
import { type EvalScoredResponse } from 'aymara-ai';
import { SummaryBuilder } from 'aymara-ai/analysis';
import { formatOf, oneRun, type Command, type Render } from '../command.js';
import { FLAGS } from '../flags.js';
import { failUnderCheck, verdict, type GateCheck } from '../gate.js';
import { toJSONLine } from '../json.js';
import { responsesJUnit } from '../junit.js';
import { csvHeader, csvRow, responsesTable } from '../output.js';
import { allResponses, finishedRun } from '../read-run.js';

/** What a whole-document format renders: every response of the run, and the gate's checks. */
export interface ResponsesReport {
  evalRunUUID: string;
  responses: readonly EvalScoredResponse[];
  checks: readonly GateCheck[];
}

/**
 * A streamed format writes each response as it arrives, so a large run goes out in flat memory, then its end
 * (given how many there were); a whole format renders the report once all are read.
 */
type ResponsesFormat = { stream(response: EvalScoredResponse, index: number): string; end(count: number): string } | { render: Render<ResponsesReport> };

const FORMATS: Readonly<Record<string, ResponsesFormat>> = {
  table: { render: (report) => responsesTable(report.responses) },
  json: { stream: (r, i) => `${i === 0 ? '[\n' : ',\n'}${toJSONLine(r)}`, end: (count) => (count === 0 ? '[]\n' : '\n]\n') },
  ndjson: { stream: (r) => `${toJSONLine(r)}\n`, end: () => '' },
  csv: { stream: (r, i) => `${i === 0 ? csvHeader() : ''}${csvRow(r)}`, end: (count) => (count === 0 ? csvHeader() : '') },
  junit: { render: (report) => responsesJUnit(report.evalRunUUID, report.responses, report.checks) },
};

const FORMAT_NAMES = Object.keys(FORMATS).join('|');

export const responses: Command = {
  name: 'responses',
  about: 'Print every scored response of the run (all pages).',
  usage: `  aymara-ai responses <eval_run_uuid> [--format ${FORMAT_NAMES}] [options]`,
  help: `aymara-ai responses: print every scored response of a run

Usage:
  aymara-ai responses <eval_run_uuid> [--format ${FORMAT_NAMES}] [--fail-under RATE] [options]

Options:
  --format FORMAT     table (default), json (one array), ndjson (one response per line),
                      csv (one column per scalar field; cells a spreadsheet would run as a
                      formula get a leading '), junit (JUnit XML: a testcase per response;
                      failed -> <failure> with the explanation, excluded or unscored -> <skipped>).
  --fail-under RATE   Exit 1 when the pass rate is under RATE: a fraction (0.9) or a percentage (90%).
                      The run must be finished (see --wait).
`,
  flags: [FLAGS.failUnder],
  formats: FORMATS,
  operands: oneRun('responses'),

  async run(ctx) {
    const { args, stdout } = ctx;
    stdout.gatePending = args.failUnder !== undefined;
    // Printing a run as it is needs no status; gating it, or waiting for it, does.
    if (args.failUnder !== undefined || args.waitMs !== undefined) await finishedRun(ctx, args.evalRunUUID);
    const format = formatOf(FORMATS, args.format);
    const summary = new SummaryBuilder();
    const kept: EvalScoredResponse[] = [];
    let count = 0;
    for await (const response of allResponses(ctx, args.evalRunUUID)) {
      summary.add(response);
      if ('stream' in format) await stdout.write(format.stream(response, count));
      else kept.push(response);
      count += 1;
    }
    ctx.progress?.finish();
    const checks = args.failUnder === undefined ? [] : [failUnderCheck(summary.result(), args.failUnder)];
    await stdout.write('stream' in format ? format.end(count) : await format.render({ evalRunUUID: args.evalRunUUID, responses: kept, checks }));
    return verdict(args.quiet, checks);
  },
};
