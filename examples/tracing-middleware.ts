/**
 * A custom middleware that propagates W3C trace context: every attempt carries a `traceparent` header with the
 * trace id of the operation it belongs to and a new span id of its own, so retries show up as sibling spans
 * of one trace. It also logs each attempt.
 *
 *   AYMARA_AI_API_KEY=... npx tsx examples/tracing-middleware.ts <eval_run_uuid>
 *
 * With OpenTelemetry, take the trace id from the active span instead of the AsyncLocalStorage below.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { AymaraAI, type Middleware } from 'aymara-ai';

/** The current operation's trace: what your framework or tracer keeps for the request being served. */
const traceContext = new AsyncLocalStorage<{ traceId: string }>();

/** Runs `operation` in a new trace (or in `traceId`'s, to continue one that came in). */
function traced<T>(operation: () => Promise<T>, traceId = randomBytes(16).toString('hex')): Promise<T> {
  return traceContext.run({ traceId }, operation);
}

/** User middleware runs once per attempt (inside the retry layer), so each attempt gets its own span. */
const tracing: Middleware = async (request, next) => {
  // Outside any trace, each attempt starts its own.
  const traceId = traceContext.getStore()?.traceId ?? randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const started = performance.now();
  const path = new URL(request.url).pathname;
  try {
    const response = await next({ ...request, headers: { ...request.headers, traceparent: `00-${traceId}-${spanId}-01` } });
    console.log(
      `trace=${traceId} span=${spanId} attempt=${request.attempt} ${request.method} ${path} -> ${response.status} in ${Math.round(performance.now() - started)} ms`,
    );
    return response;
  } catch (error) {
    console.log(`trace=${traceId} span=${spanId} attempt=${request.attempt} ${request.method} ${path} -> ${error instanceof Error ? error.name : 'error'}`);
    throw error;
  }
};

const evalRunUUID = process.argv[2] ?? process.env.AYMARA_AI_EVAL_RUN_UUID;
if (!evalRunUUID) {
  console.error('usage: tracing-middleware.ts <eval_run_uuid>');
  process.exit(2);
}

await using client = new AymaraAI({ middleware: [tracing] });
// Await inside the traced operation: an SDK call is sent when it is awaited, in the awaiting code's context.
const page = await traced(async () => await client.evals.runs.listResponses(evalRunUUID, { limit: 5 }));
console.log(`${page.items.length} of ${page.count} responses`);
