import { z } from 'zod';

/**
 * A file the AI system answered with (an image, say). The endpoint's docs leave this shape out;
 * it is the one the official Python SDK uses.
 */
export const FileReferenceSchema = z.looseObject({
  file_uuid: z.string().nullish(),
  remote_file_path: z.string().nullish(),
});
export type FileReference = z.infer<typeof FileReferenceSchema>;

/** The prompt that follows a response in a multi-turn eval. */
export const NextPromptSchema = z.looseObject({
  prompt_uuid: z.string(),
  thread_uuid: z.string().nullish(),
  turn_number: z.number().int().default(1),
  content: z.string(),
  category: z.string().nullish(),
});
export type NextPrompt = z.infer<typeof NextPromptSchema>;

/** `'text'` or `'image'` today; open so that a new type from the API does not break pinned clients. */
export type ContentType = 'text' | 'image' | (string & {});

/** One scored answer of the user's AI system. Field names are the API's. Unknown fields are kept. */
export const EvalScoredResponseSchema = z.looseObject({
  prompt_uuid: z.string(),
  thread_uuid: z.string().nullish(),
  turn_number: z.number().int().default(1),
  continue_thread: z.boolean().default(false),
  /** The answer: text, a file reference, or null. */
  content: z.union([z.string(), FileReferenceSchema]).nullish(),
  content_type: (z.string() as z.ZodType<ContentType>).default('text'),
  exclude_from_scoring: z.boolean().default(false),
  ai_refused: z.boolean().default(false),
  response_uuid: z.string().nullish(),
  explanation: z.string().nullish(),
  confidence: z.number().nullish(),
  /** `true` passed, `false` failed, `null` not scored. */
  is_passed: z.boolean().nullish(),
  next_prompt: NextPromptSchema.nullish(),
});
export type EvalScoredResponse = z.infer<typeof EvalScoredResponseSchema>;

/** One page of an eval run's responses. `count` is the run's total, not the page's. */
export const EvalScoredResponsesPageSchema = z.looseObject({
  items: z.array(EvalScoredResponseSchema),
  count: z.number().int(),
});
export type EvalScoredResponsesPage = z.infer<typeof EvalScoredResponsesPageSchema>;

/** Query parameters of `evals.runs.listResponses`. Only those given are sent. */
export const ListResponsesParamsSchema = z.strictObject({
  /** Responses per page, at least 1 (the API defaults to 100 and may cap it). */
  limit: z.number('must be an integer >= 1').int('must be an integer >= 1').min(1, 'must be an integer >= 1').optional(),
  /** How many responses to skip, at least 0. */
  offset: z.number('must be an integer >= 0').int('must be an integer >= 0').min(0, 'must be an integer >= 0').optional(),
  /** The workspace the run belongs to. */
  workspace_uuid: z
    .string('must be a non-empty string')
    .min(1, 'must be a non-empty string')
    .refine((value) => value.isWellFormed(), 'must be well-formed Unicode (it has an unpaired surrogate)')
    .optional(),
});
export type ListResponsesParams = z.infer<typeof ListResponsesParamsSchema>;
