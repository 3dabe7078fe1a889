/**
 * The eval a run belongs to and its prompts (text and category), read beside the responses so the reports can
 * show what was asked and the pass rate per category. They only enrich a report: when they cannot be read (an
 * error status, a timeout, a network error, a body that fails validation), the command warns, says so in the
 * report, and the gate decides exactly as it would have with them.
 */
import { AymaraError, type Eval, type EvalPrompt } from 'aymara-ai';
import type { RunContext } from './command.js';
import { escapeText } from './escape.js';
import type { EvalInfo, PromptsStatus } from './report-model.js';

/** What a report knows of the eval: its description, and its prompts by prompt_uuid when they could be read. */
export interface EvalData {
  eval: EvalInfo | undefined;
  prompts: ReadonlyMap<string, Pick<EvalPrompt, 'content' | 'category'>> | undefined;
  status: PromptsStatus;
}

function evalInfo(evalUUID: string, e: Eval): EvalInfo {
  return { eval_uuid: evalUUID, name: e.name, eval_type: e.eval_type, modality: e.modality, language: e.language };
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Only the SDK's own failures degrade the report; anything else is a bug and must surface as one. */
function expected(error: unknown): error is AymaraError {
  return error instanceof AymaraError;
}

/**
 * Reads the eval and all its prompts concurrently. Never rejects for an API, network or validation failure: each
 * becomes a warning on stderr and a note in the report.
 */
export async function readEvalData({ client, args }: RunContext, evalUUID: string): Promise<EvalData> {
  const workspace = args.workspace ? { workspace_uuid: args.workspace } : {};
  const readPrompts = async () => {
    const prompts = new Map<string, Pick<EvalPrompt, 'content' | 'category'>>();
    for await (const p of client.evals.listPrompts(evalUUID, { ...workspace, ...(args.pageSize ? { limit: args.pageSize } : {}) })) {
      // The first of a repeated prompt_uuid wins, as compare pairs the first response of a repeated one.
      if (!prompts.has(p.prompt_uuid)) prompts.set(p.prompt_uuid, { content: p.content, category: p.category });
    }
    return prompts;
  };
  const [evaluation, prompts] = await Promise.allSettled([client.evals.get(evalUUID, workspace), readPrompts()]);
  const warn = (what: string, error: unknown) => {
    if (!expected(error)) throw error;
    const note = `${what} of eval ${evalUUID} could not be read (${reason(error)})`;
    process.stderr.write(`warning: ${escapeText(note)}\n`);
    return note;
  };
  let info: EvalInfo | undefined;
  if (evaluation.status === 'fulfilled') info = evalInfo(evalUUID, evaluation.value);
  else warn('the eval', evaluation.reason);
  if (prompts.status === 'fulfilled') return { eval: info, prompts: prompts.value, status: { available: true } };
  const note = `${warn('the prompts', prompts.reason)}: the report has no categories and no prompt text; the gate is decided as it would be with them`;
  return { eval: info, prompts: undefined, status: { available: false, note } };
}
