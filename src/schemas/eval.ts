// An eval: the answer of `GET /v2/evals/{eval_uuid}`, and the `evaluation` of a run. As in
// eval-scored-response.ts, the model is a hand-written type tied by `Agrees` to the zod schema that parses it.
import * as z from 'zod/mini';
import { integer } from './integer.js';
import type { EvalRunStatus } from './status.js';
import type { Agrees, Assert } from '../internal/type-check.js';

/**
 * An eval: what it tests and how. A run carries its eval as `evaluation`. Unknown fields are kept at run time.
 */
export type Eval = {
  ai_description: string;
  eval_type: string;
  eval_uuid?: string | null | undefined;
  name?: string | null | undefined;
  status?: EvalRunStatus | null | undefined;
  /** What the eval's prompts ask for: `'text'`, `'image'`, `'video'`; open to new values. */
  modality?: 'text' | 'image' | 'video' | (string & {}) | null | undefined;
  language?: string | null | undefined;
  num_prompts?: number | null | undefined;
  is_jailbreak?: boolean | null | undefined;
  is_sandbox?: boolean | null | undefined;
  workspace_uuid?: string | null | undefined;
  /** ISO 8601 date-time. */
  created_at?: string | null | undefined;
  /** ISO 8601 date-time. */
  updated_at?: string | null | undefined;
  created_by?: string | null | undefined;
  eval_instructions?: string | null | undefined;
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
});

// The type above and the schema must describe the same data.
type _Checks = [Assert<Agrees<z.output<typeof EvalSchema>, Eval>>];
