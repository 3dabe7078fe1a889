import { path, type APIClient } from '../../core/endpoint.js';
import type { APIPromise } from '../../core/api-promise.js';
import type { RequestOptions } from '../../core/config.js';
import type { OffsetPage, PagePromise } from '../../core/pagination.js';
import { EvalRunSchema, GetRunParamsSchema, type EvalRun, type GetRunParams } from '../../schemas/eval-run.js';
import {
  EvalScoredResponsesPageSchema,
  ListResponsesParamsSchema,
  type EvalScoredResponse,
  type EvalScoredResponsesPageBody,
  type ListResponsesParams,
} from '../../schemas/eval-scored-response.js';

/**
 * One page of an eval run's responses: what `await client.evals.runs.listResponses(id)` gives.
 * `items`, `count`, `body` (the whole parsed body), `hasNextPage()`, `getNextPage()`; `for await` over it
 * yields every response from this page on.
 */
export type EvalScoredResponsesPage = OffsetPage<EvalScoredResponse, EvalScoredResponsesPageBody>;

/** Eval runs: their status, and the scored answers of your AI system. */
export class Runs {
  readonly #client: APIClient;

  /** @internal */
  constructor(client: APIClient) {
    this.#client = client;
  }

  /**
   * Reads one eval run (`GET /v2/eval-runs/{eval_run_uuid}`): its status and, once scoring is done, its totals.
   * A run's responses are final only when `status` is `'finished'`.
   *
   * @example
   * ```ts
   * const run = await client.evals.runs.get('run-uuid');
   * if (run.status !== 'finished') console.log(`${run.status}: ${run.num_responses_scored} of ${run.num_prompts} scored`);
   * ```
   * @throws AymaraInputError before sending when `evalRunUUID` or a parameter is invalid.
   */
  get(evalRunUUID: string, params?: GetRunParams, options?: RequestOptions): APIPromise<EvalRun> {
    return this.#client._request(
      {
        method: 'GET',
        path: path`/v2/eval-runs/${{ eval_run_uuid: evalRunUUID }}`,
        params,
        paramsSchema: GetRunParamsSchema,
        responseSchema: EvalRunSchema,
      },
      options,
    );
  }

  /**
   * Lists the scored responses of an eval run (`GET /v2/eval-runs/{eval_run_uuid}/responses`).
   *
   * `await` it for one page; `for await` it for every response of the run, in order; `.iterPages()` for page by page.
   *
   * @example
   * ```ts
   * const page = await client.evals.runs.listResponses('run-uuid', { limit: 50 });
   * for await (const response of client.evals.runs.listResponses('run-uuid')) {
   *   if (response.is_passed === false) console.log(response.prompt_uuid, response.explanation);
   * }
   * ```
   * @throws AymaraInputError before sending when `evalRunUUID` or a parameter is invalid.
   */
  listResponses(evalRunUUID: string, params?: ListResponsesParams, options?: RequestOptions): PagePromise<EvalScoredResponse, EvalScoredResponsesPageBody> {
    return this.#client._requestPage(
      {
        method: 'GET',
        path: path`/v2/eval-runs/${{ eval_run_uuid: evalRunUUID }}/responses`,
        params,
        paramsSchema: ListResponsesParamsSchema,
        responseSchema: EvalScoredResponsesPageSchema,
      },
      options,
    );
  }
}
