/**
 * An AWS Lambda handler (API Gateway proxy event) that summarizes an eval run:
 * GET /eval-runs/{evalRunUUID}/summary?workspace_uuid=...
 *
 * One client per container, created on the first invocation and reused by every later one (its keep-alive
 * connections too). Nothing else lives at module scope, so no state leaks between invocations.
 *
 *   AYMARA_AI_API_KEY=... npx tsx examples/serverless-handler.ts <eval_run_uuid>   # one local invocation
 */
import { AymaraAbortError, AymaraAI, AymaraAPIError, AymaraError, AymaraInputError, AymaraTimeoutError } from 'aymara-ai';
import { summarizeResponses } from 'aymara-ai/analysis';

/** The parts of an API Gateway proxy event this handler reads. */
export interface SummaryEvent {
  pathParameters?: { evalRunUUID?: string } | null;
  queryStringParameters?: { workspace_uuid?: string } | null;
}

/** The parts of the Lambda context it reads. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** What API Gateway turns into the HTTP response. */
export interface HandlerResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

// The only module-level state: the client, created lazily so that a cold start that fails early pays nothing.
let cachedClient: AymaraAI | undefined;

/** The container's client (AYMARA_AI_API_KEY, AYMARA_AI_BASE_URL). */
export function getClient(): AymaraAI {
  cachedClient ??= new AymaraAI({ timeout: 10_000, maxRetries: 2 });
  return cachedClient;
}

const reply = (statusCode: number, body: unknown): HandlerResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * An SDK error as this function's answer: the caller's mistakes (a bad or unknown run, too many requests) keep
 * their status; the rest is upstream trouble, ours to fix (a 401 means our key is wrong): 502, or 504 when slow.
 */
function errorReply(error: AymaraError): HandlerResult {
  if (error instanceof AymaraAPIError) {
    const statusCode = [400, 404, 422, 429].includes(error.status) ? error.status : 502;
    return reply(statusCode, { error: { message: error.message, code: error.code, requestId: error.requestId } });
  }
  if (error instanceof AymaraInputError) return reply(400, { error: { message: error.message } });
  if (error instanceof AymaraTimeoutError || error instanceof AymaraAbortError)
    return reply(504, { error: { message: 'The Aymara API did not answer in time' } });
  return reply(502, { error: { message: error.message } }); // connection refused, a body that failed validation...
}

export const handler = async (event: SummaryEvent, context?: LambdaContext): Promise<HandlerResult> => {
  const evalRunUUID = event.pathParameters?.evalRunUUID;
  if (!evalRunUUID) return reply(400, { error: { message: 'missing path parameter evalRunUUID' } });
  const workspace_uuid = event.queryStringParameters?.workspace_uuid;
  // Stop a second before Lambda would kill the invocation, so the caller gets an answer.
  const signal = context ? AbortSignal.timeout(Math.max(1, context.getRemainingTimeInMillis() - 1_000)) : undefined;
  const client = getClient(); // a missing key throws here: a configuration bug, for Lambda to log
  try {
    const summary = await summarizeResponses(client.evals.runs.listResponses(evalRunUUID, { workspace_uuid }, { signal }));
    return reply(200, { evalRunUUID, ...summary });
  } catch (error) {
    if (error instanceof AymaraError) return errorReply(error);
    throw error; // a bug: let Lambda log it
  }
};

// `npx tsx examples/serverless-handler.ts <eval_run_uuid>`: one invocation, printed.
if (import.meta.main) {
  const result = await handler({ pathParameters: { evalRunUUID: process.argv[2] ?? process.env.AYMARA_AI_EVAL_RUN_UUID } });
  console.log(result.statusCode, result.body);
  await getClient().close();
}
