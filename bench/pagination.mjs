// Auto-pagination: every response of a 10,000-response run at 100 per page, behind a fixed latency per request,
// with `for await` at pageConcurrency 1 (sequential), the default (4) and 8. The modes take turns (rotating
// order) for several repetitions; medians are compared with the ideal for N pages in flight:
// latency * (1 + ceil((pages - 1) / N)) (the first page alone, then waves of N).
import { createHash } from 'node:crypto';
import { AymaraAI } from 'aymara-ai';
import { API_KEY, QUICK, RUN_UUID, isMain, log, median, round, runMain, startServer } from './lib.mjs';

const RESPONSES = Number(process.env.BENCH_PAGINATION_RESPONSES ?? 10_000);
const PAGE_SIZE = 100;
const LATENCY_MS = Number(process.env.BENCH_PAGINATION_LATENCY ?? 25);
const REPETITIONS = Number(process.env.BENCH_PAGINATION_REPS ?? (QUICK ? 2 : 7));

const MODES = [
  { name: 'sequential', label: 'pageConcurrency 1 (sequential)', concurrency: 1, options: { pageConcurrency: 1 } },
  { name: 'default', label: 'default (4)', concurrency: 4, options: {} },
  { name: 'c8', label: 'pageConcurrency 8', concurrency: 8, options: { pageConcurrency: 8 } },
];

export function idealMs(pages, concurrency, latency = LATENCY_MS) {
  return latency * (1 + Math.ceil((pages - 1) / concurrency));
}

/** Iterates the whole run; returns the time, the item count and a digest of the order of the items. */
async function iterate(client) {
  const hash = createHash('sha1');
  let count = 0;
  const start = performance.now();
  for await (const response of client.evals.runs.listResponses(RUN_UUID, { limit: PAGE_SIZE })) {
    hash.update(response.prompt_uuid);
    count++;
  }
  return { ms: performance.now() - start, count, digest: hash.digest('hex') };
}

export async function main() {
  const server = await startServer({ responses: RESPONSES, pageSize: PAGE_SIZE, latency: LATENCY_MS });
  const clients = MODES.map((mode) => new AymaraAI({ apiKey: API_KEY, baseURL: server.url, ...mode.options }));
  try {
    const pages = Math.ceil(RESPONSES / PAGE_SIZE);
    const times = MODES.map(() => []);
    let reference;

    // Warm-up: a few pages per mode (JIT, connections), not timed.
    for (const client of clients) {
      let n = 0;
      for await (const _ of client.evals.runs.listResponses(RUN_UUID, { limit: PAGE_SIZE })) if (++n >= 10 * PAGE_SIZE) break;
    }

    log(`pagination: ${RESPONSES} responses, ${PAGE_SIZE} per page, ${LATENCY_MS} ms latency, ${REPETITIONS} repetitions`);
    for (let rep = 0; rep < REPETITIONS; rep++) {
      for (let i = 0; i < MODES.length; i++) {
        const m = (rep + i) % MODES.length;
        const run = await iterate(clients[m]);
        if (run.count !== RESPONSES) throw new Error(`${MODES[m].name}: expected ${RESPONSES} responses, got ${run.count}`);
        reference ??= run.digest;
        if (run.digest !== reference) throw new Error(`${MODES[m].name}: responses came in a different order`);
        times[m].push(run.ms);
        log(`  rep ${rep + 1} ${MODES[m].name.padEnd(10)} ${run.ms.toFixed(0)} ms`);
      }
    }

    const modes = Object.fromEntries(
      MODES.map((mode, m) => {
        const med = median(times[m]);
        const ideal = idealMs(pages, mode.concurrency);
        return [
          mode.name,
          {
            label: mode.label,
            concurrency: mode.concurrency,
            medianMs: round(med, 1),
            bestMs: round(Math.min(...times[m]), 1),
            runsMs: times[m].map((t) => round(t, 1)),
            idealMs: ideal,
            efficiency: round(ideal / med, 3),
          },
        ];
      }),
    );
    return {
      name: 'pagination',
      responses: RESPONSES,
      pageSize: PAGE_SIZE,
      pages,
      latencyMs: LATENCY_MS,
      repetitions: REPETITIONS,
      modes,
      speedup: {
        defaultVsSequential: round(modes.sequential.medianMs / modes.default.medianMs, 3),
        c8VsSequential: round(modes.sequential.medianMs / modes.c8.medianMs, 3),
        // Per repetition (the modes ran one after the other), a cross-check robust to bursts of load.
        pairedDefaultVsSequential: round(median(times[0].map((t, i) => t / times[1][i])), 3),
        idealDefaultVsSequential: round(modes.sequential.idealMs / modes.default.idealMs, 3),
      },
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
  }
}

if (isMain(import.meta.url)) runMain(main);
