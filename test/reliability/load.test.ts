/**
 * Load: 200 concurrent calls against a loopback server that fails 20% of requests (503 or a reset).
 * Every call returns its own page or a typed error after its retries; none hangs.
 */
import { describe, expect, it } from 'vitest';
import { AymaraAI, AymaraError } from 'aymara-ai';
import { startFaultServer, within, type Fault } from '../helpers/fault-server.js';
import { attemptCounter, leaksKey, SECRET_KEY } from './support.js';

const CALLS = 200;
const FAILURE_RATE = 0.2;
/** Every call must have settled by then: three attempts with at most 1.5 s of backoff each leave plenty. */
const OVERALL_BOUND = 25_000;

/** A small seeded generator, so a failing run can be replayed with the seed it printed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('load', () => {
  it(`${CALLS} concurrent calls, ${FAILURE_RATE * 100}% of requests failing with 503 or a reset: each returns its page or a typed error`, async (ctx) => {
    const seed = Number(process.env.RELIABILITY_SEED ?? Date.now() % 1_000_000);
    const random = seeded(seed);
    let resets = 0;
    let unavailable = 0;
    const server = await startFaultServer({
      total: CALLS + 10,
      plan: (): Fault | undefined => {
        const roll = random();
        if (roll >= FAILURE_RATE) return undefined;
        if (roll < FAILURE_RATE / 2) {
          unavailable += 1;
          return { kind: 'status', status: 503, headers: { 'retry-after-ms': '5' }, body: '' };
        }
        resets += 1;
        // socket.destroy(): the connection drops with the request in flight.
        return { kind: 'close-before-headers' };
      },
    });
    const counter = attemptCounter();
    const client = new AymaraAI({ apiKey: SECRET_KEY, baseURL: server.url, logLevel: 'off', maxRetries: 2, timeout: 5_000, middleware: [counter.middleware] });
    ctx.onTestFinished(async () => {
      await client.close();
      await server.close();
    });

    const started = performance.now();
    const results = await within(
      Promise.allSettled(
        Array.from({ length: CALLS }, async (_, i) => {
          const page = await client.evals.runs.listResponses('run-1', { limit: 5, offset: i });
          return { i, ids: page.items.map((r) => r.prompt_uuid) };
        }),
      ),
      OVERALL_BOUND,
      `${CALLS} concurrent calls`,
    );
    const ms = Math.round(performance.now() - started);

    const failures = new Map<string, number>();
    let succeeded = 0;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') {
        succeeded += 1;
        // The right page, not a neighbour's.
        expect(result.value.ids).toEqual([0, 1, 2, 3, 4].map((k) => `p-${i + k}`));
        return;
      }
      const error = result.reason as Error;
      expect(error).toBeInstanceOf(AymaraError);
      expect(leaksKey(error)).toBe(false);
      failures.set(error.name, (failures.get(error.name) ?? 0) + 1);
    });

    const summary = {
      seed,
      calls: CALLS,
      succeeded,
      failedByClass: Object.fromEntries(failures),
      requestsServed: server.requests.length,
      attempts: counter.attempts,
      injected: { '503': unavailable, reset: resets },
      connections: server.connections,
      ms,
    };
    console.log(`LOAD ${JSON.stringify(summary)}`);

    expect(succeeded + [...failures.values()].reduce((a, b) => a + b, 0)).toBe(CALLS);
    // Every attempt reached the server (resets happen after the request is read), and no call made more than 3. A reset
    // on a kept-alive connection may also be sent again at once below the middleware (a replay, not an attempt).
    const replayed = server.requests.length - counter.attempts;
    expect(replayed).toBeGreaterThanOrEqual(0);
    expect(replayed).toBeLessThanOrEqual(resets);
    expect(counter.attempts).toBeLessThanOrEqual(3 * CALLS);
    // Each injected failure is retried (or replayed), except the last of a call that failed all 3 attempts.
    expect(counter.attempts).toBe(CALLS + unavailable + resets - replayed - failedCalls(failures));
    // A call fails only after 3 failed attempts: with 20% failures that is rare (expected 1.6 in 200).
    expect(succeeded).toBeGreaterThanOrEqual(CALLS - 15);
    for (const name of failures.keys()) expect(['ServiceUnavailableError', 'AymaraConnectionError']).toContain(name);
    // Connections follow the requests in flight (at most one per concurrent call), plus a new one after each reset.
    expect(server.connections).toBeLessThanOrEqual(CALLS + resets);
  });
});

function failedCalls(failures: Map<string, number>): number {
  let n = 0;
  for (const count of failures.values()) n += count;
  return n;
}
