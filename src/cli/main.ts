/**
 * The `aymara-ai` command: read and gate eval runs from CI without writing code (SPEC 9).
 * It uses the SDK through its public face, like any user.
 */
import { Console } from 'node:console';
import { once } from 'node:events';
import {
  AymaraAI,
  AymaraAPIError,
  AymaraConnectionError,
  AymaraInputError,
  AymaraResponseValidationError,
  SummaryBuilder,
  VERSION,
  type EvalScoredResponse,
} from 'aymara-ai';
import { HELP, parseCli, UsageError, type CliArgs } from './args.js';
import { csvHeader, csvRow, formatRate, responsesTable, summaryJSON, summaryTable } from './output.js';
import { ProgressBar } from './progress.js';

export const EXIT = { ok: 0, gate: 1, usage: 2, api: 3, network: 4, internal: 70 } as const;
/** Rates are compared with this slack, so `83.45%` equals the fraction it was computed from. */
const RATE_EPSILON = 1e-12;

/** Writes to stdout, waiting when the pipe is full so a large run streams in flat memory. */
let outputClosed = false;
let gatePending = false;

/**
 * The reader closed stdout (`aymara-ai responses ... | head`): that is their choice, not an error. Returns
 * whether to stop now; with a `--fail-under` gate still to decide, the run goes on without output.
 */
export function closeOutput(): boolean {
  outputClosed = true;
  return !gatePending;
}

async function out(text: string): Promise<void> {
  if (outputClosed) return;
  if (process.stdout.write(text)) return;
  try {
    await once(process.stdout, 'drain');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
    outputClosed = true;
  }
}

/** A rate as a percentage, with enough digits to tell it from `other` when one decimal would not. */
function ratePair(rate: number, other: number): [string, string] {
  for (let digits = 1; digits < 6; digits++) {
    const [a, b] = [(rate * 100).toFixed(digits), (other * 100).toFixed(digits)];
    if (a !== b) return [`${a}%`, `${b}%`];
  }
  return [formatRate(rate), formatRate(other)];
}

function note(args: CliArgs, text: string): void {
  if (!args.quiet) process.stderr.write(`${text}\n`);
}

async function run(args: CliArgs): Promise<number> {
  gatePending = args.failUnder !== undefined;
  if (!process.env.AYMARA_AI_API_KEY) throw new UsageError('AYMARA_AI_API_KEY is not set: export your Aymara API key in that variable');
  // The SDK logs with `console`, whose info and debug go to stdout; the CLI's stdout is for data only.
  const client = new AymaraAI({ baseURL: args.baseURL, logger: new Console({ stdout: process.stderr, stderr: process.stderr }) });
  const progress = process.stderr.isTTY && !args.quiet ? new ProgressBar(process.stderr) : undefined;
  const summary = new SummaryBuilder();
  const params = { ...(args.workspace ? { workspace_uuid: args.workspace } : {}), ...(args.pageSize ? { limit: args.pageSize } : {}) };
  const table: EvalScoredResponse[] = [];
  let first = true;

  const emit = async (response: EvalScoredResponse) => {
    summary.add(response);
    progress?.tick();
    if (args.command !== 'responses') return;
    if (args.format === 'ndjson') await out(`${JSON.stringify(response)}\n`);
    else if (args.format === 'json') await out(`${first ? '[\n' : ',\n'}${JSON.stringify(response)}`);
    else if (args.format === 'csv') await out(`${first ? csvHeader() : ''}${csvRow(response)}`);
    else table.push(response);
    first = false;
  };

  try {
    // The first page gives the total for the progress bar; the iterator then goes on from where it ended.
    const page = await client.evals.runs.listResponses(args.evalRunUUID, params);
    progress?.setTotal(page.count);
    for (const response of page.items) await emit(response);
    if (page.hasNextPage()) {
      for await (const response of client.evals.runs.listResponses(args.evalRunUUID, { ...params, offset: page.items.length })) await emit(response);
    }
  } finally {
    progress?.finish();
    await client.close();
  }

  if (args.command === 'responses') {
    if (args.format === 'json') await out(first ? '[]\n' : '\n]\n');
    else if (args.format === 'csv' && first) await out(csvHeader());
    else if (args.format === 'table') await out(responsesTable(table));
  }
  const result = summary.result();
  if (args.command === 'summary') await out(args.format === 'json' ? summaryJSON(args.evalRunUUID, result) : summaryTable(args.evalRunUUID, result));

  if (args.failUnder !== undefined) {
    if (result.passRate === null) {
      process.stderr.write(`fail: the pass rate is undefined (no response was scored), so --fail-under ${args.failUnder} fails\n`);
      return EXIT.gate;
    }
    if (result.passRate < args.failUnder - RATE_EPSILON) {
      const [rate, threshold] = ratePair(result.passRate, args.failUnder);
      process.stderr.write(`fail: pass rate ${rate} is under ${threshold} (${result.passed} passed, ${result.failed} failed)\n`);
      return EXIT.gate;
    }
    note(args, `ok: pass rate ${formatRate(result.passRate)} is at or above ${formatRate(args.failUnder)}`);
  }
  return EXIT.ok;
}

function report(error: unknown): number {
  if (error instanceof UsageError || error instanceof AymaraInputError) {
    process.stderr.write(`error: ${error.message}\nRun 'aymara-ai --help' for usage.\n`);
    return EXIT.usage;
  }
  if (error instanceof AymaraAPIError) {
    process.stderr.write(`error: API error ${error.status}${error.code ? ` ${error.code}` : ''}: ${error.message} (request id: ${error.requestId ?? 'none'})\n`);
    return EXIT.api;
  }
  if (error instanceof AymaraResponseValidationError) {
    process.stderr.write(`error: invalid response at ${error.path}: ${error.message} (request id: ${error.requestId ?? 'none'})\n`);
    return EXIT.api;
  }
  if (error instanceof AymaraConnectionError) {
    process.stderr.write(`error: network: ${error.message}\n`);
    return EXIT.network;
  }
  process.stderr.write(`error: unexpected (please report this): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.internal;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const parsed = parseCli(argv);
    if (parsed.kind === 'help') {
      await out(HELP);
      return EXIT.ok;
    }
    if (parsed.kind === 'version') {
      await out(`${VERSION}\n`);
      return EXIT.ok;
    }
    return await run(parsed.args);
  } catch (error) {
    return report(error);
  }
}

