/**
 * aymara-ai/testing: a mock Aymara API for your own tests, with no key and no network.
 *
 * - `startMockServer()`: a real loopback HTTP server, the whole HTTP stack with no mocking library.
 * - `mockAymaraHandlers()` in `aymara-ai/testing/msw`: the same API as msw handlers, which serve a default client.
 *   It lives in its own entry, so this one does not need msw installed.
 *
 * Both serve fixtures (`{ apiKey, evals?: { [eval_uuid]: { prompts, ... } }, runs: { [eval_run_uuid]: { eval_uuid?,
 * workspace_uuid?, responses, ... } } }`), record the requests they receive (`api.requests`) and take injected
 * faults (`api.inject({ status, latencyMs, reset, ... })`).
 * @packageDocumentation
 */
export { startMockServer, type MockServer, type MockServerOptions } from './server.js';
export {
  MockAymaraAPI,
  DEFAULT_LIMIT,
  MAX_LIMIT,
  type MockAymaraAPIOptions,
  type MockFault,
  type MockFaultMatch,
  type MockRequest,
  type MockAnswer,
  type MockOutcome,
  type MockRouteName,
} from './mock-api.js';
export {
  generateResponses,
  generatePrompts,
  generateResponsesFor,
  demoFixtures,
  validateFixtures,
  DEMO_EVAL_UUID,
  DEMO_RUN_UUID,
  DEMO_WORKSPACE_UUID,
  type MockFixtures,
  type MockRun,
  type MockEval,
  type MockPrompt,
} from './fixtures.js';
