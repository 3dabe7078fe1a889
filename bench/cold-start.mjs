// Cold start: a fresh process that imports the client and fetches one page, bundled by esbuild for Node as a
// serverless user would (platform node, bundle, minify; ESM .mjs and CJS .cjs). The SDK (bench/entries/sdk.mjs)
// against openai-node's generic client.get() (bench/entries/openai.mjs): spawn-to-exit of each bundle,
// interleaved (rotating order), medians. A bundle that exits non-zero (e.g. "Dynamic require of ... is not
// supported") fails the bench loudly, with its stderr. Bundle sizes (bytes and gzip) are reported too.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { QUICK, RUN_UUID, isMain, log, median, round, runMain, startServer } from './lib.mjs';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? (QUICK ? 5 : 20));
const WARMUP_RUNS = 2;
const OUT_DIR = fileURLToPath(new URL('./results/bundles/', import.meta.url));
const ENTRIES = {
  sdk: fileURLToPath(new URL('./entries/sdk.mjs', import.meta.url)),
  openai: fileURLToPath(new URL('./entries/openai.mjs', import.meta.url)),
};
const FORMATS = { esm: 'mjs', cjs: 'cjs' };

/** Bundles every entry in every format; returns path, sizes and the largest inputs of each bundle. */
async function bundleAll() {
  mkdirSync(OUT_DIR, { recursive: true });
  const bundles = {};
  for (const [format, ext] of Object.entries(FORMATS)) {
    for (const [client, entry] of Object.entries(ENTRIES)) {
      const outfile = `${OUT_DIR}${client}.${ext}`;
      const result = await build({ entryPoints: [entry], outfile, platform: 'node', bundle: true, minify: true, format, metafile: true, logLevel: 'error' });
      const code = readFileSync(outfile);
      const inputs = Object.entries(result.metafile.outputs[Object.keys(result.metafile.outputs).find((o) => o.endsWith(`.${ext}`))].inputs);
      const byPackage = {};
      for (const [path, { bytesInOutput }] of inputs) {
        const pkg = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? (path.includes('/dist/') ? 'aymara-ai (dist)' : 'entry');
        byPackage[pkg] = (byPackage[pkg] ?? 0) + bytesInOutput;
      }
      bundles[`${client}.${format}`] = {
        client,
        format,
        file: outfile,
        bytes: code.length,
        gzipBytes: gzipSync(code).length,
        bytesByPackage: Object.fromEntries(Object.entries(byPackage).sort((a, b) => b[1] - a[1])),
      };
    }
  }
  return bundles;
}

/** Spawns `node file` and times it from spawn to exit. */
function timeProcess(args, env) {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const start = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ ms: performance.now() - start, code, signal, stdout, stderr }));
  });
}

/** The readable part of a crashed bundle's stderr (minified source lines dropped). */
function excerpt(stderr) {
  return stderr
    .split('\n')
    .filter((line) => line.trim() && line.length < 400)
    .slice(0, 20)
    .join('\n');
}

function checkRun(name, run) {
  if (run.code === 0 && run.stdout.trim() === 'items 100') return undefined;
  return `${name} exited with ${run.signal ?? `code ${run.code}`}${run.stdout.trim() ? `, stdout ${JSON.stringify(run.stdout.trim())}` : ''}:\n${excerpt(run.stderr)}`;
}

export async function main() {
  const bundles = await bundleAll();
  for (const b of Object.values(bundles)) log(`  bundle ${b.client}.${b.format}: ${b.bytes} bytes, ${b.gzipBytes} gzip`);
  const server = await startServer({ responses: 1000, pageSize: 100 });
  try {
    // Nothing that changes how the SDK or openai-node behave (proxies, log level, keys) leaks in from the shell.
    const env = { PATH: process.env.PATH, BENCH_URL: server.url, BENCH_RUN: RUN_UUID };

    // Every bundle must run cleanly before it is timed; a failing one is reported, not timed.
    const errors = [];
    const runnable = [];
    for (const [name, b] of Object.entries(bundles)) {
      const error = checkRun(name, await timeProcess([b.file], env));
      if (error) {
        errors.push(error);
        console.error(`\nCOLD START FAILURE: ${error}\n`);
      } else runnable.push(name);
    }

    const contenders = [...runnable.map((name) => ({ name, args: [bundles[name].file] })), { name: 'node', args: ['-e', ''] }];
    const times = Object.fromEntries(contenders.map((c) => [c.name, []]));
    log(`cold start: ${WARMUP_RUNS} warm-up + ${RUNS} timed runs of ${contenders.map((c) => c.name).join(', ')}`);
    for (let round = 0; round < WARMUP_RUNS + RUNS; round++) {
      for (let i = 0; i < contenders.length; i++) {
        const c = contenders[(round + i) % contenders.length];
        const run = await timeProcess(c.args, env);
        const error = c.name === 'node' ? (run.code === 0 ? undefined : `node -e '' exited with code ${run.code}`) : checkRun(c.name, run);
        if (error) throw new Error(error);
        if (round >= WARMUP_RUNS) times[c.name].push(run.ms);
      }
    }

    const medians = Object.fromEntries(Object.entries(times).map(([name, t]) => [name, round(median(t), 1)]));
    const formats = {};
    for (const format of Object.keys(FORMATS)) {
      const sdk = `sdk.${format}`;
      const openai = `openai.${format}`;
      const ok = runnable.includes(sdk) && runnable.includes(openai);
      formats[format] = {
        sdkMs: medians[sdk] ?? null,
        openaiMs: medians[openai] ?? null,
        ratio: ok ? round(medians[sdk] / medians[openai], 3) : null,
        // Per-round ratios (the two ran back to back in each round), a cross-check robust to bursts of load.
        pairedRatio: ok ? round(median(times[sdk].map((t, i) => t / times[openai][i])), 3) : null,
        error: ok ? undefined : errors.filter((e) => e.startsWith(sdk) || e.startsWith(openai)).join('\n'),
        sdkBytes: bundles[sdk].bytes,
        sdkGzipBytes: bundles[sdk].gzipBytes,
        openaiBytes: bundles[openai].bytes,
        openaiGzipBytes: bundles[openai].gzipBytes,
      };
    }
    return {
      name: 'cold-start',
      runs: RUNS,
      nodeBaselineMs: medians.node,
      formats,
      medians,
      runsMs: Object.fromEntries(Object.entries(times).map(([name, t]) => [name, t.map((v) => round(v, 1))])),
      bundles,
      error: errors.length ? errors.join('\n\n') : undefined,
    };
  } finally {
    await server.close();
  }
}

if (isMain(import.meta.url)) runMain(main);
