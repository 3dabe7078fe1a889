/**
 * Gating only finished runs. A run still being scored has only some of its responses, so a pass rate or a
 * comparison over them would be a guess: the CLI reads the run first (`runs.get`) and, unless told to wait,
 * refuses to gate a run that is not `finished` (exit 5). A `failed` run is never gated either.
 */
import type { AymaraAI, EvalRun } from 'aymara-ai';
import { backoffDelay, type BackoffPolicy } from '../internal/backoff.js';
import { sleep } from '../internal/sleep.js';
import { escapeText } from './escape.js';

/**
 * A run that is not finished (still being scored, failed, or a status this CLI does not know): exit 5. Its
 * `lines` (one per run) are safe to print: the server's words in them are already escaped.
 */
export class RunNotFinishedError extends Error {
  readonly lines: readonly string[];

  constructor(lines: readonly string[]) {
    super(lines.join('; '));
    this.lines = lines;
  }
}

/** `processing: 312 of 500 scored`, with the server's text escaped. */
export function describeProgress(run: EvalRun): string {
  const status = escapeText(String(run.status));
  const scored = run.num_responses_scored;
  const total = run.num_prompts;
  if (typeof scored === 'number' && typeof total === 'number') return `${status}: ${scored.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} scored`;
  if (typeof scored === 'number') return `${status}: ${scored.toLocaleString('en-US')} scored`;
  return status;
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? ` ${s % 60}s` : ''}`;
  return `${Math.floor(m / 60)}h${m % 60 ? ` ${m % 60}m` : ''}`;
}

export interface WaitOptions {
  /** How long to wait for the run to finish; undefined: do not wait. */
  waitMs: number | undefined;
  /** Where progress goes (stderr), or undefined for none (`--quiet`). */
  progress: NodeJS.WriteStream | undefined;
  /** `baseline`/`candidate` for compare, so the messages say which run. */
  label?: string | undefined;
}

/** Polls start at 250 ms and grow by half each time up to 15 s, with ±20% jitter so many CI jobs spread out. */
const POLL_BACKOFF: BackoffPolicy = { initialMs: 250, factor: 1.5, maxMs: 15_000, jitter: [0.8, 1.2] };

/** The delay before poll `attempt + 1`, in whole milliseconds. */
export function pollDelay(attempt: number, random: () => number = Math.random): number {
  return Math.round(backoffDelay(POLL_BACKOFF, attempt, random));
}

/**
 * Reads the run and returns it when it is `finished`. With `waitMs`, polls with backoff until it is finished or
 * failed or the time is up, showing progress on stderr (redrawn in place on a terminal, a line per change in
 * a CI log). Throws `RunNotFinishedError` for a failed run, for a run not finished without `--wait`, and at the
 * end of the wait; API and network errors propagate as they are.
 */
export async function awaitFinishedRun(client: AymaraAI, evalRunUUID: string, workspaceUUID: string | undefined, options: WaitOptions): Promise<EvalRun> {
  const params = workspaceUUID ? { workspace_uuid: workspaceUUID } : {};
  const name = `${options.label ? `${options.label} ` : ''}run ${escapeText(evalRunUUID)}`;
  const started = Date.now();
  const deadline = options.waitMs === undefined ? started : started + options.waitMs;
  const tty = options.progress?.isTTY === true;
  let lastLine = '';
  let drawn = false;
  const show = (line: string) => {
    if (!options.progress || line === lastLine) return;
    lastLine = line;
    if (tty) {
      options.progress.write(`\r\x1b[K${line}`);
      drawn = true;
    } else {
      options.progress.write(`${line}\n`);
    }
  };
  const endLine = () => {
    if (drawn) options.progress?.write('\n');
    drawn = false;
  };

  for (let attempt = 0; ; attempt++) {
    const run = await client.evals.runs.get(evalRunUUID, params);
    if (run.status === 'finished') {
      if (attempt > 0) {
        show(`${name} finished after ${formatDuration(Date.now() - started)}: ${describeProgress(run)}`);
        endLine();
      }
      return run;
    }
    if (run.status === 'failed') {
      endLine();
      throw new RunNotFinishedError([`${name} failed (${describeProgress(run)}): a failed run is not gated`]);
    }
    const remaining = deadline - Date.now();
    if (options.waitMs === undefined) {
      throw new RunNotFinishedError([`${name} is not finished (${describeProgress(run)}): it is not gated until it is; use --wait to wait for it`]);
    }
    if (remaining <= 0) {
      endLine();
      throw new RunNotFinishedError([`${name} is still not finished after waiting ${formatDuration(options.waitMs)} (${describeProgress(run)})`]);
    }
    // On a terminal the line is redrawn with the time left; in a log, a new line only when the progress moves.
    if (tty) show(`waiting for ${name}: ${describeProgress(run)} (${formatDuration(remaining)} left)`);
    else show(`waiting for ${name} (up to ${formatDuration(options.waitMs)}): ${describeProgress(run)}`);
    await sleep(Math.min(pollDelay(attempt), remaining));
  }
}
