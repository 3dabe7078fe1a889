/**
 * aymara-ai: the TypeScript SDK for the Aymara AI evaluation API.
 * @packageDocumentation
 */
import { AymaraAI } from './client.js';

export { AymaraAI };
export default AymaraAI;
export type { ClientOptions, RequestOptions, QueryValue } from './core/config.js';
export type { AymaraRequest, AymaraResponse, Middleware, Next } from './core/pipeline.js';
export type { FetchLike } from './core/types.js';
export type { Logger, LogLevel } from './core/log.js';
export { APIPromise, type WithResponse } from './core/api-promise.js';
export { OffsetPage, PagePromise, type AnyPage, type ItemOf, type OffsetPageBody } from './core/pagination.js';
export {
  AymaraError,
  AymaraInputError,
  AymaraConnectionError,
  AymaraTimeoutError,
  AymaraAbortError,
  AymaraResponseValidationError,
  AymaraAPIError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  ServiceUnavailableError,
} from './core/errors.js';
export {
  EvalScoredResponseSchema,
  EvalScoredResponsesPageSchema,
  NextPromptSchema,
  FileReferenceSchema,
  ListResponsesParamsSchema,
  type EvalScoredResponse,
  type NextPrompt,
  type FileReference,
  type ContentType,
  type ListResponsesParams,
} from './schemas/eval-scored-response.js';
export {
  EvalRunSchema,
  EvalRunExampleSchema,
  EvalRunsPageSchema,
  GetRunParamsSchema,
  ListRunsParamsSchema,
  type EvalRun,
  type EvalRunExample,
  type EvalRunsPageBody,
  type GetRunParams,
  type ListRunsParams,
} from './schemas/eval-run.js';
export type { EvalRunStatus } from './schemas/status.js';
export {
  AgentInstructionsSchema,
  EvalSchema,
  GetEvalParamsSchema,
  PromptExampleSchema,
  WorkflowInstructionsSchema,
  type AgentInstructions,
  type Eval,
  type GetEvalParams,
  type PromptExample,
  type WorkflowInstructions,
} from './schemas/eval.js';
export { ErrorEnvelopeSchema, KNOWN_ERROR_CODES, type ErrorEnvelope, type ErrorCode, type KnownErrorCode } from './core/error-envelope.js';
export { Evals, Runs, type EvalPromptsPage, type EvalRunsPage, type EvalScoredResponsesPage } from './resources/evals/index.js';
export {
  EvalPromptSchema,
  EvalPromptsPageSchema,
  ListPromptsParamsSchema,
  type EvalPrompt,
  type EvalPromptsPageBody,
  type ListPromptsParams,
} from './schemas/eval-prompt.js';
export { VERSION } from './version.js';
export {
  AnswerHistorySchema,
  UpdatedBySchema,
  type AnswerHistory,
  type EvalScoredResponsesPageBody,
  type UpdatedBy,
  type UpdatedByFeatureFlags,
  type UpdatedByOrganization,
  type UpdatedByWorkspace,
} from './schemas/eval-scored-response.js';
export type { APIErrorInit, HeadersLike, ValidationIssue } from './core/errors.js';
