import type { APIClient } from '../../core/api-client.js';
import type { RequestOptions } from '../../core/config.js';
import type { PagePromise } from '../../core/pagination.js';
import {
  EvalScoredResponsesPageSchema,
  ListResponsesParamsSchema,
  type EvalScoredResponse,
  type ListResponsesParams,
} from '../../schemas/eval-scored-response.js';

/** Eval runs: the scored answers of your AI system. */
export class Runs {
  readonly #client: APIClient;

  /** @internal */
  constructor(client: APIClient) {
    this.#client = client;
  }

  /**
   * Lists the scored responses of an eval run (`GET /v2/eval-runs/{eval_run_uuid}/responses`).
   *
   * `await` it for one page; `for await` it for every response of the run, in order.
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
  listResponses(evalRunUUID: string, params?: ListResponsesParams, options?: RequestOptions): PagePromise<EvalScoredResponse> {
    return this.#client._listOffsetPage(
      {
        path: '/v2/eval-runs/{eval_run_uuid}/responses',
        pathParams: { eval_run_uuid: evalRunUUID },
        params,
        paramsSchema: ListResponsesParamsSchema,
        pageSchema: EvalScoredResponsesPageSchema,
      },
      options,
    );
  }
}
