/**
 * `compare latest <candidate>`: the baseline is found among the eval's runs, not pasted into every workflow. It is
 * the most recent finished run of the candidate's eval created before the candidate, optionally only among runs
 * whose name matches `--baseline-name` (teams mark approved runs by name).
 */
import type { EvalRun } from 'aymara-ai';
import type { RunContext } from './command.js';

/**
 * `--baseline-name GLOB` as a matcher: `*` any run of characters, `?` one character, everything else literal,
 * anchored at both ends. A run without a name never matches.
 */
export function globMatcher(glob: string): (name: string | null | undefined) => boolean {
  const source = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  const pattern = new RegExp(`^${source}$`, 'su');
  return (name) => typeof name === 'string' && pattern.test(name);
}

export interface BaselineSearch {
  /** The run chosen, or undefined when none qualifies. */
  run: EvalRun | undefined;
  /** How many runs qualified (finished, before the candidate, matching the glob). */
  considered: number;
}

/** A date-time's instant, or NaN for none or an unreadable one (such a run cannot be ordered, so it is not chosen). */
const instant = (date: string | undefined) => (date ? Date.parse(date) : Number.NaN);

/** Chooses the baseline among `runs` for `candidate`; pure, so the rule is tested on its own. */
export function chooseBaseline(runs: Iterable<EvalRun>, candidate: EvalRun, nameGlob: string | undefined): BaselineSearch {
  const matches = nameGlob === undefined ? () => true : globMatcher(nameGlob);
  const before = instant(candidate.created_at);
  let chosen: EvalRun | undefined;
  let considered = 0;
  for (const run of runs) {
    const at = instant(run.created_at);
    if (run.eval_run_uuid === candidate.eval_run_uuid || run.eval_uuid !== candidate.eval_uuid) continue;
    if (run.status !== 'finished' || !(at < before) || !matches(run.name)) continue;
    considered += 1;
    if (chosen === undefined || at > instant(chosen.created_at)) chosen = run;
  }
  return { run: chosen, considered };
}

/** Reads every page of the candidate's eval's runs and chooses the baseline among them. */
export async function findBaseline({ client, args }: RunContext, candidate: EvalRun): Promise<BaselineSearch> {
  const params = {
    eval_uuid: candidate.eval_uuid,
    ...(args.workspace ? { workspace_uuid: args.workspace } : {}),
    ...(args.pageSize ? { limit: args.pageSize } : {}),
  };
  const runs: EvalRun[] = [];
  for await (const run of client.evals.runs.list(params)) runs.push(run);
  return chooseBaseline(runs, candidate, args.baselineName);
}
