// An eval: the answer of `GET /v2/evals/{eval_uuid}`, and the `evaluation` of a run. As in
// eval-scored-response.ts, the model is a hand-written type tied by `Agrees` to the zod schema that parses it.
import * as z from 'zod/mini';
import { FileReferenceSchema, type FileReference } from './eval-scored-response.js';
import { integer } from './integer.js';
import { getParamsSchema } from './params.js';
import type { EvalRunStatus } from './status.js';
import type { Agrees, Assert } from '../internal/type-check.js';

/** The instructions one agent under test follows. */
export type AgentInstructions = {
  /** The agent's system prompt. */
  system_prompt: string;
  /** The agent's name, in a multi-agent workflow. */
  agent_name?: string | null | undefined;
  /** The agent's tools, as the API describes them. */
  tools?: unknown;
};

/** Parses {@link AgentInstructions}. Unknown fields are kept. */
export const AgentInstructionsSchema = z.looseObject({
  system_prompt: z.string(),
  agent_name: z.nullish(z.string()),
  tools: z.optional(z.unknown()),
});

/** The instructions of a multi-agent workflow: one entry per agent. */
export type WorkflowInstructions = {
  /** Each agent's instructions. */
  instructions: AgentInstructions[];
};

/** Parses {@link WorkflowInstructions}. Unknown fields are kept. */
export const WorkflowInstructionsSchema = z.looseObject({ instructions: z.array(AgentInstructionsSchema) });

/** An example prompt given with an eval: a `'good'` or a `'bad'` one, and why. */
export type PromptExample = {
  /** The example prompt's text. */
  content: string;
  /** `'good'` or `'bad'`; open to new values. */
  type: 'good' | 'bad' | (string & {});
  /** The example's id. */
  example_uuid?: string | null | undefined;
  /** Why it is a good or a bad example. */
  explanation?: string | null | undefined;
};

/** Parses a {@link PromptExample}. Unknown fields are kept. */
export const PromptExampleSchema = z.looseObject({
  content: z.string(),
  type: z.string(),
  example_uuid: z.nullish(z.string()),
  explanation: z.nullish(z.string()),
});

/**
 * An eval: what it tests and how. A run carries its eval as `evaluation`. Unknown fields are kept at run time.
 */
export type Eval = {
  /** A description of the AI system under test. */
  ai_description: string;
  /** The kind of eval (`'safety'`, `'jailbreak'`, `'accuracy'`...), as the API names it. */
  eval_type: string;
  /** The eval's id: what `evals.get`, `evals.listPrompts` and `runs.list({ eval_uuid })` take. */
  eval_uuid?: string | null | undefined;
  /** The eval's name. */
  name?: string | null | undefined;
  /** The eval's status, in the terms of a run's (`'created'`, `'processing'`, `'finished'`, `'failed'`). */
  status?: EvalRunStatus | null | undefined;
  /** What the eval's prompts ask for: `'text'`, `'image'`, `'video'`; open to new values. */
  modality?: 'text' | 'image' | 'video' | (string & {}) | null | undefined;
  /** The language of the prompts. */
  language?: string | null | undefined;
  /** How many prompts the eval has. */
  num_prompts?: number | null | undefined;
  /** Whether this is a jailbreak eval. */
  is_jailbreak?: boolean | null | undefined;
  /** Whether this is a sandbox eval. */
  is_sandbox?: boolean | null | undefined;
  /** The workspace the eval belongs to. */
  workspace_uuid?: string | null | undefined;
  /** ISO 8601 date-time. */
  created_at?: string | null | undefined;
  /** ISO 8601 date-time. */
  updated_at?: string | null | undefined;
  /** Who created the eval. */
  created_by?: string | null | undefined;
  /** The instructions given when the eval was created. */
  eval_instructions?: string | null | undefined;
  /** What the AI under test was told: plain text, one agent's instructions, or a multi-agent workflow's. */
  ai_instructions?: string | AgentInstructions | WorkflowInstructions | null | undefined;
  /** The reference answer of an accuracy eval: text, or a file. */
  ground_truth?: string | FileReference | null | undefined;
  /** The example prompts given with the eval. */
  prompt_examples?: PromptExample[] | null | undefined;
};

/** Parses an {@link Eval}. Unknown fields are kept. */
export const EvalSchema = z.looseObject({
  ai_description: z.string(),
  eval_type: z.string(),
  eval_uuid: z.nullish(z.string()),
  name: z.nullish(z.string()),
  status: z.nullish(z.string()),
  modality: z.nullish(z.string()),
  language: z.nullish(z.string()),
  num_prompts: z.nullish(integer()),
  is_jailbreak: z.nullish(z.boolean()),
  is_sandbox: z.nullish(z.boolean()),
  workspace_uuid: z.nullish(z.string()),
  created_at: z.nullish(z.string()),
  updated_at: z.nullish(z.string()),
  created_by: z.nullish(z.string()),
  eval_instructions: z.nullish(z.string()),
  ai_instructions: z.nullish(z.union([z.string(), AgentInstructionsSchema, WorkflowInstructionsSchema])),
  ground_truth: z.nullish(z.union([z.string(), FileReferenceSchema])),
  prompt_examples: z.nullish(z.array(PromptExampleSchema)),
});

/** Query parameters of `evals.get`. Only those given are sent. */
export type GetEvalParams = {
  /** The workspace the eval belongs to. */
  workspace_uuid?: string | undefined;
};

/** Checks {@link GetEvalParams}. Strict: an unknown name is an input error. */
export const GetEvalParamsSchema = getParamsSchema();

// The types above and the schemas must describe the same data.
type _Checks = [
  Assert<Agrees<z.output<typeof AgentInstructionsSchema>, AgentInstructions>>,
  Assert<Agrees<z.output<typeof WorkflowInstructionsSchema>, WorkflowInstructions>>,
  Assert<Agrees<z.output<typeof PromptExampleSchema>, PromptExample>>,
  Assert<Agrees<z.output<typeof EvalSchema>, Eval>>,
  Assert<Agrees<z.output<typeof GetEvalParamsSchema>, GetEvalParams>>,
];
