// Type tests: what a strict TypeScript user of the SDK sees. Checked by `npm run typecheck` (tsc over test/),
// the first step of `npm test`; nothing here runs. Each check below failed on 0.1.0 (a `@ts-expect-error` that
// was not needed there, or a type that differed); the file imports only names 0.1.0 exported, so each fails on
// its own merits. Checks of names added since live in api.test-d.ts.
import { expectTypeOf } from 'vitest';
import {
  AymaraAI,
  AymaraAPIError,
  NotFoundError,
  type ContentType,
  type EvalScoredResponse,
  type EvalScoredResponsesPage,
  type FileReference,
  type NextPrompt,
} from 'aymara-ai';

declare const client: AymaraAI;

/** A misspelt field of a response is a compile error, not an `unknown`. */
export function misspeltField(response: EvalScoredResponse): unknown {
  // @ts-expect-error `is_pased` is not a field of EvalScoredResponse
  return response.is_pased;
}

/** ...in a nested model too. */
export function misspeltNestedField(prompt: NextPrompt, file: FileReference): unknown[] {
  return [
    // @ts-expect-error `prompt_uid` is not a field of NextPrompt
    prompt.prompt_uid,
    // @ts-expect-error `file_uid` is not a field of FileReference
    file.file_uid,
  ];
}

/** The model lists its fields and nothing else: no index signature, so `keyof` is the known names. */
expectTypeOf<keyof EvalScoredResponse>().toEqualTypeOf<
  | 'prompt_uuid'
  | 'thread_uuid'
  | 'turn_number'
  | 'continue_thread'
  | 'content'
  | 'content_type'
  | 'exclude_from_scoring'
  | 'ai_refused'
  | 'response_uuid'
  | 'explanation'
  | 'confidence'
  | 'is_passed'
  | 'next_prompt'
  | 'manually_updated'
  | 'manually_updated_at'
  | 'manually_updated_by'
  | 'update_history'
>();
expectTypeOf<keyof NextPrompt>().toEqualTypeOf<'prompt_uuid' | 'thread_uuid' | 'turn_number' | 'content' | 'category'>();
expectTypeOf<keyof FileReference>().toEqualTypeOf<'file_uuid' | 'remote_file_path'>();

/** `EvalScoredResponsesPage` is what `await listResponses()` gives, so it can type a function's parameter. */
function report(page: EvalScoredResponsesPage): number {
  return page.items.filter((response) => response.is_passed === false).length;
}
export async function pageAsParameter(): Promise<number> {
  return report(await client.evals.runs.listResponses('run'));
}
expectTypeOf<Awaited<ReturnType<AymaraAI['evals']['runs']['listResponses']>>>().toEqualTypeOf<EvalScoredResponsesPage>();

/** The page carries the whole parsed body, typed; its next page is a page of the same type. */
export async function pageBody(page: EvalScoredResponsesPage): Promise<void> {
  expectTypeOf(page.body.items).toEqualTypeOf<EvalScoredResponse[]>();
  expectTypeOf(page.body.count).toEqualTypeOf<number>();
  expectTypeOf(await page.getNextPage()).toEqualTypeOf<EvalScoredResponsesPage>();
}

/** An API error's headers are a WHATWG `Headers`: `get`, `has`, iteration. */
export function errorHeaders(error: unknown): string | null {
  if (!(error instanceof AymaraAPIError)) return null;
  expectTypeOf(error.headers).toEqualTypeOf<Headers>();
  expectTypeOf(error.headers.get('retry-after')).toEqualTypeOf<string | null>();
  return error.headers.get('retry-after');
}
export function subclassHeaders(error: NotFoundError): boolean {
  return error.headers.has('x-request-id');
}

/** The fields the official SDK knows on scored responses are typed, optional and nullable. */
export function manualUpdates(response: EvalScoredResponse): void {
  expectTypeOf(response.manually_updated).toEqualTypeOf<boolean | null | undefined>();
  expectTypeOf(response.manually_updated_at).toEqualTypeOf<string | null | undefined>();
  expectTypeOf(response.manually_updated_by?.email).toEqualTypeOf<string | undefined>();
  expectTypeOf(response.manually_updated_by?.organization?.org_uuid).toEqualTypeOf<string | undefined>();
  expectTypeOf(response.update_history?.[0]?.answer_history_uuid).toEqualTypeOf<string | undefined>();
  expectTypeOf(response.update_history?.[0]?.new_is_passed).toEqualTypeOf<boolean | null | undefined>();
  expectTypeOf(response.update_history?.[0]?.updated_by?.is_admin).toEqualTypeOf<boolean | undefined>();
}

/** `content_type` names `'video'` (while staying open to new types). */
expectTypeOf<Extract<ContentType, 'video'>>().toEqualTypeOf<'video'>();
expectTypeOf<Extract<EvalScoredResponse['content_type'], 'video'>>().toEqualTypeOf<'video'>();
