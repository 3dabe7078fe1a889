// Runs the benches (each in its own process, against its own page server process), prints the real-network
// tables first, then one table with the medians and the targets, and writes the same as JSON to
// bench/results/latest.json.
//
//   npm run bench                      # builds dist/, then everything (a few minutes)
//   BENCH_QUICK=1 npm run bench        # a fast smoke run: fewer rounds, a smaller memory run
//   node bench/run.mjs overhead memory # only some benches (dist/ must be built)
//   BENCH_NETWORK_TARBALL=x.tgz node bench/run.mjs network   # the real-network bench on another version
//   BENCH_STRICT=1 npm run bench       # exit 1 on a missed target too, not only on a failure
//
// Exit code: 1 when a bench failed (crashed, or a bundle did not run); with BENCH_STRICT=1 also on a MISS.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { QUICK } from './lib.mjs';
import { networkTable } from './network/report.mjs';

const BENCHES = ['network', 'overhead', 'pagination', 'memory', 'cold-start'];
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

const TARGETS = {
  overheadVsFetch: 1.3,
  paginationSpeedup: 3.5,
  rssGrowthMB: 64,
  coldStartVsOpenai: 1.25,
  bundleKB: 60,
  coldImportVsOpenai: 0.5,
};

/** Runs bench/<name>.mjs in a child process; its last stdout line is its JSON result. */
function runBench(name) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [fileURLToPath(new URL(`./${name}.mjs`, import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => {
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      let result;
      try {
        result = JSON.parse(out.trim().split('\n').pop());
      } catch {
        result = undefined;
      }
      if (!result) result = { name, error: `bench/${name}.mjs exited with code ${code} and no result (see its output above)` };
      else if (code !== 0 && !result.error) result.error = `bench/${name}.mjs exited with code ${code}`;
      result.seconds = seconds;
      resolve(result);
    });
  });
}

const fmt = {
  us: (v) => `${v.toFixed(0)} us`,
  ms: (v) => `${v.toFixed(v < 100 ? 1 : 0)} ms`,
  mb: (v) => `${v.toFixed(1)} MB`,
  x: (v) => `${v.toFixed(2)}x`,
  bytes: (v) => `${(v / 1024).toFixed(0)} KiB`,
};

/** The table: one row per measurement; rows with a target carry PASS / MISS (or FAIL when it could not be measured). */
function buildRows(results) {
  const rows = [];
  const info = (bench, what, value) => rows.push({ bench, what, value, target: '', status: '' });
  const check = (bench, what, value, target, pass) => rows.push({ bench, what, value, target, status: pass === undefined ? 'FAIL' : pass ? 'PASS' : 'MISS' });
  const failed = (bench, what, target, error) => rows.push({ bench, what, value: 'ERROR', target, status: 'FAIL', error });

  const n = results.network;
  if (n?.checks) {
    for (const scenario of ['listing', 'cpu', 'cold'])
      for (const c of n.checks.filter((x) => x.scenario === scenario)) check('network', c.what, c.value, c.target, c.pass);
  } else if (n) failed('network', 'real network: SDK vs fetch loop and ideal; one cold page', 'see bench/network.mjs', n.error);

  const o = results.overhead;
  if (o?.stats) {
    for (const s of Object.values(o.stats))
      info('overhead', `${s.label}, 1 page of 100`, `${fmt.us(s.medianUs)} (p25 ${s.p25Us.toFixed(0)}, p75 ${s.p75Us.toFixed(0)})`);
    check(
      'overhead',
      'SDK / global fetch + res.json()',
      `${fmt.x(o.ratios.sdkVsFetch)} (paired ${fmt.x(o.pairedRatios.sdkVsFetch)})`,
      `<= ${fmt.x(TARGETS.overheadVsFetch)}`,
      o.ratios.sdkVsFetch <= TARGETS.overheadVsFetch,
    );
    check(
      'overhead',
      'SDK / openai-node client.get()',
      `${fmt.x(o.ratios.sdkVsOpenai)} (paired ${fmt.x(o.pairedRatios.sdkVsOpenai)})`,
      '< 1.00x',
      o.ratios.sdkVsOpenai < 1,
    );
    info('overhead', 'SDK / raw undici.request + JSON.parse', `${fmt.x(o.ratios.sdkVsUndici)} (paired ${fmt.x(o.pairedRatios.sdkVsUndici)})`);
  } else if (o) failed('overhead', 'SDK vs fetch, openai-node', `<= ${fmt.x(TARGETS.overheadVsFetch)}`, o.error);

  const p = results.pagination;
  if (p?.modes) {
    info('pagination', 'for await over a whole run', `${p.responses} responses, ${p.pageSize}/page, ${p.latencyMs} ms latency`);
    for (const m of Object.values(p.modes)) info('pagination', m.label, `${fmt.ms(m.medianMs)} (best ${fmt.ms(m.bestMs)}, ideal ${fmt.ms(m.idealMs)})`);
    check(
      'pagination',
      'speedup: default (4) vs sequential',
      `${fmt.x(p.speedup.defaultVsSequential)} (paired ${fmt.x(p.speedup.pairedDefaultVsSequential)}, ideal ${fmt.x(p.speedup.idealDefaultVsSequential)})`,
      `>= ${fmt.x(TARGETS.paginationSpeedup)}`,
      p.speedup.defaultVsSequential >= TARGETS.paginationSpeedup,
    );
    info('pagination', 'speedup: pageConcurrency 8 vs sequential', fmt.x(p.speedup.c8VsSequential));
  } else if (p) failed('pagination', 'speedup: default (4) vs sequential', `>= ${fmt.x(TARGETS.paginationSpeedup)}`, p.error);

  const m = results.memory;
  if (m?.runs) {
    check(
      'memory',
      `RSS growth, ${m.responses} responses, over a ${m.warmupResponses}-response warm-up's peak`,
      fmt.mb(m.rssGrowthMB),
      `< ${TARGETS.rssGrowthMB} MB`,
      m.rssGrowthMB < TARGETS.rssGrowthMB,
    );
    info('memory', 'RSS growth over an idle, just-collected heap', fmt.mb(m.rssGrowthOverIdleMB));
    info('memory', 'heap growth (heapUsed after gc - before)', `${m.heapGrowthMB >= 0 ? '+' : ''}${m.heapGrowthMB.toFixed(2)} MB`);
    info('memory', 'peak heapUsed growth while iterating', fmt.mb(m.peakHeapGrowthMB));
    const u = m.runs.undici;
    info(
      'memory',
      'bare undici loop: RSS growth over warm-up / over idle heap',
      `${fmt.mb(u.rssGrowthMB)} / ${fmt.mb(u.rssGrowthOverIdleMB)} (peak heap ${fmt.mb(u.peakHeapGrowthMB)})`,
    );
    const s = m.runs.sdkSemi16;
    const us = m.runs.undiciSemi16;
    info('memory', '--max-semi-space-size=16: RSS growth SDK / undici', `${fmt.mb(s.rssGrowthMB)} / ${fmt.mb(us.rssGrowthMB)}`);
    info(
      'memory',
      'throughput SDK / bare undici (0 ms latency)',
      `${Math.round(m.responsesPerSecond / 1000)}k / ${Math.round(u.responsesPerSecond / 1000)}k responses/s`,
    );
  } else if (m) failed('memory', 'peak RSS growth', `< ${TARGETS.rssGrowthMB} MB`, m.error);

  const c = results['cold-start'];
  if (c?.formats) {
    for (const [format, f] of Object.entries(c.formats)) {
      info('cold start', `${format}: SDK bundle, spawn to exit`, f.sdkMs === null ? 'ERROR (see above)' : fmt.ms(f.sdkMs));
      info('cold start', `${format}: openai-node bundle, spawn to exit`, f.openaiMs === null ? 'ERROR (see above)' : fmt.ms(f.openaiMs));
      if (f.ratio === null) failed('cold start', `${format}: SDK / openai-node`, `<= ${fmt.x(TARGETS.coldStartVsOpenai)}`, f.error);
      else
        check(
          'cold start',
          `${format}: SDK / openai-node`,
          `${fmt.x(f.ratio)} (paired ${fmt.x(f.pairedRatio)})`,
          `<= ${fmt.x(TARGETS.coldStartVsOpenai)}`,
          f.ratio <= TARGETS.coldStartVsOpenai,
        );
      info(
        'cold start',
        `${format}: bundle size SDK / openai-node`,
        `${fmt.bytes(f.sdkBytes)} (${fmt.bytes(f.sdkGzipBytes)} gz) / ${fmt.bytes(f.openaiBytes)} (${fmt.bytes(f.openaiGzipBytes)} gz)`,
      );
    }
    info('cold start', "node -e '' (process start alone)", fmt.ms(c.nodeBaselineMs));
    for (const [format, f] of Object.entries(c.formats)) {
      check(
        'bundle',
        `${format}: minimal consumer, esbuild minified${f.bundleRuns ? ', runs' : ', DOES NOT RUN'}`,
        `${fmt.bytes(f.sdkBytes)} (${f.sdkBytes} B, ${fmt.bytes(f.sdkGzipBytes)} gz)`,
        `<= ${TARGETS.bundleKB} KiB`,
        f.sdkBytes <= TARGETS.bundleKB * 1024 && f.bundleRuns,
      );
      if (f.importRatio === null) failed('bundle', `${format}: cold import SDK / openai-node`, `<= ${fmt.x(TARGETS.coldImportVsOpenai)}`, c.error);
      else
        check(
          'bundle',
          `${format}: cold import SDK / openai-node`,
          `${fmt.x(f.importRatio)} (${f.importSdkMs.toFixed(1)} / ${f.importOpenaiMs.toFixed(1)} ms, paired ${fmt.x(f.importPairedRatio)})`,
          `<= ${fmt.x(TARGETS.coldImportVsOpenai)}`,
          f.importRatio <= TARGETS.coldImportVsOpenai,
        );
    }
    const r = c.requireConsumer;
    if (r)
      check(
        'bundle',
        `cjs: require('aymara-ai') consumer, esbuild minified${r.runs ? ', runs' : ', DOES NOT RUN'}`,
        `${fmt.bytes(r.bytes)} (${r.bytes} B, ${fmt.bytes(r.gzipBytes)} gz)`,
        `<= ${TARGETS.bundleKB} KiB`,
        r.bytes <= TARGETS.bundleKB * 1024 && r.runs,
      );
  } else if (c) failed('cold start', 'SDK / openai-node', `<= ${fmt.x(TARGETS.coldStartVsOpenai)}`, c.error);
  return rows;
}

function printTable(rows, header) {
  const cols = [
    ['Benchmark', (r) => r.bench],
    ['Measurement', (r) => r.what],
    ['Median', (r) => r.value],
    ['Target', (r) => r.target],
    ['Result', (r) => r.status],
  ];
  const widths = cols.map(([title, get]) => Math.max(title.length, ...rows.map((r) => get(r).length)));
  const line = (cells) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(`\n${header}\n`);
  console.log(line(cols.map(([title]) => title)));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  let last;
  for (const r of rows) {
    if (last !== undefined && r.bench !== last) console.log('');
    console.log(line(cols.map(([, get]) => get(r))));
    last = r.bench;
  }
}

async function main() {
  const selected = process.argv.slice(2);
  for (const name of selected) if (!BENCHES.includes(name)) throw new Error(`unknown bench ${JSON.stringify(name)}; choose from ${BENCHES.join(', ')}`);
  const names = selected.length ? selected : BENCHES;

  const started = performance.now();
  const results = {};
  for (const name of names) {
    console.error(`\n== ${name}${QUICK ? ' (BENCH_QUICK=1)' : ''} ==`);
    results[name] = await runBench(name);
    console.error(`== ${name}: ${results[name].seconds} s${results[name].error ? ', FAILED' : ''}`);
  }
  const totalSeconds = Math.round((performance.now() - started) / 1000);

  const rows = buildRows(results);
  const environment = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model,
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
  };
  const header = `aymara-ai bench: ${new Date().toISOString()}, Node ${environment.node}, ${environment.cpus} CPUs, ${QUICK ? 'QUICK run' : 'full run'}, ${totalSeconds} s`;
  if (results.network?.networks) console.log(`\n${networkTable(results.network)}`);
  printTable(rows, header);

  const failures = rows.filter((r) => r.status === 'FAIL');
  const misses = rows.filter((r) => r.status === 'MISS');
  for (const r of failures) console.log(`\nFAIL ${r.bench}: ${r.what}\n${r.error ?? ''}`);
  console.log(`\n${rows.filter((r) => r.status === 'PASS').length} PASS, ${misses.length} MISS, ${failures.length} FAIL`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}latest.json`;
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), quick: QUICK, totalSeconds, environment, targets: TARGETS, table: rows, results }, null, 2)}\n`,
  );
  console.log(`Written to ${file}`);

  if (failures.length || (process.env.BENCH_STRICT === '1' && misses.length)) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
