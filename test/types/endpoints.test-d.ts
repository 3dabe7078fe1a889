// Type tests of the endpoints: each call's result is its model type by name, a list's items are its model, and an
// endpoint's result type follows from its response schema (a resource cannot promise a type its schema does not
// produce). Checked by `npm run typecheck`; nothing here runs.
import { expectTypeOf } from 'vitest';
import {
  AymaraAI,
  EvalRunSchema,
  EvalSchema,
  GetEvalParamsSchema,
  type Eval,
  type EvalPrompt,
  type EvalPromptsPage,
  type EvalRun,
  type EvalRunsPage,
  type ListPromptsParams,
  type ListRunsParams,
} from 'aymara-ai';
import { path, type APIClient } from '../../src/core/endpoint.js';
import type { APIPromise } from '../../src/core/api-promise.js';

declare const client: AymaraAI;

export async function endpoints(): Promise<void> {
  expectTypeOf(await client.evals.get('e')).toEqualTypeOf<Eval>();
  expectTypeOf(await client.evals.runs.list({ eval_uuid: 'e' })).toEqualTypeOf<EvalRunsPage>();
  expectTypeOf(await client.evals.listPrompts('e')).toEqualTypeOf<EvalPromptsPage>();
  for await (const run of client.evals.runs.list()) expectTypeOf(run).toEqualTypeOf<EvalRun>();
  for await (const prompt of client.evals.listPrompts('e')) {
    expectTypeOf(prompt).toEqualTypeOf<EvalPrompt>();
    expectTypeOf(prompt.category).toEqualTypeOf<string | null | undefined>();
    // @ts-expect-error `categroy` is not a field of EvalPrompt
    expectTypeOf(prompt.categroy).toBeUnknown();
  }
  // @ts-expect-error `evalUuid` is not a parameter of runs.list
  const misspelt: ListRunsParams = { evalUuid: 'e' };
  // @ts-expect-error prompts are listed by eval, not filtered by one
  const notAFilter: ListPromptsParams = { eval_uuid: 'e' };
  void misspelt;
  void notAFilter;
}

/** The result type follows from the response schema: a resource that promises another type does not compile. */
export function resultTypeFromSchema(api: APIClient): void {
  const ok: APIPromise<Eval> = api._request(
    { method: 'GET', path: path`/v2/evals/${{ eval_uuid: 'e' }}`, params: {}, paramsSchema: GetEvalParamsSchema, responseSchema: EvalSchema },
    undefined,
  );
  // @ts-expect-error the run schema does not produce an Eval
  const wrong: APIPromise<Eval> = api._request(
    { method: 'GET', path: path`/v2/eval-runs/${{ eval_run_uuid: 'r' }}`, params: {}, paramsSchema: GetEvalParamsSchema, responseSchema: EvalRunSchema },
    undefined,
  );
  void ok;
  void wrong;
}
