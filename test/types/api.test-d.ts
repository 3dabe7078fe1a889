// Type tests of names added since 0.1.0 (eval runs, the page body type, validation issues), of the zod schemas
// as zod users compose them, and of the check that ties each model type to its schema. Checked by
// `npm run typecheck`; nothing here runs.
import { expectTypeOf } from 'vitest';
import * as zc from 'zod';
import * as z from 'zod/mini';
import {
  AymaraAI,
  AymaraResponseValidationError,
  EvalRunSchema,
  EvalScoredResponseSchema,
  EvalScoredResponsesPageSchema,
  ListResponsesParamsSchema,
  type AnswerHistory,
  type EvalRun,
  type EvalRunStatus,
  type EvalScoredResponse,
  type EvalScoredResponsesPageBody,
  type GetRunParams,
  type ListResponsesParams,
  type UpdatedBy,
  type ValidationIssue,
} from 'aymara-ai';
import type { Agrees, Assert } from '../../src/internal/type-check.js';

declare const client: AymaraAI;

/** A run: open status, typed totals, no index signature. */
export async function evalRun(): Promise<void> {
  const run = await client.evals.runs.get('run', { workspace_uuid: 'w' });
  expectTypeOf(run).toEqualTypeOf<EvalRun>();
  expectTypeOf(run.status).toEqualTypeOf<EvalRunStatus>();
  expectTypeOf<Extract<EvalRunStatus, 'finished'>>().toEqualTypeOf<'finished'>();
  expectTypeOf(run.num_responses_scored).toEqualTypeOf<number | null | undefined>();
  expectTypeOf(run.pass_rate).toEqualTypeOf<number | null | undefined>();
  expectTypeOf(run.responses).toEqualTypeOf<EvalScoredResponse[] | null | undefined>();
  // @ts-expect-error `num_respones_scored` is not a field of EvalRun
  expectTypeOf(run.num_respones_scored).toBeUnknown();
}

/** Parameters reject misspelt names at compile time; request options do not belong in them. */
export function params(): void {
  // @ts-expect-error `workspaceUuid` is not a parameter (it is `workspace_uuid`)
  const list: ListResponsesParams = { workspaceUuid: 'w' };
  // @ts-expect-error `timeout` is a request option, the third argument
  const get: GetRunParams = { timeout: 5 };
  void list;
  void get;
}

/** A field the API added after this version stays reachable at run time, through a cast. */
export function unknownFields(response: EvalScoredResponse, body: EvalScoredResponsesPageBody): unknown[] {
  const fields: Record<string, unknown> = response;
  return [(response as Record<string, unknown>).new_field, (body as Record<string, unknown>).next_cursor, fields.severity];
}

/** A validation error keeps a few issues, typed. */
export function validationIssues(error: AymaraResponseValidationError): void {
  expectTypeOf(error.issues).toEqualTypeOf<readonly ValidationIssue[]>();
  expectTypeOf(error.issueCount).toEqualTypeOf<number>();
  expectTypeOf(error.toJSON()).toEqualTypeOf<Record<string, unknown>>();
}

/** The exported schemas work with zod's own functions, mini and classic, and compose into other schemas. */
export function schemasForZodUsers(data: unknown): void {
  const result = EvalScoredResponseSchema.safeParse(data);
  if (result.success) expectTypeOf(result.data.prompt_uuid).toEqualTypeOf<string>();
  expectTypeOf(z.parse(EvalRunSchema, data).status).toEqualTypeOf<string>();
  const mine = z.object({ page: EvalScoredResponsesPageSchema, tag: z.string() });
  expectTypeOf(z.parse(mine, data).page.items[0]?.turn_number).toEqualTypeOf<number | undefined>();
  const classic = zc.object({ responses: zc.array(EvalScoredResponseSchema) });
  expectTypeOf(classic.parse(data).responses[0]?.prompt_uuid).toEqualTypeOf<string | undefined>();
  const extended = z.extend(EvalScoredResponseSchema, { severity: z.string() });
  expectTypeOf(z.parse(extended, data).severity).toEqualTypeOf<string>();
  expectTypeOf<z.output<typeof ListResponsesParamsSchema>>().toEqualTypeOf<ListResponsesParams>();
}

/** The models show by name: a nested model's type is the named type, not an expanded structure. */
export function namedTypes(response: EvalScoredResponse): void {
  expectTypeOf(response.update_history).toEqualTypeOf<AnswerHistory[] | null | undefined>();
  expectTypeOf(response.manually_updated_by).toEqualTypeOf<UpdatedBy | null | undefined>();
}

// `Agrees` fails the type check when a model type and its schema drift apart. Each line below is a drift it catches.
const _S = z.looseObject({ a: z.string(), b: z.nullish(z.number()), n: z.looseObject({ c: z.string() }) });
type Out = z.output<typeof _S>;
export type _Agreeing = Assert<Agrees<Out, { a: string; b?: number | null | undefined; n: { c: string } }>>;
// @ts-expect-error a field the schema parses is missing from the type
export type _MissingField = Assert<Agrees<Out, { a: string; n: { c: string } }>>;
// @ts-expect-error a field of the type the schema does not parse
export type _ExtraField = Assert<Agrees<Out, { a: string; b?: number | null | undefined; n: { c: string }; x?: string }>>;
// @ts-expect-error optional in the schema, required in the type
export type _Required = Assert<Agrees<Out, { a: string; b: number | null; n: { c: string } }>>;
// @ts-expect-error nullable in the schema, not in the type
export type _NotNullable = Assert<Agrees<Out, { a: string; b?: number | undefined; n: { c: string } }>>;
// @ts-expect-error a wrong type
export type _WrongType = Assert<Agrees<Out, { a: number; b?: number | null | undefined; n: { c: string } }>>;
// @ts-expect-error a drift in a nested object
export type _NestedDrift = Assert<Agrees<Out, { a: string; b?: number | null | undefined; n: { c: string; d?: string } }>>;
