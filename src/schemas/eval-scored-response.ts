// The scored responses of an eval run: the items of `GET /v2/eval-runs/{eval_run_uuid}/responses`.
//
// Each model comes twice: a hand-written type (what users see: named in editors, one line of docs per field,
// no index signature, so a misspelt field is a compile error) and a zod schema (what runs: fills the documented
// defaults, keeps unknown fields, accepts unknown values of open enums). `Agrees` below fails the type check
// when the two drift apart. The schemas use zod's tree-shakable API (`zod/mini`), so a bundle carries only the
// parts of zod they use.
//
// The models are object type aliases rather than interfaces on purpose: like interfaces they show by name in
// editors and reject unknown names, but they stay assignable to `Record<string, unknown>`, so
// `(response as Record<string, unknown>).new_field` reads a field the API added after this version.
import * as z from 'zod/mini';
import { integer } from './integer.js';
import { offsetPageSchema } from './offset-page.js';
import { listParamsSchema } from './params.js';
import type { Agrees, Assert } from '../internal/type-check.js';

/**
 * A file the AI system answered with (an image, a video). The list endpoint's docs leave this shape out;
 * it is the one the official Python SDK uses.
 */
export type FileReference = {
  /** The file's id in Aymara, if uploaded there. */
  file_uuid?: string | null | undefined;
  /** Where the file is stored (`s3://...`), if known. */
  remote_file_path?: string | null | undefined;
};

/** Parses a {@link FileReference}. Unknown fields are kept. */
export const FileReferenceSchema = z.looseObject({
  file_uuid: z.nullish(z.string()),
  remote_file_path: z.nullish(z.string()),
});

/** The prompt that follows a response in a multi-turn eval. */
export type NextPrompt = {
  /** The prompt's id. */
  prompt_uuid: string;
  /** The conversation it belongs to. */
  thread_uuid?: string | null | undefined;
  /** Turn of the conversation this prompt opens. Default 1. */
  turn_number: number;
  /** The prompt's text. */
  content: string;
  /** The prompt's category, if it has one. */
  category?: string | null | undefined;
};

/** Parses a {@link NextPrompt}, filling `turn_number` (1). Unknown fields are kept. */
export const NextPromptSchema = z.looseObject({
  prompt_uuid: z.string(),
  thread_uuid: z.nullish(z.string()),
  turn_number: z._default(integer(), 1),
  content: z.string(),
  category: z.nullish(z.string()),
});

/** What a response holds: `'text'`, `'image'` or `'video'` today, open to new types so a pinned client keeps working. */
export type ContentType = 'text' | 'image' | 'video' | (string & {});

/** The workspace of a user who updated a response by hand. */
export type UpdatedByWorkspace = {
  /** The workspace's name. */
  name?: string | null | undefined;
  /** The name of the workspace's organization. */
  organization_name?: string | null | undefined;
  /** The id of the workspace's organization. */
  organization_uuid?: string | null | undefined;
  /** The workspace's id. */
  workspace_uuid?: string | null | undefined;
};

/** The organization of a user who updated a response by hand. */
export type UpdatedByOrganization = {
  /** The organization's name. */
  name: string;
  /** The organization's id. */
  org_uuid: string;
};

/** The feature flags of a user who updated a response by hand. */
export type UpdatedByFeatureFlags = {
  /** Whether the user has the dashboard. */
  enable_dashboard: boolean;
};

/** A user who updated a response by hand, as the API describes them. */
export type UpdatedBy = {
  /** The user's email address. */
  email: string;
  /** Whether the user is an admin. */
  is_admin: boolean;
  /** Whether an admin made the update while acting as this user. */
  is_impersonating: boolean;
  /** The user's feature flags. */
  feature_flags: UpdatedByFeatureFlags;
  /** The user's organization. */
  organization?: UpdatedByOrganization | null | undefined;
  /** The user's workspace. */
  workspace?: UpdatedByWorkspace | null | undefined;
  /** The email addresses of the organization's admins. */
  org_admin_emails?: string[] | null | undefined;
};

/** Parses an {@link UpdatedBy}. Unknown fields are kept, here and in its nested objects. */
export const UpdatedBySchema = z.looseObject({
  email: z.string(),
  is_admin: z.boolean(),
  is_impersonating: z.boolean(),
  feature_flags: z.looseObject({ enable_dashboard: z.boolean() }),
  organization: z.nullish(z.looseObject({ name: z.string(), org_uuid: z.string() })),
  workspace: z.nullish(
    z.looseObject({
      name: z.nullish(z.string()),
      organization_name: z.nullish(z.string()),
      organization_uuid: z.nullish(z.string()),
      workspace_uuid: z.nullish(z.string()),
    }),
  ),
  org_admin_emails: z.nullish(z.array(z.string())),
});

/** One manual update of a response's score: what changed, when, and by whom. */
export type AnswerHistory = {
  /** The update's id. */
  answer_history_uuid: string;
  /** ISO 8601 date-time of the update. */
  updated_at: string;
  /** The score before the update. */
  previous_is_passed?: boolean | null | undefined;
  /** The score after it. */
  new_is_passed?: boolean | null | undefined;
  /** The explanation before the update. */
  previous_explanation?: string | null | undefined;
  /** The explanation after it. */
  new_explanation?: string | null | undefined;
  /** The confidence before the update. */
  previous_confidence?: number | null | undefined;
  /** The confidence after it. */
  new_confidence?: number | null | undefined;
  /** Who made the update. */
  updated_by?: UpdatedBy | null | undefined;
};

/** Parses an {@link AnswerHistory}. Unknown fields are kept. */
export const AnswerHistorySchema = z.looseObject({
  answer_history_uuid: z.string(),
  updated_at: z.string(),
  previous_is_passed: z.nullish(z.boolean()),
  new_is_passed: z.nullish(z.boolean()),
  previous_explanation: z.nullish(z.string()),
  new_explanation: z.nullish(z.string()),
  previous_confidence: z.nullish(z.number()),
  new_confidence: z.nullish(z.number()),
  updated_by: z.nullish(UpdatedBySchema),
});

/**
 * One scored answer of your AI system. Field names are the API's.
 *
 * Fields the API adds after this version are kept on the object at run time but are not part of the type, so a
 * misspelt name is a compile error. Read a new field with `(response as Record<string, unknown>).new_field`.
 */
export type EvalScoredResponse = {
  /** The prompt this answers. */
  prompt_uuid: string;
  /** The conversation, in a multi-turn eval. */
  thread_uuid?: string | null | undefined;
  /** Turn of the conversation. Default 1. */
  turn_number: number;
  /** Whether the conversation goes on after this response. Default false. */
  continue_thread: boolean;
  /** The answer: text, a file reference, or null. */
  content?: string | FileReference | null | undefined;
  /** What `content` holds. Default `'text'`. */
  content_type: ContentType;
  /** Whether the response is left out of scoring. Default false. */
  exclude_from_scoring: boolean;
  /** Whether the AI refused to answer. Default false. */
  ai_refused: boolean;
  /** The response's own id. */
  response_uuid?: string | null | undefined;
  /** Why the response passed or failed. */
  explanation?: string | null | undefined;
  /** The scorer's confidence, usually from 0 to 1. */
  confidence?: number | null | undefined;
  /** `true` passed, `false` failed, `null` (or absent) not scored. */
  is_passed?: boolean | null | undefined;
  /** The prompt that follows, in a multi-turn eval. */
  next_prompt?: NextPrompt | null | undefined;
  /** Whether someone changed the score by hand. */
  manually_updated?: boolean | null | undefined;
  /** ISO 8601 date-time of the last manual update. */
  manually_updated_at?: string | null | undefined;
  /** Who made the last manual update. */
  manually_updated_by?: UpdatedBy | null | undefined;
  /** The manual updates, oldest first, when the API includes them. */
  update_history?: AnswerHistory[] | null | undefined;
};

/**
 * Parses an {@link EvalScoredResponse}: fills the documented defaults (`turn_number` 1, `continue_thread` false,
 * `content_type` `'text'`, `exclude_from_scoring` false, `ai_refused` false), keeps unknown fields, and accepts
 * any `content_type` string.
 */
export const EvalScoredResponseSchema = z.looseObject({
  prompt_uuid: z.string(),
  thread_uuid: z.nullish(z.string()),
  turn_number: z._default(integer(), 1),
  continue_thread: z._default(z.boolean(), false),
  content: z.nullish(z.union([z.string(), FileReferenceSchema])),
  content_type: z._default(z.string(), 'text'),
  exclude_from_scoring: z._default(z.boolean(), false),
  ai_refused: z._default(z.boolean(), false),
  response_uuid: z.nullish(z.string()),
  explanation: z.nullish(z.string()),
  confidence: z.nullish(z.number()),
  is_passed: z.nullish(z.boolean()),
  next_prompt: z.nullish(NextPromptSchema),
  manually_updated: z.nullish(z.boolean()),
  manually_updated_at: z.nullish(z.string()),
  manually_updated_by: z.nullish(UpdatedBySchema),
  update_history: z.nullish(z.array(AnswerHistorySchema)),
});

/**
 * The body of one page of responses: the page's `items` and the run's total `count` (not the page's).
 * Unknown top-level fields are kept at run time: read one with `(page.body as Record<string, unknown>).next_cursor`.
 */
export type EvalScoredResponsesPageBody = {
  /** The responses of this page. */
  items: EvalScoredResponse[];
  /** The run's number of responses, over all pages. */
  count: number;
};

/** Parses an {@link EvalScoredResponsesPageBody}. Unknown top-level fields are kept. */
export const EvalScoredResponsesPageSchema = offsetPageSchema(EvalScoredResponseSchema);

/** Query parameters of `evals.runs.listResponses`. Only those given are sent. */
export type ListResponsesParams = {
  /** Responses per page, at least 1 (the API defaults to 100 and may cap it). */
  limit?: number | undefined;
  /** How many responses to skip, at least 0. */
  offset?: number | undefined;
  /** The workspace the run belongs to. */
  workspace_uuid?: string | undefined;
};

/** Checks {@link ListResponsesParams}. Strict: an unknown name is an input error. */
export const ListResponsesParamsSchema = listParamsSchema();

// The types above and the schemas must describe the same data.
type _Checks = [
  Assert<Agrees<z.output<typeof FileReferenceSchema>, FileReference>>,
  Assert<Agrees<z.output<typeof NextPromptSchema>, NextPrompt>>,
  Assert<Agrees<z.output<typeof UpdatedBySchema>, UpdatedBy>>,
  Assert<Agrees<z.output<typeof AnswerHistorySchema>, AnswerHistory>>,
  Assert<Agrees<z.output<typeof EvalScoredResponseSchema>, EvalScoredResponse>>,
  Assert<Agrees<z.output<typeof EvalScoredResponsesPageSchema>, EvalScoredResponsesPageBody>>,
  Assert<Agrees<z.output<typeof ListResponsesParamsSchema>, ListResponsesParams>>,
];
