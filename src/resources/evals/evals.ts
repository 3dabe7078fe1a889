import type { APIPromise } from '../../core/api-promise.js';
import type { RequestOptions } from '../../core/config.js';
import { path, type APIClient } from '../../core/endpoint.js';
import type { OffsetPage, PagePromise } from '../../core/pagination.js';
import { EvalSchema, GetEvalParamsSchema, type Eval, type GetEvalParams } from '../../schemas/eval.js';
import {
  EvalPromptsPageSchema,
  ListPromptsParamsSchema,
  type EvalPrompt,
  type EvalPromptsPageBody,
  type ListPromptsParams,
} from '../../schemas/eval-prompt.js';
import { Runs } from './runs.js';

/**
 * One page of an eval's prompts: what `await client.evals.listPrompts(id)` gives. `items`, `count`, `body`,
 * `hasNextPage()`, `getNextPage()`; `for await` over it yields every prompt from this page on.
 */
export type EvalPromptsPage = OffsetPage<EvalPrompt, EvalPromptsPageBody>;

/** Evals: what they test, their prompts, and their runs. */
export class Evals {
  /** Eval runs: list an eval's runs, read a run, list its scored responses. */
  readonly runs: Runs;
  readonly #client: APIClient;

  /** @internal */
  constructor(client: APIClient) {
    this.#client = client;
    this.runs = new Runs(client);
  }

  /**
   * Reads one eval (`GET /v2/evals/{eval_uuid}`): its name, type, modality and what the AI under test was told, so a
   * report can name the eval rather than quote its UUID.
   *
   * @example
   * ```ts
   * const run = await client.evals.runs.get(runUUID);
   * const ev = await client.evals.get(run.eval_uuid);
   * console.log(`${ev.name ?? ev.eval_uuid} (${ev.eval_type}, ${ev.modality ?? 'text'})`);
   * ```
   * @throws AymaraInputError before sending when `evalUUID` or a parameter is invalid.
   */
  get(evalUUID: string, params?: GetEvalParams, options?: RequestOptions): APIPromise<Eval> {
    return this.#client._request(
      { method: 'GET', path: path`/v2/evals/${{ eval_uuid: evalUUID }}`, params, paramsSchema: GetEvalParamsSchema, responseSchema: EvalSchema },
      options,
    );
  }

  /**
   * Lists the prompts of an eval (`GET /v2/evals/{eval_uuid}/prompts`): each prompt's text and category. Join them
   * to a run's scored responses by `prompt_uuid` to show the question beside an answer, or a pass rate per category.
   *
   * `await` it for one page; `for await` it for every prompt, in order; `.iterPages()` for page by page.
   *
   * @example
   * ```ts
   * const categories = new Map<string, string | null | undefined>();
   * for await (const prompt of client.evals.listPrompts(evalUUID)) categories.set(prompt.prompt_uuid, prompt.category);
   * ```
   * @throws AymaraInputError before sending when `evalUUID` or a parameter is invalid.
   */
  listPrompts(evalUUID: string, params?: ListPromptsParams, options?: RequestOptions): PagePromise<EvalPromptsPage> {
    return this.#client._requestPage(
      {
        method: 'GET',
        path: path`/v2/evals/${{ eval_uuid: evalUUID }}/prompts`,
        params,
        paramsSchema: ListPromptsParamsSchema,
        responseSchema: EvalPromptsPageSchema,
      },
      options,
    );
  }
}
