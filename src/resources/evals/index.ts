import type { APIClient } from '../../core/api-client.js';
import { Runs } from './runs.js';

/** Evals and their runs. */
export class Evals {
  /** Eval runs: list the scored responses of a run. */
  readonly runs: Runs;

  /** @internal */
  constructor(client: APIClient) {
    this.runs = new Runs(client);
  }
}
