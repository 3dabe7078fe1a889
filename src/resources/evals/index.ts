import type { APIClient } from '../../core/api-client.js';
import { Runs } from './runs.js';

/** Evals and their runs. */
export class Evals {
  /** Eval runs: read a run, list its scored responses. */
  readonly runs: Runs;

  /** @internal */
  constructor(client: APIClient) {
    this.runs = new Runs(client);
  }
}
