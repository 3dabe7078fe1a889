// npm run test:consumers: proves that what `npm pack` produces works for each kind of user.
//
// It packs the package once, installs the tarball into fresh folders outside the repo (as a user would, with
// `npm install <tarball>`), and runs real consumers against the loopback mock API of `aymara-ai/testing`:
//   - ESM (`import`) and CommonJS (`require`) apps, each also loading `aymara-ai/testing`, checking that a default
//     client sends every request through the global fetch (looked up per request, as msw and nock need), and on
//     Node that a `dispatcher` from the app's own undici carries them instead;
//   - a TypeScript app type-checked against the published .d.ts/.d.cts with moduleResolution node16 (ESM and
//     CommonJS output) and bundler, then run;
//   - the `aymara-ai` bin through `npx`;
//   - a minimal app bundled with esbuild (its size is reported), run from a folder without node_modules as a Lambda
//     runs it, listing a 20-page run with 4 pages in flight: at most 4 TCP connections, and fewer than requests;
//   - two vitest projects, one on msw 2 and one on msw 3 (the peer range's majors), each installing the tarball with
//     a plain `npm install` that must meet no peer conflict, then running a user's tests of the msw kit (the copyable
//     examples/testing-with-the-mock.test.ts as it is, and msw.consumer.ts) on Node 24;
// on Node 22.19.0 (the engines floor), the latest Node 22, Node 24 (the repo's own) and Node 26, all from npm;
// the ESM and CommonJS apps also on Bun and Deno (from npm); and a Cloudflare Worker built from the edge
// export condition, run in workerd through Miniflare. It prints a matrix and exits non-zero on any failure.
// A Node line that cannot be installed fails the run; Bun, Deno or workerd that cannot be installed or started
// here are reported as "not available: <reason>". Cells listed in KNOWN_DEFECTS show `xfail` (set
// AYMARA_CONSUMERS_STRICT=1 to fail them). Runtimes and tools are installed into the run's own temp folder
// (cached for this run only) and removed at the end; set AYMARA_CONSUMERS_KEEP=1 to keep them.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;
const log = (message) => console.log(`[consumers ${elapsed()}] ${message}`);

const TOTAL = 250; // responses in each consumer's mock run: three pages of 100
const BUNDLE_TOTAL = 2_000; // the bundle's full listing: 20 pages of 100, 4 in flight
const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline'];

// Defects of the SDK (src/) that a cell is known to hit: the cell shows `xfail` instead of failing the run. When
// the cell passes, the run fails until the entry is removed, so the list cannot go stale.
const KNOWN_DEFECTS = [];

// ---------------------------------------------------------------------------------------------------------------
// Processes

const children = new Set();
process.on('exit', () => {
  for (const child of children) killTree(child);
});

function killTree(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The environment for a child: no npm_* variables from the `npm run` that started us, no SDK settings from the
 *  caller's shell, no NODE_OPTIONS, the chosen Node first on PATH, and the repo's node_modules/.bin off it. */
function childEnv(nodeDir = dirname(process.execPath), extra = {}) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(name) || name.startsWith('AYMARA_AI_') || name === 'NODE_OPTIONS') continue;
    env[name] = value;
  }
  const path = (process.env.PATH ?? '').split(':').filter((dir) => dir && !dir.endsWith('node_modules/.bin'));
  env.PATH = [nodeDir, ...path].join(':');
  // The consumers talk to 127.0.0.1 only; should the machine have a proxy for the registry, bypass it there.
  env.NO_PROXY = env.no_proxy = [process.env.NO_PROXY ?? process.env.no_proxy, '127.0.0.1', 'localhost', '::1'].filter(Boolean).join(',');
  return { ...env, ...extra };
}

/** Runs a command to completion (its process group is killed after `timeoutMs`); never throws. */
function exec(command, args, { cwd = REPO, env = childEnv(), timeoutMs = 120_000 } = {}) {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child);
    }, timeoutMs);
    const finish = (code, extra = '') => {
      clearTimeout(timer);
      children.delete(child);
      done({ code, stdout, stderr: stderr + extra + (timedOut ? `\n(killed after ${timeoutMs} ms)` : ''), timedOut });
    };
    child.on('error', (error) => finish(-1, `\n${error.message}`));
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : -1)));
  });
}

const npm = (args, cwd, timeoutMs = 300_000) => exec('npm', args, { cwd, timeoutMs });
const tail = (text, lines = 12) => text.trim().split('\n').slice(-lines).join('\n');
const lastLine = (text) => text.trim().split('\n').at(-1) ?? '';

/** Runs `tasks` (functions returning promises) with at most `limit` in flight; results in order. */
async function pool(tasks, limit) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// Setup: pack, tools, consumer folders

const ROOT = await mkdtemp(join(tmpdir(), 'aymara-consumers-'));
const keep = process.env.AYMARA_CONSUMERS_KEEP === '1';
const strict = process.env.AYMARA_CONSUMERS_STRICT === '1';

async function main() {
  log(`node ${process.version} (${process.execPath}); temp folder ${ROOT}`);
  if (!existsSync(join(REPO, 'dist/index.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm run test:consumers does)');

  // --- pack ---------------------------------------------------------------------------------------------------
  const packDir = join(ROOT, 'pack');
  await mkdir(packDir);
  const packed = await npm(['pack', '--json', '--pack-destination', packDir], REPO);
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${tail(packed.stderr)}`);
  const [pack] = JSON.parse(packed.stdout);
  const tarball = join(packDir, pack.filename);
  printPack(pack);

  // --- tools and consumers, installed side by side ---------------------------------------------------------------
  const toolSpecs = [
    { id: 'node22.19', spec: 'node@22.19.0', pkg: 'node', bin: 'node_modules/node/bin/node' },
    { id: 'node22', spec: 'node@22', pkg: 'node', bin: 'node_modules/node/bin/node' },
    { id: 'node26', spec: 'node@26', pkg: 'node', bin: 'node_modules/node/bin/node' },
    { id: 'bun', spec: 'bun@1', pkg: 'bun', bin: 'node_modules/.bin/bun' },
    { id: 'deno', spec: 'deno@2', pkg: 'deno', bin: 'node_modules/.bin/deno' },
    { id: 'miniflare', spec: 'miniflare@4', pkg: 'workerd', bin: 'node_modules/.bin/workerd' },
  ];
  const consumerSpecs = [
    {
      id: 'esm',
      type: 'module',
      deps: ['undici@8'],
      files: { 'esm.consumer.mjs': 'esm.consumer.mjs', 'minimal.consumer.mjs': 'minimal.consumer.mjs', 'repeated-parses.cjs': 'repeated-parses.cjs' },
    },
    { id: 'cjs', type: 'commonjs', deps: [], files: { 'cjs.consumer.cjs': 'cjs.consumer.cjs', 'repeated-parses.cjs': 'repeated-parses.cjs' } },
    { id: 'ts', type: 'module', deps: ['typescript@~6.0', '@types/node'], files: { 'typed.consumer.ts': 'main.ts' } },
    { id: 'edge', type: 'module', deps: ['typescript@~6.0'], files: { 'worker.consumer.ts': 'worker.ts' } },
  ];
  const mswSpecs = [2, 3].map((major) => ({ id: `msw${major}`, major }));
  log(`installing ${toolSpecs.map((t) => t.spec).join(', ')}, ${consumerSpecs.length} consumer folders and ${mswSpecs.length} msw projects`);
  const installs = await pool(
    [
      ...toolSpecs.map((tool) => () => installTool(tool)),
      ...consumerSpecs.map((consumer) => () => installConsumer(consumer, tarball)),
      ...mswSpecs.map((project) => () => installMswProject(project, tarball)),
    ],
    4,
  );
  const tools = Object.fromEntries(toolSpecs.map((tool, i) => [tool.id, installs[i]]));
  const consumers = Object.fromEntries(consumerSpecs.map((consumer, i) => [consumer.id, installs[toolSpecs.length + i]]));
  const mswProjects = mswSpecs.map((project, i) => ({ ...project, ...installs[toolSpecs.length + consumerSpecs.length + i] }));
  for (const [id, consumer] of Object.entries(consumers)) if (consumer.error) throw new Error(`installing the ${id} consumer failed:\n${consumer.error}`);
  log('installed');

  const results = [];
  const record = (row, col, outcome) => {
    const known = KNOWN_DEFECTS.find((d) => d.rows.includes(row) && d.cols.includes(col));
    let status = outcome.status;
    let detail = outcome.detail ?? '';
    if (known && !strict && status === 'fail' && known.signature.test(detail)) status = 'xfail';
    else if (known && status === 'pass') {
      status = 'fail';
      detail = `passes now: remove its KNOWN_DEFECTS entry in test/consumers/run.mjs (${known.note})`;
    }
    results.push({ row, col, status, detail });
    const line = `${row} x ${col}: ${status}`;
    if (status === 'fail') console.log(`${line}\n${indent(detail)}`);
    else
      log(
        line +
          (status === 'xfail'
            ? `: known defect: ${detail
                .split('\n')
                .find((l) => known.signature.test(l))
                ?.trim()}`
            : outcome.info
              ? ` (${outcome.info})`
              : ''),
      );
  };

  // --- type checks (independent of the runtime) --------------------------------------------------------------
  const typeChecks = await typeCheck(consumers.ts.dir, consumers.edge.dir);
  for (const check of typeChecks) record('tsc 6.0', check.col, check);
  const tscOk = (col) => typeChecks.find((c) => c.col === col)?.status === 'pass';

  // --- the minimal bundle (built once, run on every Node) ---------------------------------------------------
  const bundle = await buildMinimalBundle(consumers.esm.dir);

  // --- Node rows --------------------------------------------------------------------------------------------
  const testing = await import(pathToFileURL(join(consumers.esm.dir, 'node_modules/aymara-ai/dist/testing/index.js')).href);
  const nodes = [
    { row: 'node22.19', tool: tools['node22.19'] },
    { row: 'node22', tool: tools.node22 },
    { row: 'node24', tool: { bin: process.execPath, version: process.versions.node } },
    { row: 'node26', tool: tools.node26 },
  ];
  for (const { row, tool } of nodes) {
    if (tool.error) {
      // A supported Node line that cannot be installed is a failure, not a gap: the package claims it.
      for (const col of NODE_COLS) record(row, col, { status: 'fail', detail: tool.error });
      continue;
    }
    const expect = `node ${tool.version}`;
    record(row, 'esm', await runConsumer(tool.bin, ['esm.consumer.mjs'], consumers.esm.dir, expect, { repeated: true }));
    record(row, 'cjs', await runConsumer(tool.bin, ['cjs.consumer.cjs'], consumers.cjs.dir, expect, { repeated: true }));
    for (const [col, file, check] of [
      ['ts node16 esm', 'out/node16/main.js', 'node16'],
      ['ts node16 cjs', 'out/node16/main.cjs', 'node16'],
      ['ts bundler', 'out/bundler/main.js', 'bundler'],
    ]) {
      record(row, col, tscOk(check) ? await runConsumer(tool.bin, [file], consumers.ts.dir, expect) : { status: 'skip', detail: `tsc ${check} failed` });
    }
    record(row, 'cli (npx)', await runCli(tool, consumers.cjs.dir, testing));
    record(row, 'esbuild bundle', bundle.error ? { status: 'fail', detail: bundle.error } : await runBundle(tool.bin, bundle.file, testing));
  }

  // --- the msw kit in vitest projects on each msw major (Node 24) ------------------------------------------------
  for (const project of mswProjects)
    record('node24', `msw ${project.major} + vitest`, project.error ? { status: 'fail', detail: project.error } : await runMswProject(project));

  // --- Bun and Deno ---------------------------------------------------------------------------------------------
  const cache = join(ROOT, 'cache');
  const others = [
    { row: 'bun', tool: tools.bun, args: (file) => ['run', file], env: { BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', DO_NOT_TRACK: '1', XDG_CACHE_HOME: cache } },
    {
      row: 'deno',
      tool: tools.deno,
      args: (file) => ['run', '-A', '--no-lock', '--node-modules-dir=manual', file],
      env: { DENO_DIR: join(cache, 'deno'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    },
  ];
  for (const { row, tool, args, env } of others) {
    if (tool.error) {
      for (const col of ['esm', 'cjs']) record(row, col, { status: 'n/a', detail: `not available: ${tool.error}` });
      continue;
    }
    const expect = `${row} ${tool.version}`;
    record(row, 'esm', await runConsumer(tool.bin, args('esm.consumer.mjs'), consumers.esm.dir, expect, { env, repeated: true }));
    record(row, 'cjs', await runConsumer(tool.bin, args('cjs.consumer.cjs'), consumers.cjs.dir, expect, { env, repeated: true }));
  }

  // --- workerd --------------------------------------------------------------------------------------------------
  const edgeResult = tools.miniflare.error
    ? { status: 'n/a', detail: `not available: ${tools.miniflare.error}` }
    : await runWorker(tools.miniflare, consumers.edge.dir, testing);
  record('workerd', 'edge worker', edgeResult);

  // --- report -----------------------------------------------------------------------------------------------
  printMatrix(results, { tools, bundle, edge: edgeResult });
  const count = (status) => results.filter((r) => r.status === status).length;
  const failed = count('fail');
  const xfail = results.filter((r) => r.status === 'xfail');
  if (xfail.length) {
    console.log(`\n${xfail.length} expected failure(s), known defects of the SDK (counted as skipped; AYMARA_CONSUMERS_STRICT=1 fails them):`);
    for (const note of new Set(xfail.map((r) => KNOWN_DEFECTS.find((d) => d.rows.includes(r.row) && d.cols.includes(r.col)).note))) console.log(`  - ${note}`);
  }
  const unavailable = results.filter((r) => r.status === 'n/a');
  if (unavailable.length) console.log('\nNot available here:');
  for (const r of unavailable) console.log(`  ${r.row} x ${r.col}: ${r.detail}`);
  console.log(`\nconsumers: ${count('pass')} passed, ${failed} failed, ${count('skip') + xfail.length + unavailable.length} skipped`);
  return failed === 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------------------------
// Installs

async function installTool({ id, spec, pkg, bin }) {
  const dir = join(ROOT, 'tools', id);
  await mkdir(dir, { recursive: true });
  // allowScripts: these packages fetch their platform binary from the registry in an install script.
  await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true, allowScripts: { [pkg]: true } }));
  const installed = await npm(['install', ...NPM_FLAGS, spec], dir);
  if (installed.code !== 0) {
    const reason = installed.stderr.split('\n').filter((line) => /npm (error|ERR)/.test(line) && !/complete log|^npm error\s*$/.test(line));
    return { error: `npm install ${spec} failed: ${reason.slice(0, 3).join(' / ') || lastLine(installed.stderr)}` };
  }
  const path = join(dir, bin);
  const version = await exec(path, ['--version'], { cwd: dir, timeoutMs: 30_000 });
  if (version.code !== 0) return { error: `${basename(path)} --version failed (${version.code}): ${lastLine(version.stderr || version.stdout)}` };
  // `v22.19.0`, `1.4.5`, `deno 2.9.6 (stable, ...)`, `workerd 2026-07-30`
  const match = /(\d+\.\d+\.\d+|\d{4}-\d{2}-\d{2})/.exec(version.stdout);
  return { dir, bin: path, version: match?.[1] ?? version.stdout.trim(), spec };
}

async function installConsumer({ id, type, deps, files }, tarball) {
  const dir = join(ROOT, 'consumers', id);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: `aymara-ai-consumer-${id}`, private: true, type }, null, 2));
  for (const [from, to] of Object.entries(files)) await copyFile(join(HERE, from), join(dir, to));
  const installed = await npm(['install', ...NPM_FLAGS, tarball, ...deps], dir);
  if (installed.code !== 0) return { error: tail(installed.stderr) };
  return { dir };
}

/**
 * A vitest project that already depends on msw `^major` adds the tarball as a user would: `npm install <tarball>`,
 * with no --legacy-peer-deps or --force, so an msw peer range that leaves this major out fails here (npm's ERESOLVE),
 * and so does any peer warning npm prints and gets past. vitest is the repo's own major, so both move together.
 */
async function installMswProject({ id, major }, tarball) {
  const dir = join(ROOT, 'consumers', id);
  await mkdir(dir, { recursive: true });
  const repoPackage = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8'));
  const vitestMajor = /\d+/.exec(repoPackage.devDependencies.vitest)[0];
  const project = { name: `aymara-ai-consumer-${id}`, private: true, type: 'module', devDependencies: { msw: `^${major}`, vitest: `^${vitestMajor}` } };
  await writeFile(join(dir, 'package.json'), JSON.stringify(project, null, 2));
  await copyFile(join(REPO, 'examples/testing-with-the-mock.test.ts'), join(dir, 'testing-with-the-mock.test.ts'));
  await copyFile(join(HERE, 'msw.consumer.ts'), join(dir, 'msw-kit.test.ts'));
  const installed = await npm(['install', ...NPM_FLAGS, tarball], dir);
  const output = `${installed.stdout}\n${installed.stderr}`;
  const peerLines = output.split('\n').filter((line) => /ERESOLVE|peer dep|conflicting peer|overriding peer|invalid peer/i.test(line));
  if (installed.code !== 0 || peerLines.length) {
    // npm's own account of the conflict (what it found, what asked for what) without its blank lines and log path.
    const errors = installed.stderr.split('\n').filter((line) => /^npm error\s*\S/.test(line) && !/complete log|_logs\//.test(line));
    const shown = installed.code !== 0 && errors.length ? errors : peerLines;
    return { error: `npm install <tarball> with msw ^${major}: exit ${installed.code}\n${shown.slice(0, 14).join('\n') || tail(installed.stderr)}` };
  }
  const version = async (name) => JSON.parse(await readFile(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  const versions = { msw: await version('msw'), vitest: await version('vitest') };
  if (!versions.msw.startsWith(`${major}.`)) return { error: `npm installed msw ${versions.msw} in a project on msw ^${major}` };
  return { dir, versions };
}

// ---------------------------------------------------------------------------------------------------------------
// Type checks: the published types, as a TypeScript user's compiler sees them (skipLibCheck off where it can be)

async function typeCheck(tsDir, edgeDir) {
  await copyFile(join(tsDir, 'main.ts'), join(tsDir, 'main.cts'));
  const strictOptions = { target: 'es2022', strict: true, skipLibCheck: false, esModuleInterop: true, rootDir: '.', types: ['node'] };
  const configs = {
    // A Node app: no DOM lib, @types/node only. main.ts is ESM (type: module), main.cts CommonJS.
    node16: {
      compilerOptions: { ...strictOptions, module: 'node16', moduleResolution: 'node16', lib: ['es2023'], outDir: 'out/node16' },
      files: ['main.ts', 'main.cts'],
    },
    bundler: {
      compilerOptions: { ...strictOptions, module: 'esnext', moduleResolution: 'bundler', lib: ['es2023', 'dom'], outDir: 'out/bundler' },
      files: ['main.ts'],
    },
  };
  const checks = [];
  for (const [col, config] of Object.entries(configs)) {
    await writeFile(join(tsDir, `tsconfig.${col}.json`), JSON.stringify(config, null, 2));
    const tsc = await exec(process.execPath, [join(tsDir, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${col}.json`], { cwd: tsDir });
    checks.push({ col, status: tsc.code === 0 ? 'pass' : 'fail', detail: tail(tsc.stdout + tsc.stderr, 30) });
  }
  // A Worker: the edge export condition, no @types/node installed, the lib check skipped as Workers templates do
  // (undici's own types, which `ClientOptions.dispatcher` refers to, need @types/node).
  const edgeConfig = {
    compilerOptions: {
      target: 'es2022',
      module: 'esnext',
      moduleResolution: 'bundler',
      customConditions: ['workerd', 'worker', 'browser'],
      lib: ['es2023', 'dom', 'dom.iterable'],
      types: [],
      strict: true,
      skipLibCheck: true,
      noEmit: true,
    },
    files: ['worker.ts'],
  };
  await writeFile(join(edgeDir, 'tsconfig.json'), JSON.stringify(edgeConfig, null, 2));
  const tsc = await exec(process.execPath, [join(edgeDir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--traceResolution'], { cwd: edgeDir });
  const errors = tsc.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
  const viaWorkerd = /Resolving module 'aymara-ai'[\s\S]*?Matched 'exports' condition 'workerd'/.test(tsc.stdout);
  const edgeOk = tsc.code === 0 && errors.length === 0 && viaWorkerd && !existsSync(join(edgeDir, 'node_modules/@types/node'));
  checks.push({
    col: 'workerd types',
    status: edgeOk ? 'pass' : 'fail',
    detail: viaWorkerd ? errors.join('\n') || tail(tsc.stderr) : 'aymara-ai did not resolve through the workerd condition',
  });
  return checks;
}

// ---------------------------------------------------------------------------------------------------------------
// Runs

const NODE_COLS = ['esm', 'cjs', 'ts node16 esm', 'ts node16 cjs', 'ts bundler', 'cli (npx)', 'esbuild bundle'];

/** Runs one consumer script; it prints one JSON line describing what it did. */
async function runConsumer(bin, args, cwd, expectRuntime, { env: extraEnv = {}, repeated = false } = {}) {
  const run = await exec(bin, args, { cwd, env: childEnv(dirname(bin), extraEnv), timeoutMs: 60_000 });
  const output = `exit ${run.code}\n${tail(run.stdout, 5)}\n${tail(run.stderr, 20)}`;
  if (run.code !== 0) return { status: 'fail', detail: output };
  let report;
  try {
    report = JSON.parse(lastLine(run.stdout));
  } catch {
    return { status: 'fail', detail: `no JSON report\n${output}` };
  }
  const problems = [];
  if (report.runtime !== expectRuntime) problems.push(`ran on ${report.runtime}, expected ${expectRuntime}`);
  if (report.count !== TOTAL || report.iterated !== TOTAL || report.firstPage !== 100) problems.push(`counts ${JSON.stringify(report)}`);
  // A default client sends every request through the global fetch, looked up at each request (the consumer wraps it
  // after making the client, as msw or nock would): that is what lets test tools and tracing see them all.
  if (report.globalFetchCalls !== report.requests)
    problems.push(`${report.globalFetchCalls} of ${report.requests} requests went through the global fetch: ${JSON.stringify(report)}`);
  // With a dispatcher (npm undici, the ESM consumer on Node), npm undici's fetch carries them instead.
  const { dispatcher } = report;
  if (dispatcher && (dispatcher.iterated !== TOTAL || dispatcher.requests !== 3 || dispatcher.globalFetchCalls !== 0))
    problems.push(`with a dispatcher: ${JSON.stringify(dispatcher)}`);
  // The ESM and CommonJS consumers parse the same pages 12 times (the SDK moves to zod's compiled parser on the way
  // where it can); they check that nothing changes.
  if (repeated && report.repeatedParses !== 12) problems.push(`repeated parses: ${report.repeatedParses}`);
  if (problems.length) return { status: 'fail', detail: problems.join('; ') };
  const viaDispatcher = dispatcher ? `; ${dispatcher.requests} more through a dispatcher` : '';
  return {
    status: 'pass',
    info: `${report.iterated} responses, ${report.requests} requests through the global fetch on ${report.connections} connection(s)${viaDispatcher}`,
  };
}

/** `npx aymara-ai --version` and `npx aymara-ai summary` in a consumer folder, with the given Node first on PATH. */
async function runCli(tool, cwd, testing) {
  const env = childEnv(dirname(tool.bin));
  const npx = (args, extra = {}) => exec('npx', args, { cwd, env: { ...env, ...extra }, timeoutMs: 60_000 });
  const nodeSeen = await npx(['-c', 'node --version']);
  if (nodeSeen.stdout.trim() !== `v${tool.version}`) return { status: 'fail', detail: `npx ran node ${nodeSeen.stdout.trim()}, expected v${tool.version}` };
  const version = await npx(['aymara-ai', '--version']);
  const expected = JSON.parse(await readFile(join(cwd, 'node_modules/aymara-ai/package.json'), 'utf8')).version;
  if (version.code !== 0 || version.stdout.trim() !== expected)
    return { status: 'fail', detail: `--version: exit ${version.code}: ${version.stdout.trim()} ${tail(version.stderr)}` };
  const server = await testing.startMockServer({ fixtures: { apiKey: 'cli-key', runs: { 'run-cli': { responses: testing.generateResponses(TOTAL) } } } });
  try {
    const summary = await npx(['aymara-ai', 'summary', 'run-cli', '--format', 'json', '--base-url', server.url, '--quiet'], { AYMARA_AI_API_KEY: 'cli-key' });
    if (summary.code !== 0) return { status: 'fail', detail: `summary: exit ${summary.code}\n${tail(summary.stderr)}` };
    const parsed = JSON.parse(summary.stdout);
    if (parsed.total !== TOTAL) return { status: 'fail', detail: `summary total ${parsed.total}` };
    return { status: 'pass' };
  } finally {
    await server.close();
  }
}

/** `vitest run` in an msw project, on the repo's Node; every test of both files must run and pass. */
async function runMswProject({ dir, major, versions }) {
  const report = join(dir, 'vitest-report.json');
  const run = await exec(
    process.execPath,
    [join(dir, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    {
      cwd: dir,
      env: childEnv(dirname(process.execPath), { NO_COLOR: '1' }),
      timeoutMs: 120_000,
    },
  );
  const output = `exit ${run.code}\n${tail(run.stdout, 40)}\n${tail(run.stderr, 20)}`;
  if (run.code !== 0) return { status: 'fail', detail: output };
  let results;
  try {
    results = JSON.parse(await readFile(report, 'utf8'));
  } catch (error) {
    return { status: 'fail', detail: `no vitest JSON report (${error.message})\n${output}` };
  }
  const files = results.testResults.map((file) => basename(file.name)).sort();
  const expectedFiles = ['msw-kit.test.ts', 'testing-with-the-mock.test.ts'];
  const problems = [];
  if (JSON.stringify(files) !== JSON.stringify(expectedFiles)) problems.push(`test files ${files.join(', ')}, expected ${expectedFiles.join(', ')}`);
  // Every test of each file ran and passed: a skipped, todo or empty file would otherwise pass unseen.
  for (const file of results.testResults) {
    const statuses = file.assertionResults.map((test) => test.status);
    if (!statuses.length || statuses.some((status) => status !== 'passed'))
      problems.push(
        `${basename(file.name)}: ${statuses.filter((status) => status === 'passed').length} of ${statuses.length} tests passed (${statuses.join(', ')})`,
      );
  }
  if (!results.success) problems.push(`vitest reports no success (${results.numPassedTests} of ${results.numTotalTests} tests passed)`);
  // The suite names the msw major it found, so a project that resolved another msw than it declares shows here.
  if (!JSON.stringify(results).includes(`aymara-ai/testing/msw on msw ${major}`)) problems.push(`the tests did not run on msw ${major}`);
  if (problems.length) return { status: 'fail', detail: `${problems.join('\n')}\n${output}` };
  return {
    status: 'pass',
    info: `msw ${versions.msw}, vitest ${versions.vitest}: ${results.numPassedTests} tests passed in ${files.length} files; npm install met no peer conflict`,
  };
}

/** `esbuild --bundle --platform=node --minify` of a minimal consumer; the size is what a Lambda would ship. */
async function buildMinimalBundle(cwd) {
  // Outside the consumer folder, so that at run time nothing can come from a node_modules beside it.
  const file = join(ROOT, 'bundle', 'minimal.bundle.cjs');
  try {
    const result = await esbuild.build({
      entryPoints: [join(cwd, 'minimal.consumer.mjs')],
      absWorkingDir: cwd,
      bundle: true,
      platform: 'node',
      minify: true,
      outfile: file,
      metafile: true,
      logLevel: 'silent',
    });
    const output = Object.values(result.metafile.outputs)[0];
    const code = await readFile(file);
    const byPackage = {};
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? basename(input);
      byPackage[name] = (byPackage[name] ?? 0) + bytesInOutput;
    }
    return { file, bytes: code.length, gzip: gzipSync(code).length, byPackage };
  } catch (error) {
    return { error: String(error) };
  }
}

/**
 * Runs the bundle from its own folder, where no node_modules can be found, as a Lambda runs it: one page, then the
 * whole run with 4 pages in flight. The mock server numbers the TCP connections, so the cell checks that the bundle
 * keeps connections alive (fewer connections than requests) and opens no more than the pages in flight.
 */
async function runBundle(bin, file, testing) {
  const reachable = nodeModulesAbove(dirname(file));
  if (reachable) return { status: 'fail', detail: `the bundle's folder can see ${reachable}: it must run with no node_modules` };
  const server = await testing.startMockServer({
    fixtures: { apiKey: 'bundle-key', runs: { 'run-bundle': { responses: testing.generateResponses(BUNDLE_TOTAL) } } },
  });
  try {
    const env = childEnv(dirname(bin), {
      AYMARA_AI_API_KEY: 'bundle-key',
      AYMARA_AI_BASE_URL: server.url,
      AYMARA_AI_EVAL_RUN_UUID: 'run-bundle',
      CONSUMER_LIST_ALL: '1',
    });
    const run = await exec(bin, [file], { cwd: dirname(file), env, timeoutMs: 60_000 });
    if (run.code !== 0) return { status: 'fail', detail: `exit ${run.code}\n${tail(run.stderr)}` };
    const report = JSON.parse(lastLine(run.stdout));
    const requests = server.api.requests.length;
    const connections = new Set(server.api.requests.map((request) => request.connection)).size;
    const problems = [];
    if (report.items !== 10 || report.count !== BUNDLE_TOTAL || report.listed !== BUNDLE_TOTAL) problems.push(`counts: ${run.stdout.trim()}`);
    if (requests !== 1 + BUNDLE_TOTAL / 100) problems.push(`${requests} requests, expected ${1 + BUNDLE_TOTAL / 100}`);
    if (connections > 4) problems.push(`${connections} TCP connections for 4 pages in flight (at most 4 expected)`);
    if (connections >= requests) problems.push(`${connections} TCP connections for ${requests} requests: keep-alive is lost`);
    if (run.stderr.trim()) problems.push(`stderr: ${tail(run.stderr, 5)}`);
    const info = `${requests} requests on ${connections} connection(s)`;
    return problems.length ? { status: 'fail', detail: `${problems.join('\n')}\n(${info})` } : { status: 'pass', info };
  } finally {
    await server.close();
  }
}

/** The first node_modules folder that module resolution from `dir` would find, or undefined. */
function nodeModulesAbove(dir) {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'node_modules'))) return join(current, 'node_modules');
    if (dirname(current) === current) return undefined;
  }
}

/** Bundles the Worker under the edge conditions and runs it in workerd (Miniflare) against the loopback mock. */
async function runWorker(tool, cwd, testing) {
  const details = [];
  let result;
  try {
    result = await esbuild.build({
      entryPoints: [join(cwd, 'worker.ts')],
      absWorkingDir: cwd,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['browser', 'module', 'main'],
      target: 'es2022',
      minify: true,
      metafile: true,
      logLevel: 'silent',
    });
  } catch (error) {
    return { status: 'fail', detail: `esbuild: ${error}` };
  }
  const code = result.outputFiles[0].text;
  const inputs = Object.keys(result.metafile.inputs);
  const bundle = { bytes: Buffer.byteLength(code), gzip: gzipSync(code).length, sdkInput: inputs.filter((i) => i.includes('node_modules/aymara-ai/')) };
  if (!inputs.includes('node_modules/aymara-ai/dist/edge/index.js')) details.push(`the edge build was not selected: ${bundle.sdkInput.join(', ')}`);
  // undici's code must not be in it (an error message may still name the package).
  if (/\b(?:import|require)\s*\(\s*["'`]undici|\bfrom\s*["']undici/.test(code)) details.push('the Worker bundle imports undici');
  // workerd loads a static module graph: Miniflare collecting a Worker's modules itself (`modules: true`, as below and
  // in some Vite set-ups) refuses an import() whose specifier is computed, even one that never runs.
  const computedImports = code.match(/\bimport\((?:\s|\/\*[\s\S]*?\*\/)*(?!["'`])[\w$.]+\s*\)/g);
  if (computedImports) details.push(`the Worker bundle has import() of computed specifiers: ${[...new Set(computedImports)].join(', ')}`);
  const nodeImports = code.match(/(?:from|import|require)\s*\(?\s*["']node:[\w/]+["']/g);
  if (nodeImports) details.push(`the Worker bundle imports node: modules: ${[...new Set(nodeImports)].join(', ')}`);
  if (inputs.some((i) => i.includes('node_modules/undici/'))) details.push('undici is an input of the Worker bundle');

  const { Miniflare } = await import(pathToFileURL(createRequire(join(tool.dir, 'package.json')).resolve('miniflare')).href);
  const server = await testing.startMockServer({ fixtures: { apiKey: 'worker-key', runs: { 'run-worker': { responses: testing.generateResponses(TOTAL) } } } });
  // No compatibility flags: in particular no nodejs_compat, so any node: import would fail to load.
  const mf = new Miniflare({
    modules: true,
    script: code,
    compatibilityDate: '2025-09-01',
    bindings: { API_KEY: 'worker-key', BASE_URL: server.url, RUN: 'run-worker' },
  });
  const answers = [];
  try {
    // Two invocations of the same isolate: nothing from the first may break the second.
    for (let i = 0; i < 2; i++) {
      const response = await mf.dispatchFetch(`http://worker.test/run/${i}`);
      const text = await response.text();
      if (response.status !== 200) {
        details.push(`invocation ${i + 1}: HTTP ${response.status}: ${text.slice(0, 2000)}`);
        continue;
      }
      const answer = JSON.parse(text);
      answers.push(answer);
      const want = { count: TOTAL, firstPage: 100, iterated: TOTAL, notFound: '404 resource.not_found', hasProcess: false };
      for (const [key, value] of Object.entries(want))
        if (answer[key] !== value) details.push(`invocation ${i + 1}: ${key} = ${JSON.stringify(answer[key])}, expected ${JSON.stringify(value)}`);
    }
    if (server.api.requests.length !== 10) details.push(`the mock API saw ${server.api.requests.length} requests, expected 10`);
  } catch (error) {
    details.push(`miniflare: ${error?.stack ?? error}`);
  } finally {
    await mf.dispose().catch(() => undefined);
    await server.close();
  }
  return { status: details.length ? 'fail' : 'pass', detail: details.join('\n'), bundle, answer: answers[0] };
}

// ---------------------------------------------------------------------------------------------------------------
// Output

function indent(text) {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

function printPack(pack) {
  console.log(`\nTarball ${pack.filename}: ${pack.size} bytes packed (${kb(pack.size)}), ${pack.unpackedSize} bytes unpacked, ${pack.files.length} files`);
  for (const file of pack.files) console.log(`  ${String(file.size).padStart(8)}  ${file.path}`);
  console.log('');
}

function printMatrix(results, { tools, bundle, edge }) {
  console.log('\nType checks of a TypeScript 6.0 consumer against the published types:');
  const typeLabels = {
    node16: 'module/moduleResolution node16, ESM and CommonJS files, lib es2023 + @types/node, skipLibCheck false',
    bundler: 'module esnext, moduleResolution bundler, lib es2023 + dom + @types/node, skipLibCheck false',
    'workerd types': 'moduleResolution bundler, customConditions workerd, no @types/node, skipLibCheck true',
  };
  for (const r of results.filter((r) => r.row === 'tsc 6.0')) console.log(`  ${r.status.padEnd(5)} ${r.col}: ${typeLabels[r.col] ?? ''}`);
  const runs = results.filter((r) => r.row !== 'tsc 6.0');
  const rows = [...new Set(runs.map((r) => r.row))];
  const cols = [...new Set(runs.map((r) => r.col))];
  const label = {
    node24: `node ${process.versions.node} (repo)`,
    'node22.19': `node ${tools['node22.19'].version ?? '22.19.0'} (engines floor)`,
    node22: `node ${tools.node22.version ?? '22'} (latest 22)`,
    node26: `node ${tools.node26.version ?? '26'}`,
    bun: `bun ${tools.bun.version ?? '1'}`,
    deno: `deno ${tools.deno.version ?? '2'}`,
    workerd: `workerd ${tools.miniflare.version ?? ''} (miniflare 4)`.replace('  ', ' '),
  };
  const cell = (row, col) => results.find((r) => r.row === row && r.col === col)?.status ?? '-';
  const first = Math.max(...rows.map((row) => (label[row] ?? row).length));
  const widths = cols.map((col) => Math.max(col.length, 5));
  const line = (name, values) => `${name.padEnd(first)} | ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')}`;
  console.log(`\n${line('runtime \\ consumer', cols)}`);
  console.log(`${'-'.repeat(first)}-+-${widths.map((w) => '-'.repeat(w)).join('-+-')}`);
  for (const row of rows)
    console.log(
      line(
        label[row] ?? row,
        cols.map((col) => cell(row, col)),
      ),
    );
  if (!bundle.error) {
    const parts = Object.entries(bundle.byPackage)
      .sort((a, b) => b[1] - a[1])
      .map(([name, bytes]) => `${name} ${kb(bytes)}`)
      .join(', ');
    console.log(
      `\nMinimal Node consumer (esbuild --bundle --platform=node --minify): ${bundle.bytes} bytes (${kb(bundle.bytes)}), ${bundle.gzip} gzipped (${kb(bundle.gzip)})`,
    );
    console.log(`  by package: ${parts}`);
    if (!bundle.byPackage.undici)
      console.log(
        '  undici is not in the bundle: a default client uses the global fetch; the SDK loads undici at run time only for a dispatcher or proxy variables',
      );
  }
  if (edge.bundle) {
    console.log(
      `Worker bundle (edge condition, minified): ${edge.bundle.bytes} bytes (${kb(edge.bundle.bytes)}), ${edge.bundle.gzip} gzipped (${kb(edge.bundle.gzip)}); SDK input: ${edge.bundle.sdkInput.join(', ')}`,
    );
  }
  if (edge.answer) console.log(`Worker answered: ${JSON.stringify(edge.answer)}`);
}

// ---------------------------------------------------------------------------------------------------------------

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(error);
} finally {
  if (keep) log(`kept ${ROOT}`);
  else await rm(ROOT, { recursive: true, force: true });
  log(`done in ${elapsed()}`);
  process.exitCode = exitCode;
}
