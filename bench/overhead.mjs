// Per-request overhead on loopback: one 100-item page through the SDK (awaited, fully validated) vs global
// fetch + res.json() (the transport the SDK sends with, so the difference is the SDK's own cost), openai-node's
// generic client.get() and a raw undici.request + JSON.parse of the same page, from the same server (a separate
// process). The four take turns (round-robin, the starting one rotating each round), one request in flight at a
// time; each request is timed with performance.now() and the medians are compared. Targets (bench/run.mjs): the
// SDK costs at most 1.3x the fetch + res.json() and less than openai-node; raw undici is shown as the floor.
import OpenAI from 'openai';
import { request } from 'undici';
import { AymaraAI } from 'aymara-ai';
import { API_KEY, QUICK, RUN_UUID, isMain, log, median, quantile, round, runMain, startServer } from './lib.mjs';

const WARMUP_ROUNDS = Number(process.env.BENCH_OVERHEAD_WARMUP ?? (QUICK ? 20 : 50));
const ROUNDS = Number(process.env.BENCH_OVERHEAD_ROUNDS ?? (QUICK ? 150 : 2000));
const LIMIT = 100;

/** The contenders: each fetches the first page of 100 and returns its items. */
function contenders(baseURL) {
  const path = `/v2/eval-runs/${RUN_UUID}/responses`;
  const url = `${baseURL}${path}?limit=${LIMIT}`;
  const headers = { accept: 'application/json', 'x-api-key': API_KEY };
  const sdk = new AymaraAI({ apiKey: API_KEY, baseURL });
  const openai = new OpenAI({ apiKey: 'x', baseURL });
  return {
    sdk: {
      label: 'aymara-ai listResponses (validated)',
      fetchPage: async () => (await sdk.evals.runs.listResponses(RUN_UUID, { limit: LIMIT })).items,
    },
    undici: {
      label: 'undici.request + JSON.parse',
      fetchPage: async () => {
        const { body } = await request(url, { headers });
        return JSON.parse(await body.text()).items;
      },
    },
    fetch: {
      label: 'global fetch + res.json()',
      fetchPage: async () => {
        const res = await fetch(url, { headers });
        return (await res.json()).items;
      },
    },
    openai: {
      label: 'openai-node client.get()',
      fetchPage: async () => (await openai.get(path, { query: { limit: LIMIT } })).items,
    },
    close: () => sdk.close(),
  };
}

export async function main() {
  const server = await startServer({ responses: 1000, pageSize: LIMIT });
  try {
    const { close, ...all } = contenders(server.url);
    const names = Object.keys(all);
    const times = Object.fromEntries(names.map((name) => [name, []]));

    // Every contender must really get the page.
    for (const name of names) {
      const items = await all[name].fetchPage();
      if (items?.length !== LIMIT) throw new Error(`${name}: expected ${LIMIT} items, got ${items?.length}`);
    }
    // The SDK fills documented defaults: proof that it validated (and did not just pass the JSON through).
    const [first] = await all.sdk.fetchPage();
    if (typeof first.turn_number !== 'number' || typeof first.content_type !== 'string') throw new Error('sdk: items do not look validated');

    log(`overhead: ${WARMUP_ROUNDS} warm-up rounds, then ${ROUNDS} measured rounds of ${names.join(', ')}`);
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length];
        const start = performance.now();
        await all[name].fetchPage();
        const elapsed = performance.now() - start;
        if (round >= WARMUP_ROUNDS) times[name].push(elapsed * 1000);
      }
    }
    await close();

    const stats = Object.fromEntries(
      names.map((name) => {
        const t = times[name];
        return [
          name,
          {
            label: all[name].label,
            medianUs: round(median(t), 1),
            p25Us: round(quantile(t, 0.25), 1),
            p75Us: round(quantile(t, 0.75), 1),
            p90Us: round(quantile(t, 0.9), 1),
            n: t.length,
          },
        ];
      }),
    );
    // Paired per-round ratios, as a cross-check of the ratio of medians (robust to drift on a noisy machine).
    const paired = (other) => round(median(times.sdk.map((t, i) => t / times[other][i])), 3);
    const ratio = (other) => round(stats.sdk.medianUs / stats[other].medianUs, 3);
    return {
      name: 'overhead',
      rounds: ROUNDS,
      warmupRounds: WARMUP_ROUNDS,
      pageItems: LIMIT,
      stats,
      ratios: {
        sdkVsUndici: ratio('undici'),
        sdkVsFetch: ratio('fetch'),
        sdkVsOpenai: ratio('openai'),
      },
      pairedRatios: {
        sdkVsUndici: paired('undici'),
        sdkVsFetch: paired('fetch'),
        sdkVsOpenai: paired('openai'),
      },
    };
  } finally {
    await server.close();
  }
}

if (isMain(import.meta.url)) runMain(main);
