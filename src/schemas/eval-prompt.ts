// The prompts of an eval: the items of `GET /v2/evals/{eval_uuid}/prompts`. A scored response names only its
// `prompt_uuid`; a prompt gives its text and category. As in eval-scored-response.ts, the model is a hand-written
// type tied by `Agrees` to the zod schema that parses it.
import * as z from 'zod/mini';
import { integer } from './integer.js';
import { offsetPageSchema } from './offset-page.js';
import { listParamsSchema } from './params.js';
import type { Agrees, Assert } from '../internal/type-check.js';

/**
 * One prompt of an eval: the question the AI system under test was asked.
 *
 * Fields the API adds after this version are kept on the object at run time but are not part of the type: read one
 * with `(prompt as Record<string, unknown>).new_field`.
 */
export type EvalPrompt = {
  /** What scored responses point to. */
  prompt_uuid: string;
  /** The prompt's text. */
  content: string;
  /** The prompt's category (`'jailbreak'`, `'privacy'`...), if it has one. */
  category?: string | null | undefined;
  /** The conversation, in a multi-turn eval. */
  thread_uuid?: string | null | undefined;
  /** Turn of the conversation. Default 1; the API may send null. */
  turn_number: number | null;
};

/** Parses an {@link EvalPrompt}, filling `turn_number` (1) when absent. Unknown fields are kept. */
export const EvalPromptSchema = z.looseObject({
  prompt_uuid: z.string(),
  content: z.string(),
  category: z.nullish(z.string()),
  thread_uuid: z.nullish(z.string()),
  turn_number: z._default(z.nullable(integer()), 1),
});

/**
 * The body of one page of prompts: the page's `items` and the eval's total `count` of prompts.
 * Unknown top-level fields are kept at run time.
 */
export type EvalPromptsPageBody = {
  /** The prompts of this page. */
  items: EvalPrompt[];
  /** The eval's number of prompts, over all pages. */
  count: number;
};

/** Parses an {@link EvalPromptsPageBody}. Unknown top-level fields are kept. */
export const EvalPromptsPageSchema = offsetPageSchema(EvalPromptSchema);

/** Query parameters of `evals.listPrompts`. Only those given are sent. */
export type ListPromptsParams = {
  /** Prompts per page, at least 1 (the API may cap it). */
  limit?: number | undefined;
  /** How many prompts to skip, at least 0. */
  offset?: number | undefined;
  /** The workspace the eval belongs to. */
  workspace_uuid?: string | undefined;
};

/** Checks {@link ListPromptsParams}. Strict: an unknown name is an input error. */
export const ListPromptsParamsSchema = listParamsSchema();

// The types above and the schemas must describe the same data.
type _Checks = [
  Assert<Agrees<z.output<typeof EvalPromptSchema>, EvalPrompt>>,
  Assert<Agrees<z.output<typeof EvalPromptsPageSchema>, EvalPromptsPageBody>>,
  Assert<Agrees<z.output<typeof ListPromptsParamsSchema>, ListPromptsParams>>,
];
