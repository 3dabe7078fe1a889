// Cold start of a bundled client, as a serverless user meets it: the client bundled by esbuild for Node (platform
// node, bundle, minify; ESM .mjs and CJS .cjs), run in fresh processes. The SDK against openai-node (its generic
// client.get() fetching the same page) as the reference point. Three figures:
//
// - Bundle size: the minimal consumer (`new AymaraAI()` and one `listResponses`, bench/entries/sdk.mjs), minified,
//   in bytes and gzip, with the bytes each package contributes: as an ES module bundled to ESM and to CJS, and
//   written in CommonJS (`require('aymara-ai')`) bundled to CJS. Target: at most 60 KB (KiB) each.
// - Cold import: the time `import()` (ESM) or `require()` (CJS) of the bundle takes in a fresh process, measured
//   inside that process around the import alone (process start and the request are not counted). Each bundle here
//   is the same consumer as a module that exports its work (`run()`) instead of doing it on load. Medians of
//   interleaved runs (rotating order, same run). Target: the SDK's at most half of openai-node's.
// - Spawn to exit: a fresh process that imports the bundle and fetches one page (bench/entries/*.mjs), medians of
//   interleaved runs, against `node -e ''` alone.
//
// Every bundle must run (a bundle that exits non-zero, e.g. "Dynamic require of ... is not supported", fails the
// bench loudly with its stderr) before anything is timed.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { QUICK, RUN_UUID, isMain, log, median, round, runMain, startServer } from './lib.mjs';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? (QUICK ? 5 : 20));
const IMPORT_RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? (QUICK ? 9 : 41));
const WARMUP_RUNS = 2;
/** The size target of the minimal consumer's bundle, per format (60 KB, counted in KiB like the sizes printed). */
export const BUNDLE_LIMIT_BYTES = 60 * 1024;
const OUT_DIR = fileURLToPath(new URL('./results/bundles/', import.meta.url));
const ENTRIES = {
  sdk: fileURLToPath(new URL('./entries/sdk.mjs', import.meta.url)),
  openai: fileURLToPath(new URL('./entries/openai.mjs', import.meta.url)),
};
const FORMATS = { esm: 'mjs', cjs: 'cjs' };

/**
 * The same consumers as bench/entries, as modules that export their work rather than doing it on load, so the
 * import can be timed alone. BENCH_URL and BENCH_RUN come from the environment when `run()` is called.
 */
const MODULE_ENTRIES = {
  sdk: `import { AymaraAI } from 'aymara-ai';
export async function run() {
  const client = new AymaraAI({ apiKey: 'bench-key', baseURL: process.env.BENCH_URL });
  const page = await client.evals.runs.listResponses(process.env.BENCH_RUN, { limit: 100 });
  return page.items.length;
}
`,
  openai: `import OpenAI from 'openai';
export async function run() {
  const client = new OpenAI({ apiKey: 'x', baseURL: process.env.BENCH_URL });
  const page = await client.get(\`/v2/eval-runs/\${encodeURIComponent(process.env.BENCH_RUN)}/responses\`, { query: { limit: 100 } });
  return page.items.length;
}
`,
};

/** Loads a bundle in this fresh process, timing the import alone; then, when asked, runs its work once. */
const IMPORT_TIMER = `import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const [file, format, mode] = process.argv.slice(2);
const started = performance.now();
const mod = format === 'cjs' ? createRequire(import.meta.url)(file) : await import(pathToFileURL(file).href);
const importMs = performance.now() - started;
const items = mode === 'run' ? await mod.run() : undefined;
process.stdout.write(JSON.stringify({ importMs, items }) + '\\n');
`;

/**
 * esbuild as a serverless user runs it; returns the bundle's size and the bytes each package contributes.
 * `tsconfigRaw` keeps the repo's tsconfig paths (which map `aymara-ai` to src/) out: the package resolves through
 * its `exports`, to the built files a user installs.
 */
async function bundle(entryPoint, outfile, format) {
  const result = await build({
    entryPoints: [entryPoint],
    outfile,
    platform: 'node',
    bundle: true,
    minify: true,
    format,
    metafile: true,
    logLevel: 'error',
    tsconfigRaw: '{}',
  });
  const code = readFileSync(outfile);
  const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(outfile.slice(outfile.lastIndexOf('.'))))[1];
  const byPackage = {};
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const pkg = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? (/(^|\/)dist\//.test(path) ? 'aymara-ai (dist)' : 'entry');
    byPackage[pkg] = (byPackage[pkg] ?? 0) + bytesInOutput;
  }
  return {
    file: outfile,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    bytesByPackage: Object.fromEntries(Object.entries(byPackage).sort((a, b) => b[1] - a[1])),
  };
}

/**
 * The minimal consumer written in CommonJS: `require('aymara-ai')` resolves to the package's CommonJS build, which a
 * bundler cannot tree-shake, so what that build carries is what the bundle carries.
 */
const REQUIRE_ENTRY = `const { AymaraAI } = require('aymara-ai');
async function main() {
  const client = new AymaraAI({ apiKey: 'bench-key', baseURL: process.env.BENCH_URL });
  const page = await client.evals.runs.listResponses(process.env.BENCH_RUN, { limit: 100 });
  console.log(\`items \${page.items.length}\`);
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

/** Bundles every entry in every format: the run-on-load entries, the module entries, and the CommonJS consumer. */
async function bundleAll() {
  mkdirSync(OUT_DIR, { recursive: true });
  const bundles = {};
  const modules = {};
  for (const [client, source] of Object.entries(MODULE_ENTRIES)) writeFileSync(`${OUT_DIR}${client}-module-entry.mjs`, source);
  writeFileSync(`${OUT_DIR}sdk-require-entry.cjs`, REQUIRE_ENTRY);
  const requireConsumer = { client: 'sdk', format: 'cjs (require)', ...(await bundle(`${OUT_DIR}sdk-require-entry.cjs`, `${OUT_DIR}sdk-require.cjs`, 'cjs')) };
  for (const [format, ext] of Object.entries(FORMATS)) {
    for (const [client, entry] of Object.entries(ENTRIES)) {
      bundles[`${client}.${format}`] = { client, format, ...(await bundle(entry, `${OUT_DIR}${client}.${ext}`, format)) };
      modules[`${client}.${format}`] = {
        client,
        format,
        ...(await bundle(`${OUT_DIR}${client}-module-entry.mjs`, `${OUT_DIR}${client}-module.${ext}`, format)),
      };
    }
  }
  return { bundles, modules, requireConsumer };
}

/** Spawns `node ...args` and times it from spawn to exit. */
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

/** Imports a module bundle in a fresh process; with mode 'run', also does its work. Returns the import time and items. */
async function importOnce(timer, name, b, env, mode) {
  const run = await timeProcess([timer, b.file, b.format, mode], env);
  let result;
  try {
    result = JSON.parse(run.stdout.trim().split('\n').pop());
  } catch {
    result = undefined;
  }
  if (run.code !== 0 || !result || (mode === 'run' && result.items !== 100)) {
    throw new Error(`${name} (module) exited with ${run.signal ?? `code ${run.code}`}, stdout ${JSON.stringify(run.stdout.trim())}:\n${excerpt(run.stderr)}`);
  }
  return result;
}

/** Interleaved cold imports of every module bundle (rotating order), then medians and ratios per format. */
async function coldImports(modules, env) {
  const timer = `${OUT_DIR}import-timer.mjs`;
  writeFileSync(timer, IMPORT_TIMER);
  // Each module bundle must do its work once (both bundles run) before its import is timed.
  for (const [name, b] of Object.entries(modules)) await importOnce(timer, name, b, env, 'run');
  const names = Object.keys(modules);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  log(`cold import: ${WARMUP_RUNS} warm-up + ${IMPORT_RUNS} timed rounds of ${names.join(', ')}`);
  for (let round = 0; round < WARMUP_RUNS + IMPORT_RUNS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      const { importMs } = await importOnce(timer, name, modules[name], env, 'import');
      if (round >= WARMUP_RUNS) times[name].push(importMs);
    }
  }
  const out = {};
  for (const format of Object.keys(FORMATS)) {
    const sdk = times[`sdk.${format}`];
    const openai = times[`openai.${format}`];
    out[format] = {
      sdkMs: round(median(sdk), 2),
      openaiMs: round(median(openai), 2),
      ratio: round(median(sdk) / median(openai), 3),
      // Per-round ratios (the two ran in the same round), a cross-check robust to bursts of load.
      pairedRatio: round(median(sdk.map((t, i) => t / openai[i])), 3),
      sdkBytes: modules[`sdk.${format}`].bytes,
      openaiBytes: modules[`openai.${format}`].bytes,
    };
  }
  return { runs: IMPORT_RUNS, formats: out, runsMs: Object.fromEntries(Object.entries(times).map(([name, t]) => [name, t.map((v) => round(v, 2))])) };
}

export async function main() {
  const { bundles, modules, requireConsumer } = await bundleAll();
  for (const b of [...Object.values(bundles), requireConsumer])
    log(`  bundle ${b.client}.${b.format}: ${b.bytes} bytes, ${b.gzipBytes} gzip ${JSON.stringify(b.bytesByPackage)}`);
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

    const requireError = checkRun('sdk-require.cjs', await timeProcess([requireConsumer.file], env));
    if (requireError) {
      errors.push(requireError);
      console.error(`\nCOLD START FAILURE: ${requireError}\n`);
    }

    let imports;
    try {
      imports = await coldImports(modules, env);
    } catch (error) {
      errors.push(String(error?.message ?? error));
      console.error(`\nCOLD IMPORT FAILURE: ${error?.message ?? error}\n`);
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
      const imported = imports?.formats[format];
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
        bundleLimitBytes: BUNDLE_LIMIT_BYTES,
        bundleRuns: runnable.includes(sdk),
        importSdkMs: imported?.sdkMs ?? null,
        importOpenaiMs: imported?.openaiMs ?? null,
        importRatio: imported?.ratio ?? null,
        importPairedRatio: imported?.pairedRatio ?? null,
      };
    }
    return {
      name: 'cold-start',
      runs: RUNS,
      importRuns: IMPORT_RUNS,
      nodeBaselineMs: medians.node,
      formats,
      requireConsumer: {
        bytes: requireConsumer.bytes,
        gzipBytes: requireConsumer.gzipBytes,
        bundleLimitBytes: BUNDLE_LIMIT_BYTES,
        runs: !requireError,
        bytesByPackage: requireConsumer.bytesByPackage,
      },
      medians,
      runsMs: Object.fromEntries(Object.entries(times).map(([name, t]) => [name, t.map((v) => round(v, 1))])),
      importRunsMs: imports?.runsMs,
      bundles,
      modules,
      error: errors.length ? errors.join('\n\n') : undefined,
    };
  } finally {
    await server.close();
  }
}

if (isMain(import.meta.url)) runMain(main);
