import type { APIClient } from '../../core/endpoint.js';
import { Runs } from './runs.js';

/** Evals: what they test, their prompts, and their runs. */
export class Evals {
  /** Eval runs: list an eval's runs, read a run, list its scored responses. */
  readonly runs: Runs;

  /** @internal */
  constructor(client: APIClient) {
    this.runs = new Runs(client);
  }
}
