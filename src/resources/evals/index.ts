export { Evals } from './evals.js';
export { Runs, type EvalScoredResponsesPage } from './runs.js';
