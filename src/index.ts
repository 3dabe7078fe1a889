/**
 * aymara-ai: the TypeScript SDK for the Aymara AI evaluation API.
 * @packageDocumentation
 */
import { AymaraAI } from './client.js';

export { AymaraAI };
export default AymaraAI;
export type { ClientOptions, RequestOptions } from './core/config.js';
export type { AymaraRequest, AymaraResponse, Middleware, Next } from './core/pipeline.js';
export type { FetchLike } from './core/transport.js';
export type { Logger, LogLevel } from './core/log.js';
export { OffsetPage, PagePromise, type WithResponse } from './core/pagination.js';
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
  type EvalScoredResponsesPage,
  type NextPrompt,
  type FileReference,
  type ContentType,
  type ListResponsesParams,
} from './schemas/eval-scored-response.js';
export { ErrorEnvelopeSchema, KNOWN_ERROR_CODES, type ErrorEnvelope, type ErrorCode, type KnownErrorCode } from './schemas/error-envelope.js';
export { Evals } from './resources/evals/index.js';
export { Runs } from './resources/evals/runs.js';
export { VERSION } from './version.js';
export { summarizeResponses, SummaryBuilder, type ResponsesSummary, type ResponseCounts } from './summary.js';
