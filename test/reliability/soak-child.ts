/**
 * The client side of the soak test, run in its own process (`node --expose-gc --import tsx`) so that the
 * heap it measures is the SDK's alone and a forced GC makes the figures stable.
 *
 * Usage: soak-child.ts <baseURL> <requests>. Then a fifth as many calls to `run-fail`, which the server
 * answers with 503 (the error path, retried once). Prints one line `SOAK {json}`, closes the client and then
 * exits by itself: a timer, socket or listener left behind would keep it alive. It reports what is still active
 * after close(), so the parent can tell without waiting on a clock.
 */
import { getEventListeners } from 'node:events';
import { AymaraAI } from '../../src/index.js';

const [baseURL, requestsArg] = process.argv.slice(2);
const REQUESTS = Number(requestsArg ?? 10_000);
const WINDOW = 1_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!baseURL || !gc) throw new Error('usage: node --expose-gc --import tsx soak-child.ts <baseURL> <requests>');

const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));

function heapAfterGC(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const client = new AymaraAI({ apiKey: 'sk-soak-0b1c2d3e4f', baseURL, logLevel: 'off' });
// One long-lived signal for every call, as an app with a shutdown signal would pass: each call must remove its listeners.
const shutdown = new AbortController();
const samples: { after: number; heapUsed: number }[] = [];
const started = performance.now();
let items = 0;
for (let i = 1; i <= REQUESTS; i++) {
  const page = await client.evals.runs.listResponses('run-1', { limit: 10 }, { signal: shutdown.signal });
  items += page.items.length;
  if (i % WINDOW === 0) samples.push({ after: i, heapUsed: heapAfterGC() });
}
const ms = Math.round(performance.now() - started);

// The error path: calls that end in a retried 503 (retry-after-ms 0) must leave nothing behind either.
const FAILING = Math.round(REQUESTS / 5);
const failing = new AymaraAI({ apiKey: 'sk-soak-0b1c2d3e4f', baseURL, logLevel: 'off', maxRetries: 1 });
const heapBeforeErrors = heapAfterGC();
let errors = 0;
for (let i = 1; i <= FAILING; i++) {
  try {
    await failing.evals.runs.listResponses('run-fail', undefined, { signal: shutdown.signal });
  } catch (error) {
    if ((error as Error).name === 'ServiceUnavailableError') errors += 1;
  }
}
const heapAfterErrors = heapAfterGC();
const listeners = getEventListeners(shutdown.signal, 'abort').length;
await failing.close();
await client.close();
// What still keeps the event loop alive a turn after close(): only stdout and stderr should.
await new Promise<void>((resolve) => setImmediate(resolve));
const activeResourcesAfterClose = process.getActiveResourcesInfo();

const first = samples[0]?.heapUsed ?? 0;
const last = samples.at(-1)?.heapUsed ?? 0;
console.log(
  `SOAK ${JSON.stringify({
    requests: REQUESTS,
    items,
    ms,
    perRequestUs: Math.round((ms * 1000) / REQUESTS),
    heapAfterFirstWindowMB: +(first / 2 ** 20).toFixed(2),
    heapAfterLastWindowMB: +(last / 2 ** 20).toFixed(2),
    heapGrowthMB: +((last - first) / 2 ** 20).toFixed(2),
    heapMaxMB: +(Math.max(...samples.map((s) => s.heapUsed)) / 2 ** 20).toFixed(2),
    failingCalls: FAILING,
    typedErrors: errors,
    heapGrowthOverFailingCallsMB: +((heapAfterErrors - heapBeforeErrors) / 2 ** 20).toFixed(2),
    abortListenersLeft: listeners,
    activeResourcesAfterClose,
    warnings,
  })}`,
);
