// One eval run: the answer of `GET /v2/eval-runs/{eval_run_uuid}`, and the items of `GET /v2/eval-runs`. As in
// eval-scored-response.ts, each model is a hand-written type (what users see) tied by `Agrees` to the zod schema
// that parses it (what runs).
import * as z from 'zod/mini';
import { integer } from './integer.js';
import { EvalScoredResponseSchema, type EvalScoredResponse } from './eval-scored-response.js';
import { offsetPageSchema } from './offset-page.js';
import { getParamsSchema, idParam, listParamsSchema } from './params.js';
import { EvalSchema, type Eval } from './eval.js';
import type { EvalRunStatus } from './status.js';
import type { Agrees, Assert } from '../internal/type-check.js';

/** An example given with a run: a prompt, a response, and whether it shows a pass or a fail. */
export type EvalRunExample = {
  /** The example prompt. */
  prompt: string;
  /** The example answer to it. */
  response: string;
  /** `'pass'` or `'fail'`. */
  type: 'pass' | 'fail' | (string & {});
  /** The example's id. */
  example_uuid?: string | null | undefined;
  /** Why the answer passes or fails. */
  explanation?: string | null | undefined;
};

/** Parses an {@link EvalRunExample}. Unknown fields are kept. */
export const EvalRunExampleSchema = z.looseObject({
  prompt: z.string(),
  response: z.string(),
  type: z.string(),
  example_uuid: z.nullish(z.string()),
  explanation: z.nullish(z.string()),
});

/**
 * One eval run: its status and, once scoring is done, its totals.
 *
 * Fields the API adds after this version are kept on the object at run time but are not part of the type:
 * read one with `(run as Record<string, unknown>).new_field`.
 */
export type EvalRun = {
  /** The run's id: what `runs.get`, `runs.listResponses` and the CLI take. */
  eval_run_uuid: string;
  /** The eval this run scores answers to. */
  eval_uuid: string;
  /** `'finished'` once the responses are final; see {@link EvalRunStatus}. */
  status: EvalRunStatus;
  /** ISO 8601 date-time. */
  created_at: string;
  /** ISO 8601 date-time. */
  updated_at: string;
  /** The run's name, if it was given one (`latest --baseline-name` matches it). */
  name?: string | null | undefined;
  /** A description of the AI system whose answers the run scores. */
  ai_description?: string | null | undefined;
  /** The workspace the run belongs to. */
  workspace_uuid?: string | null | undefined;
  /** Whether this is a sandbox run. */
  is_sandbox?: boolean | null | undefined;
  /** Prompts in the run. */
  num_prompts?: number | null | undefined;
  /** Responses scored so far. */
  num_responses_scored?: number | null | undefined;
  /** A fraction from 0 to 1. */
  pass_rate?: number | null | undefined;
  /** The eval, when the API includes it. */
  evaluation?: Eval | null | undefined;
  /** Examples of passing and failing answers given to the scorer with the run. */
  eval_run_examples?: EvalRunExample[] | null | undefined;
  /** The run's scored responses, when the API includes them. */
  responses?: EvalScoredResponse[] | null | undefined;
};

/** Parses an {@link EvalRun}. Unknown fields are kept; any `status` string is accepted. */
export const EvalRunSchema = z.looseObject({
  eval_run_uuid: z.string(),
  eval_uuid: z.string(),
  status: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  name: z.nullish(z.string()),
  ai_description: z.nullish(z.string()),
  workspace_uuid: z.nullish(z.string()),
  is_sandbox: z.nullish(z.boolean()),
  num_prompts: z.nullish(integer()),
  num_responses_scored: z.nullish(integer()),
  pass_rate: z.nullish(z.number()),
  evaluation: z.nullish(EvalSchema),
  eval_run_examples: z.nullish(z.array(EvalRunExampleSchema)),
  responses: z.nullish(z.array(EvalScoredResponseSchema)),
});

/** Query parameters of `evals.runs.get`. Only those given are sent. */
export type GetRunParams = {
  /** The workspace the run belongs to. */
  workspace_uuid?: string | undefined;
};

/** Checks {@link GetRunParams}. Strict: an unknown name is an input error. */
export const GetRunParamsSchema = getParamsSchema();

/**
 * The body of one page of runs: the page's `items` and the total `count` of runs the query matches.
 * Unknown top-level fields are kept at run time.
 */
export type EvalRunsPageBody = {
  /** The runs of this page. */
  items: EvalRun[];
  /** The number of runs the query matches, over all pages. */
  count: number;
};

/** Parses an {@link EvalRunsPageBody}. Unknown top-level fields are kept. */
export const EvalRunsPageSchema = offsetPageSchema(EvalRunSchema);

/** Query parameters of `evals.runs.list`. Only those given are sent. */
export type ListRunsParams = {
  /** Only the runs of this eval. */
  eval_uuid?: string | undefined;
  /** Runs per page, at least 1 (the API may cap it). */
  limit?: number | undefined;
  /** How many runs to skip, at least 0. */
  offset?: number | undefined;
  /** The workspace to list; `'*'` asks for every workspace of your organization (enterprise accounts). */
  workspace_uuid?: string | undefined;
};

/** Checks {@link ListRunsParams}. Strict: an unknown name is an input error. */
export const ListRunsParamsSchema = listParamsSchema({ eval_uuid: idParam() });

// The types above and the schemas must describe the same data.
type _Checks = [
  Assert<Agrees<z.output<typeof EvalRunExampleSchema>, EvalRunExample>>,
  Assert<Agrees<z.output<typeof EvalRunSchema>, EvalRun>>,
  Assert<Agrees<z.output<typeof GetRunParamsSchema>, GetRunParams>>,
  Assert<Agrees<z.output<typeof EvalRunsPageSchema>, EvalRunsPageBody>>,
  Assert<Agrees<z.output<typeof ListRunsParamsSchema>, ListRunsParams>>,
];
