/**
 * The `aymara-ai` command: read and gate eval runs from CI without writing code, and show why.
 * It uses the SDK through its public face, like any user.
 */
import { once } from 'node:events';
import { formatWithOptions } from 'node:util';
import {
  AymaraAI,
  AymaraAPIError,
  AymaraConnectionError,
  AymaraInputError,
  AymaraResponseValidationError,
  compareRuns,
  SummaryBuilder,
  VERSION,
  type EvalScoredResponse,
  type Logger,
} from 'aymara-ai';
import { helpFor, parseCli, UsageError, type CliArgs } from './args.js';
import { compareGates, compareJSON, compareMarkdown, compareTable } from './compare-report.js';
import { escapeText } from './escape.js';
import { appendStepSummary, errorAnnotations, inGitHubActions, MAX_ANNOTATIONS, type Annotation } from './github.js';
import { toJSONLine } from './json.js';
import { compareJUnit, responsesJUnit } from './junit.js';
import {
  csvHeader,
  csvRow,
  formatRate,
  MARKDOWN_LIST_LIMIT,
  ratePair,
  responsesTable,
  summaryJSON,
  summaryMarkdown,
  summaryTable,
  type GateCheck,
  type SummaryReport,
} from './output.js';
import { ProgressBar } from './progress.js';
import { awaitFinishedRun, RunNotFinishedError } from './run-status.js';
import { slim, type SlimResponse } from './slim.js';

export const EXIT = { ok: 0, gate: 1, usage: 2, api: 3, network: 4, notFinished: 5, internal: 70 } as const;
/** Rates are compared with this slack, so `83.45%` equals the fraction it was computed from. */
const RATE_EPSILON = 1e-12;

let outputClosed = false;
let gatePending = false;

/**
 * The reader closed stdout (`aymara-ai responses ... | head`): that is their choice, not an error. Returns
 * whether to stop now; with a gate still to decide, the run goes on without output.
 */
export function closeOutput(): boolean {
  outputClosed = true;
  return !gatePending;
}

/** Writes to stdout, waiting when the pipe is full so a large run streams in flat memory. */
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

function note(args: CliArgs, text: string): void {
  if (!args.quiet) process.stderr.write(`${text}\n`);
}

/** The gates' verdicts on stderr: `ok: ...` notes (not with --quiet), `fail: ...` always. Returns the exit code. */
function verdict(args: CliArgs, checks: readonly GateCheck[]): number {
  for (const check of checks) {
    if (check.ok) note(args, `ok: ${escapeText(check.message)}`);
    else process.stderr.write(`fail: ${escapeText(check.message)}\n`);
  }
  return checks.every((check) => check.ok) ? EXIT.ok : EXIT.gate;
}

/** The --fail-under gate over a pass rate. */
function failUnderCheck(passRate: number | null, passed: number, failed: number, threshold: number): GateCheck {
  if (passRate === null) return { ok: false, message: `the pass rate is undefined (no response was scored), so --fail-under ${threshold} fails` };
  if (passRate < threshold - RATE_EPSILON) {
    const [rate, bar] = ratePair(passRate, threshold);
    return { ok: false, message: `pass rate ${rate} is under ${bar} (${passed} passed, ${failed} failed)` };
  }
  return { ok: true, message: `pass rate ${formatRate(passRate)} is at or above ${formatRate(threshold)}` };
}

interface Context {
  client: AymaraAI;
  args: CliArgs;
  progress: ProgressBar | undefined;
}

function listParams(args: CliArgs) {
  return { ...(args.workspace ? { workspace_uuid: args.workspace } : {}), ...(args.pageSize ? { limit: args.pageSize } : {}) };
}

/** Every response of a run, in order, across pages; the first page's `count` extends the progress bar's total. */
async function* allResponses({ client, args, progress }: Context, evalRunUUID: string): AsyncGenerator<EvalScoredResponse> {
  const page = await client.evals.runs.listResponses(evalRunUUID, listParams(args));
  progress?.addTotal(page.count);
  for await (const response of page) {
    progress?.tick();
    yield response;
  }
}

/** Reads the run and makes sure it is finished (waiting with --wait); exit 5 otherwise. */
function finishedRun({ client, args }: Context, evalRunUUID: string, label?: string) {
  return awaitFinishedRun(client, evalRunUUID, args.workspace, { waitMs: args.waitMs, progress: args.quiet ? undefined : process.stderr, label });
}

async function responsesCommand(ctx: Context): Promise<number> {
  const { args } = ctx;
  gatePending = args.failUnder !== undefined;
  // Printing a run as it is needs no status; gating it, or waiting for it, does.
  if (args.failUnder !== undefined || args.waitMs !== undefined) await finishedRun(ctx, args.evalRunUUID);
  const summary = new SummaryBuilder();
  const kept: EvalScoredResponse[] = [];
  let first = true;
  for await (const response of allResponses(ctx, args.evalRunUUID)) {
    summary.add(response);
    if (args.format === 'ndjson') await out(`${toJSONLine(response)}\n`);
    else if (args.format === 'json') await out(`${first ? '[\n' : ',\n'}${toJSONLine(response)}`);
    else if (args.format === 'csv') await out(`${first ? csvHeader() : ''}${csvRow(response)}`);
    else kept.push(response);
    first = false;
  }
  ctx.progress?.finish();
  const result = summary.result();
  const checks = args.failUnder === undefined ? [] : [failUnderCheck(result.passRate, result.passed, result.failed, args.failUnder)];
  if (args.format === 'json') await out(first ? '[]\n' : '\n]\n');
  else if (args.format === 'csv' && first) await out(csvHeader());
  else if (args.format === 'table') await out(responsesTable(kept));
  else if (args.format === 'junit') await out(await responsesJUnit(args.evalRunUUID, kept, checks));
  return verdict(args, checks);
}

async function summaryCommand(ctx: Context): Promise<number> {
  const { args } = ctx;
  gatePending = args.failUnder !== undefined;
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
  const summary = builder.result();
  const gate = args.failUnder === undefined ? undefined : failUnderCheck(summary.passRate, summary.passed, summary.failed, args.failUnder);
  const report: SummaryReport = { evalRunUUID: args.evalRunUUID, summary, failed, gate };
  if (args.format === 'json') await out(summaryJSON(args.evalRunUUID, summary));
  else if (args.format === 'markdown') await out(summaryMarkdown(report));
  else await out(summaryTable(args.evalRunUUID, summary));
  if (inGitHubActions()) {
    await appendStepSummary(summaryMarkdown(report));
    const annotations: Annotation[] = failed.slice(0, MAX_ANNOTATIONS).map((r) => ({
      title: `Aymara: prompt ${r.prompt_uuid} failed`,
      message: r.explanation ?? 'failed (no explanation)',
    }));
    process.stderr.write(errorAnnotations(annotations));
  }
  return verdict(args, gate ? [gate] : []);
}

async function compareCommand(ctx: Context): Promise<number> {
  const { args } = ctx;
  gatePending = true;
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
  if (args.format === 'json') await out(compareJSON(baselineUUID, candidateUUID, comparison, checks));
  else if (args.format === 'markdown') await out(compareMarkdown(baselineUUID, candidateUUID, comparison, checks));
  else if (args.format === 'junit') await out(await compareJUnit(baselineUUID, candidateUUID, comparison, checks));
  else await out(compareTable(baselineUUID, candidateUUID, comparison));
  if (inGitHubActions()) {
    await appendStepSummary(compareMarkdown(baselineUUID, candidateUUID, comparison, checks));
    const annotations: Annotation[] = comparison.regressed.slice(0, MAX_ANNOTATIONS).map((x) => ({
      title: `Aymara: prompt ${x.prompt_uuid} regressed`,
      message: `passed in the baseline, ${x.candidate} in the candidate${x.candidateResponse?.explanation ? `: ${x.candidateResponse.explanation}` : ''}`,
    }));
    process.stderr.write(errorAnnotations(annotations));
  }
  return verdict(args, checks);
}

/**
 * The SDK's log lines, on stderr (the CLI's stdout is for data only: `console` would print info and debug
 * there), each on one line with control characters escaped, since they may quote the server's words.
 */
const stderrLogger: Logger = Object.fromEntries(
  (['error', 'warn', 'info', 'debug'] as const).map((level) => [
    level,
    (message: string, ...rest: unknown[]) =>
      process.stderr.write(`${escapeText(formatWithOptions({ colors: false, breakLength: Infinity }, message, ...rest))}\n`),
  ]),
) as unknown as Logger;

async function run(args: CliArgs): Promise<number> {
  if (!process.env.AYMARA_AI_API_KEY) throw new UsageError('AYMARA_AI_API_KEY is not set: export your Aymara API key in that variable');
  const client = new AymaraAI({ baseURL: args.baseURL, logger: stderrLogger });
  const ctx: Context = { client, args, progress: process.stderr.isTTY && !args.quiet ? new ProgressBar(process.stderr) : undefined };
  try {
    if (args.command === 'compare') return await compareCommand(ctx);
    if (args.command === 'summary') return await summaryCommand(ctx);
    return await responsesCommand(ctx);
  } finally {
    ctx.progress?.finish();
    await client.close();
  }
}

/** An error's text for stderr: on one line, control characters (line breaks included) escaped. */
const shown = escapeText;

/** An unexpected error's stack: its message escaped like any other, its frames (this program's own) as they are. */
function stackOf(error: unknown): string {
  if (!(error instanceof Error)) return shown(String(error));
  const head = `${error.name}: ${error.message}`;
  const stack = error.stack ?? head;
  return stack.startsWith(head) ? `${shown(head)}${stack.slice(head.length)}` : shown(stack);
}

function report(error: unknown): number {
  if (error instanceof UsageError || error instanceof AymaraInputError) {
    process.stderr.write(`error: ${shown(error.message)}\nRun 'aymara-ai --help' for usage.\n`);
    return EXIT.usage;
  }
  if (error instanceof RunNotFinishedError) {
    process.stderr.write(error.lines.map((line) => `not finished: ${line}\n`).join(''));
    return EXIT.notFinished;
  }
  if (error instanceof AymaraAPIError) {
    // The message starts with the status (and the code, when the API gave one): `404 resource.not_found: ...`.
    process.stderr.write(`error: API error ${shown(error.message)} (request id: ${escapeText(error.requestId ?? 'none')})\n`);
    return EXIT.api;
  }
  if (error instanceof AymaraResponseValidationError) {
    process.stderr.write(
      `error: invalid response at ${escapeText(String(error.path))}: ${shown(error.message)} (request id: ${escapeText(error.requestId ?? 'none')})\n`,
    );
    return EXIT.api;
  }
  if (error instanceof AymaraConnectionError) {
    process.stderr.write(`error: network: ${shown(error.message)}\n`);
    return EXIT.network;
  }
  process.stderr.write(`error: unexpected (please report this): ${stackOf(error)}\n`);
  return EXIT.internal;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const parsed = parseCli(argv);
    if (parsed.kind === 'help') {
      await out(helpFor(parsed.command));
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
