/** Reading a run for a command: its status first (waiting with --wait), then all its responses. */
import type { EvalScoredResponse } from 'aymara-ai';
import type { RunContext } from './command.js';
import { awaitFinishedRun } from './run-status.js';
import { slim, type SlimResponse } from './slim.js';

/** Every response of a run, in order, across pages; the first page's `count` extends the progress bar's total. */
export async function* allResponses({ client, args, progress }: RunContext, evalRunUUID: string): AsyncGenerator<EvalScoredResponse> {
  const params = { ...(args.workspace ? { workspace_uuid: args.workspace } : {}), ...(args.pageSize ? { limit: args.pageSize } : {}) };
  const page = await client.evals.runs.listResponses(evalRunUUID, params);
  progress?.addTotal(page.count);
  for await (const response of page) {
    progress?.tick();
    yield response;
  }
}

/** Reads the run and makes sure it is finished (waiting with --wait); exit 5 otherwise. */
export function finishedRun({ client, args }: RunContext, evalRunUUID: string, label?: string) {
  return awaitFinishedRun(client, evalRunUUID, args.workspace, { waitMs: args.waitMs, progress: args.quiet ? undefined : process.stderr, label });
}

/** Every response of a run, as much of each as the reports show (see slim.ts). */
export async function slimResponses(ctx: RunContext, evalRunUUID: string): Promise<SlimResponse[]> {
  const kept: SlimResponse[] = [];
  for await (const response of allResponses(ctx, evalRunUUID)) kept.push(slim(response));
  return kept;
}
