/**
 * aymara-ai/testing: a mock Aymara API for your own tests, with no key and no network.
 * The msw handlers live in `aymara-ai/testing/msw`, so this entry does not need msw installed.
 * @packageDocumentation
 */
export { startMockServer, type MockServer, type MockServerOptions } from './server.js';
export { MockAymaraAPI, DEFAULT_LIMIT, MAX_LIMIT, type MockFault, type MockRequest, type MockAnswer } from './mock-api.js';
export { generateResponses, demoFixtures, DEMO_RUN_UUID, DEMO_WORKSPACE_UUID, type MockFixtures, type MockRun } from './fixtures.js';
