import type { APIPromise } from '../../core/api-promise.js';
import type { RequestOptions } from '../../core/config.js';
import { path, type APIClient } from '../../core/endpoint.js';
import { EvalSchema, GetEvalParamsSchema, type Eval, type GetEvalParams } from '../../schemas/eval.js';
import { Runs } from './runs.js';

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
}
