export { Evals, type EvalPromptsPage } from './evals.js';
export { Runs, type EvalRunsPage, type EvalScoredResponsesPage } from './runs.js';
