// Memory while iterating a 200,000-response run (limit 100, default pageConcurrency) with `for await`.
//
// "Flat" is the target: memory must not grow with the run. So the measured growth is the peak RSS during
// the 200,000-response run over the peak RSS reached while iterating a 100,000-response warm-up with the same
// client, as in a service that has been running for a while: a client that kept anything per response would
// grow by far more than 64 MB here. In a fresh process V8 first sizes its young generation to the allocation
// rate, which alone grows RSS by ~125 MB on this machine for any client (a bare undici.request loop too); a
// 20,000-response warm-up is not enough for that to settle, 100,000 is. The heap after gc, before and after,
// shows what is retained; a bare undici loop and a fixed young generation are measured beside it.
//
// Each measurement runs in a fresh child process started with --expose-gc, against one page server:
// - sdk:    the SDK's `for await` (the target: RSS growth < 64 MB);
// - undici: a bare undici.request + JSON.parse loop over the same pages, one at a time: the floor any client
//           pays on this machine, mostly V8 growing its young generation under a high allocation rate;
// - both again with --max-semi-space-size=16 (a fixed young generation), to show what is left once V8's
//   young-generation sizing, which depends on the machine's memory, is taken out.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { AymaraAI } from 'aymara-ai';
import { API_KEY, QUICK, RUN_UUID, isMain, log, round, runMain, startServer } from './lib.mjs';

const RESPONSES = Number(process.env.BENCH_MEMORY_RESPONSES ?? (QUICK ? 50_000 : 200_000));
const PAGE_SIZE = 100;
const WARMUP_PAGES = Number(process.env.BENCH_MEMORY_WARMUP_PAGES ?? (QUICK ? 200 : 1000));
const SAMPLE_EVERY_MS = 2;
const MB = 1024 * 1024;

const CONFIGS = [
  { name: 'sdk', client: 'sdk', flags: [] },
  { name: 'undici', client: 'undici', flags: [] },
  { name: 'sdkSemi16', client: 'sdk', flags: ['--max-semi-space-size=16'] },
  { name: 'undiciSemi16', client: 'undici', flags: ['--max-semi-space-size=16'] },
];

/** Every response of the run, one after the other, from the client under test. */
function responses(kind, baseURL, client) {
  if (kind === 'sdk') return client.evals.runs.listResponses(RUN_UUID, { limit: PAGE_SIZE });
  return (async function* () {
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const { body } = await request(`${baseURL}/v2/eval-runs/${RUN_UUID}/responses?limit=${PAGE_SIZE}&offset=${offset}`, {
        headers: { 'x-api-key': API_KEY },
      });
      const page = JSON.parse(await body.text());
      yield* page.items;
      if (page.items.length === 0 || offset + page.items.length >= page.count) return;
    }
  })();
}

function collect() {
  globalThis.gc();
  globalThis.gc();
}

/** In the child: one measurement. */
async function measure(kind, baseURL) {
  const client = kind === 'sdk' ? new AymaraAI({ apiKey: API_KEY, baseURL }) : undefined;
  try {
    // Warm-up: the code paths, the connection pool and the JIT, before the baseline.
    let n = 0;
    let warmPeakRss = 0;
    const warmSampler = setInterval(() => {
      warmPeakRss = Math.max(warmPeakRss, process.memoryUsage().rss);
    }, SAMPLE_EVERY_MS);
    for await (const _ of responses(kind, baseURL, client)) if (++n >= WARMUP_PAGES * PAGE_SIZE) break;
    clearInterval(warmSampler);
    warmPeakRss = Math.max(warmPeakRss, process.memoryUsage().rss);

    collect();
    const before = process.memoryUsage();
    const maxRSSBefore = process.resourceUsage().maxRSS * 1024;
    let peakRss = before.rss;
    let peakHeapUsed = before.heapUsed;
    let samples = 0;
    const sampler = setInterval(() => {
      const usage = process.memoryUsage();
      if (usage.rss > peakRss) peakRss = usage.rss;
      if (usage.heapUsed > peakHeapUsed) peakHeapUsed = usage.heapUsed;
      samples++;
    }, SAMPLE_EVERY_MS);

    let count = 0;
    let passed = 0;
    const start = performance.now();
    for await (const response of responses(kind, baseURL, client)) {
      count++;
      if (response.is_passed === true) passed++;
    }
    const elapsedMs = performance.now() - start;
    clearInterval(sampler);
    if (count !== RESPONSES) throw new Error(`${kind}: expected ${RESPONSES} responses, got ${count}`);

    // maxRSS is the peak of the whole process: it says something about the run only if it rose during it.
    const maxRSSAfter = process.resourceUsage().maxRSS * 1024;
    if (maxRSSAfter > maxRSSBefore && maxRSSAfter > peakRss) peakRss = maxRSSAfter;

    collect();
    const after = process.memoryUsage();
    return {
      client: kind,
      elapsedMs: round(elapsedMs, 0),
      responsesPerSecond: Math.round(RESPONSES / (elapsedMs / 1000)),
      passed,
      samples,
      baselineRssMB: round(before.rss / MB, 1),
      peakRssMB: round(peakRss / MB, 1),
      warmupResponses: WARMUP_PAGES * PAGE_SIZE,
      warmupPeakRssMB: round(warmPeakRss / MB, 1),
      rssGrowthMB: round(Math.max(0, peakRss - warmPeakRss) / MB, 1),
      rssGrowthOverIdleMB: round((peakRss - before.rss) / MB, 1),
      heapUsedBeforeMB: round(before.heapUsed / MB, 2),
      heapUsedAfterMB: round(after.heapUsed / MB, 2),
      heapGrowthMB: round((after.heapUsed - before.heapUsed) / MB, 2),
      peakHeapGrowthMB: round((peakHeapUsed - before.heapUsed) / MB, 1),
    };
  } finally {
    await client?.close();
  }
}

/** In the parent: runs one measurement in a fresh `node --expose-gc` child and returns its JSON. */
function child(config, baseURL) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', ...config.flags, fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_MEMORY_CHILD: config.client, BENCH_MEMORY_URL: baseURL },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`memory child ${config.name} exited with code ${code}`));
      resolve({ ...JSON.parse(out.trim().split('\n').pop()), flags: ['--expose-gc', ...config.flags] });
    });
  });
}

export async function main() {
  const server = await startServer({ responses: RESPONSES, pageSize: PAGE_SIZE });
  try {
    log(`memory: ${RESPONSES} responses, ${PAGE_SIZE} per page, each client in a fresh node --expose-gc`);
    const runs = {};
    for (const config of CONFIGS) {
      runs[config.name] = await child(config, server.url);
      const r = runs[config.name];
      log(
        `  ${config.name.padEnd(13)} RSS +${r.rssGrowthMB} MB over the warm-up's peak, +${r.rssGrowthOverIdleMB} MB over an idle heap (peak heap +${r.peakHeapGrowthMB} MB, after gc ${r.heapGrowthMB >= 0 ? '+' : ''}${r.heapGrowthMB} MB) in ${r.elapsedMs} ms`,
      );
    }
    return { name: 'memory', responses: RESPONSES, pageSize: PAGE_SIZE, ...runs.sdk, runs };
  } finally {
    await server.close();
  }
}

if (isMain(import.meta.url)) {
  const kind = process.env.BENCH_MEMORY_CHILD;
  if (kind) {
    if (typeof globalThis.gc !== 'function') throw new Error('the memory child needs node --expose-gc');
    runMain(() => measure(kind, process.env.BENCH_MEMORY_URL));
  } else runMain(main);
}
