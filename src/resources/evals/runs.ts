import { path, type APIClient } from '../../core/endpoint.js';
import type { APIPromise } from '../../core/api-promise.js';
import type { RequestOptions } from '../../core/config.js';
import type { OffsetPage, PagePromise } from '../../core/pagination.js';
import {
  EvalRunSchema,
  EvalRunsPageSchema,
  GetRunParamsSchema,
  ListRunsParamsSchema,
  type EvalRun,
  type EvalRunsPageBody,
  type GetRunParams,
  type ListRunsParams,
} from '../../schemas/eval-run.js';
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

/**
 * One page of eval runs: what `await client.evals.runs.list()` gives. `items`, `count`, `body`, `hasNextPage()`,
 * `getNextPage()`; `for await` over it yields every run from this page on.
 */
export type EvalRunsPage = OffsetPage<EvalRun, EvalRunsPageBody>;

/** Eval runs: their status, and the scored answers of your AI system. */
export class Runs {
  readonly #client: APIClient;

  /** @internal */
  constructor(client: APIClient) {
    this.#client = client;
  }

  /**
   * Lists eval runs (`GET /v2/eval-runs`), all of them or one eval's (`eval_uuid`), in the API's order (which is not
   * documented: sort by `created_at` to find the latest).
   *
   * `await` it for one page; `for await` it for every run, in order; `.iterPages()` for page by page.
   *
   * @example
   * ```ts
   * // The latest finished run of an eval: a baseline for a CI gate.
   * let latest: EvalRun | undefined;
   * for await (const run of client.evals.runs.list({ eval_uuid: evalUUID })) {
   *   if (run.status === 'finished' && (!latest || run.created_at > latest.created_at)) latest = run;
   * }
   * ```
   * @throws AymaraInputError before sending when a parameter is invalid.
   */
  list(params?: ListRunsParams, options?: RequestOptions): PagePromise<EvalRunsPage> {
    return this.#client._requestPage(
      { method: 'GET', path: path`/v2/eval-runs`, params, paramsSchema: ListRunsParamsSchema, responseSchema: EvalRunsPageSchema },
      options,
    );
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
  listResponses(evalRunUUID: string, params?: ListResponsesParams, options?: RequestOptions): PagePromise<EvalScoredResponsesPage> {
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
