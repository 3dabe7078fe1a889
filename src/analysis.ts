/**
 * aymara-ai/analysis: what a CI gate computes from scored responses, in code: totals and pass rates
 * (`summarizeResponses`, `SummaryBuilder`) and a candidate run against a baseline, prompt by prompt (`compareRuns`,
 * McNemar's exact test). An entry of its own, so an app that only reads the API never bundles it, CommonJS included.
 * @packageDocumentation
 */
export { summarizeResponses, SummaryBuilder, type Countable, type ResponsesSummary, type ResponseCounts } from './summary.js';
export { compareRuns, mcnemarExact, type RunComparison, type ComparedCase, type CaseOutcome, type ComparableResponse, type McNemarResult } from './compare.js';
