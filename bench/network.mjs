// The real-network bench: the SDK as users meet it, over TLS, across tens of milliseconds, installed from its
// tarball or bundled by esbuild, against hand-written fetch and raw undici clients.
//
//   node bench/network.mjs                                   # the working tree's build (npm run build first)
//   BENCH_NETWORK_TARBALL=/path/aymara-ai-0.1.0.tgz node bench/network.mjs   # a published or older version
//   BENCH_QUICK=1 ...                                        # fewer rounds
//   BENCH_NETWORK_ONLY=25ms,none ...                         # only these networks
//   BENCH_NETWORK_OUT=file.json ...                          # where to save the result (bench/results/network.json)
//   node bench/network/report.mjs [file.json] [--markdown]  # the tables of a saved result
//
// Set-up, all on 127.0.0.1:
// - a self-signed certificate made with the openssl CLI, trusted by the clients through NODE_EXTRA_CA_CERTS;
// - network/tls-server.mjs: HTTPS, TLS 1.3 only, keep-alive, a 10,000-response run (about 600 bytes a response)
//   in pages of 100 as `{items, count}`, brotli or gzip when asked (precompressed), in its own process;
// - network/proxy.mjs: a TCP proxy in its own process, one port per network (25 ms, 80 ms, 25 ms at
//   50 Mbit/s), applying network/model.mjs (round trip, TCP handshake, slow start, bandwidth) and counting the
//   TCP connections and the bytes clients receive;
// - the clients, each run as a fresh `node` process: the SDK installed with `npm install <tarball>` into a
//   temporary folder, the same client script bundled by esbuild (ESM, minified, platform node) and run from a
//   folder with no node_modules, a hand-written global fetch loop with 4 requests in flight, and raw npm
//   undici.request with 4 in flight (gzip asked for, gunzipped by the script).
// Scenario 1 lists all 10,000 responses (`for await`, default pageConcurrency 4); its time is measured inside
// the client, from creating the client to the last item (process start and imports excluded: scenario 2 has
// them). Scenario 2 is one cold page, timed from spawn to exit, against a hand-written one-request fetch script.
// The clients take turns, their order rotating each round; the figures are medians over rounds. The ideal
// (network/ideal.mjs) is the same network model run on a virtual clock by a client that costs nothing.
import { execFileSync, fork, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { API_KEY, QUICK, RUN_UUID, isMain, log, median, round, runMain } from './lib.mjs';
import { generateRun } from './network/data.mjs';
import { idealListing, idealOnePage } from './network/ideal.mjs';
import { networkTable } from './network/report.mjs';

const ROUNDS = Number(process.env.BENCH_NETWORK_ROUNDS ?? (QUICK ? 2 : 5));
const COLD_ROUNDS = Number(process.env.BENCH_NETWORK_COLD_ROUNDS ?? (QUICK ? 3 : 7));
const RESPONSES = 10_000;
// BENCH_NETWORK_ONLY=25ms,none runs only those networks (the names below), for a quicker look at one figure.
const ONLY = process.env.BENCH_NETWORK_ONLY?.split(',') ?? ['25ms', '80ms', '25ms-50mbit', 'none'];
const PAGE_SIZE = 100;
const IN_FLIGHT = 4;
const REPO = fileURLToPath(new URL('..', import.meta.url));
const HERE = fileURLToPath(new URL('./network/', import.meta.url));
const CLIENTS_DIR = join(HERE, 'clients');

/**
 * The networks. The ratio to the ideal is reported, not checked: on a 2-core machine that also hosts the server and
 * the latency proxy, no client comes near it, the hand-written ones included.
 */
export const NETWORKS = [
  { name: '25ms', label: '25 ms RTT', rttMs: 25 },
  { name: '80ms', label: '80 ms RTT', rttMs: 80 },
  { name: '25ms-50mbit', label: '25 ms RTT, 50 Mbit/s', rttMs: 25, mbps: 50 },
  // No added latency: the listing only, to show what the clients' own work costs (their CPU floor: TLS,
  // decompression, JSON, validation, on this machine), which the ideal counts as nothing.
  { name: 'none', label: 'no added latency (CPU floor)', rttMs: 0, floor: true },
];

export const TARGETS = {
  vsFetchLoop: 1.05, // the SDK's listing within 5% of the hand-written fetch loop
  maxConnections: IN_FLIGHT,
  bytesVsGzip: 1.05, // bytes received at most 5% over the gzip size of the bodies
  coldVsFetch: 1.1, // one cold page no slower than the one-request fetch script plus 10%
  // The client process's CPU for the whole listing, every item validated, at most 15% over the fetch loop's:
  // serverless functions get a fraction of a core, so CPU is their wall time and their bill.
  cpuVsFetchLoop: 1.15,
};

/** What runs, per scenario: `dir` is the folder the script runs from (its cwd). */
function clientsFor(install, bundle) {
  return {
    listing: {
      sdkInstalled: { label: 'SDK installed', file: join(install, 'sdk-all.mjs'), cwd: install },
      sdkBundled: { label: 'SDK bundled (esbuild, no node_modules)', file: join(bundle, 'sdk-all.mjs'), cwd: bundle },
      fetchLoop: { label: 'hand-written global fetch loop, 4 in flight', file: join(CLIENTS_DIR, 'fetch-all.mjs'), cwd: CLIENTS_DIR },
      undici: { label: 'raw undici.request, 4 in flight, gzip', file: join(CLIENTS_DIR, 'undici-all.mjs'), cwd: CLIENTS_DIR },
    },
    cold: {
      sdkInstalled: { label: 'SDK installed', file: join(install, 'sdk-one.mjs'), cwd: install },
      sdkBundled: { label: 'SDK bundled (esbuild, no node_modules)', file: join(bundle, 'sdk-one.mjs'), cwd: bundle },
      fetchOne: { label: 'hand-written one-request fetch script', file: join(CLIENTS_DIR, 'fetch-one.mjs'), cwd: CLIENTS_DIR },
    },
  };
}

function run(command, args, options) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

/** A self-signed certificate for 127.0.0.1 (P-256, valid two days), made with the openssl CLI. */
function makeCertificate(dir) {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { key, cert };
}

/** The tarball under test: BENCH_NETWORK_TARBALL, else `npm pack` of this repo (its dist/ must be built). */
function tarball(dir) {
  const given = process.env.BENCH_NETWORK_TARBALL;
  if (given) return given;
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: REPO }));
  return join(dir, packed.filename);
}

/** Installs the tarball as a user would, into a fresh folder, with the client scripts beside it. */
function install(tgz, dir) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'bench-consumer', private: true, type: 'module' })}\n`);
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', tgz], { cwd: dir });
  for (const file of ['sdk-all.mjs', 'sdk-one.mjs']) copyFileSync(join(CLIENTS_DIR, file), join(dir, file));
  const { version } = JSON.parse(readFileSync(join(dir, 'node_modules', 'aymara-ai', 'package.json'), 'utf8'));
  return version;
}

/** Bundles the installed client scripts with esbuild, as a serverless user would, into a folder of their own. */
async function bundle(installDir, outdir) {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: ['sdk-all.mjs', 'sdk-one.mjs'].map((file) => join(installDir, file)),
    absWorkingDir: installDir,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    logLevel: 'error',
  });
  if (readdirSync(outdir).some((f) => f === 'node_modules')) throw new Error('the bundle folder must have no node_modules');
  return outdir;
}

/** Forks a helper process and waits for its first message of `type`; `ask()` sends a message and awaits the reply. */
async function startHelper(file, args, type) {
  const child = fork(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const first = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${file} exited with code ${code} before starting`)));
    child.on('message', (message) => message?.type === type && resolve(message));
  });
  child.removeAllListeners('exit');
  const ask = (message) =>
    new Promise((resolve) => {
      const onMessage = (reply) => {
        if (reply?.type !== message.type) return;
        child.off('message', onMessage);
        resolve(reply);
      };
      child.on('message', onMessage);
      child.send(message);
    });
  return { child, first, ask, stop: () => child.connected && child.disconnect() };
}

/** Runs one client script in a fresh process; returns its JSON line, the spawn-to-exit time and its stderr. */
function runClient(client, env) {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const start = performance.now();
    const child = spawn(process.execPath, [client.file], { cwd: client.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const wallMs = performance.now() - start;
      let output;
      try {
        output = JSON.parse(stdout.trim().split('\n').pop());
      } catch {
        output = undefined;
      }
      if (code !== 0 || !output)
        return reject(
          new Error(
            `${client.label} (${client.file}) exited with ${signal ?? `code ${code}`}:\n${stderr
              .split('\n')
              .filter((l) => l.length < 400)
              .slice(0, 20)
              .join('\n')}`,
          ),
        );
      resolve({ ...output, wallMs, stderr });
    });
  });
}

/** The environment of a client: the certificate trusted, no proxy variables, nothing of the SDK's own. */
function clientEnv(cert, url) {
  const inherited = Object.entries(process.env).filter(([name]) => !/^(https?_proxy|no_proxy|all_proxy|aymara_ai_.*)$/i.test(name));
  return { ...Object.fromEntries(inherited), NODE_EXTRA_CA_CERTS: cert, BENCH_URL: url, BENCH_RUN: RUN_UUID, BENCH_API_KEY: API_KEY };
}

const rotate = (list, by) => list.map((_, i) => list[(i + by) % list.length]);

export async function main() {
  const started = performance.now();
  const tmp = mkdtempSync(join(tmpdir(), 'aymara-bench-network-'));
  let server;
  let proxy;
  try {
    const { key, cert } = makeCertificate(tmp);
    const tgz = tarball(tmp);
    const installDir = join(tmp, 'installed');
    const version = install(tgz, installDir);
    const bundleDir = await bundle(installDir, join(tmp, 'bundled'));
    log(`network: aymara-ai ${version} from ${tgz}; installed and bundled in ${Math.round(performance.now() - started)} ms`);

    server = await startHelper(
      join(HERE, 'tls-server.mjs'),
      ['--cert', cert, '--key', key, '--responses', String(RESPONSES), '--page-size', String(PAGE_SIZE), '--run', RUN_UUID, '--api-key', API_KEY],
      'listening',
    );
    const { port, sizes, perPage } = server.first;
    proxy = await startHelper(
      join(HERE, 'proxy.mjs'),
      [String(port), JSON.stringify(NETWORKS.map(({ name, rttMs, mbps }) => ({ name, rttMs, mbps })))],
      'listening',
    );
    const { ports } = proxy.first;

    const run = generateRun(RESPONSES);
    const expected = {
      listing: { items: RESPONSES, passed: run.filter((r) => r.is_passed === true).length },
      cold: { items: PAGE_SIZE, passed: run.slice(0, PAGE_SIZE).filter((r) => r.is_passed === true).length },
    };
    const clients = clientsFor(installDir, bundleDir);

    /** One measured run: counters reset, the client run, its output checked, the counters read. */
    const measure = async (scenario, name, network) => {
      await Promise.all([server.ask({ type: 'reset' }), proxy.ask({ type: 'reset' })]);
      const client = clients[scenario][name];
      const out = await runClient(client, clientEnv(cert, `https://127.0.0.1:${ports[network.name]}`));
      const want = expected[scenario];
      if (out.items !== want.items || out.passed !== want.passed)
        throw new Error(`${client.label}: got ${out.items} items (${out.passed} passed), expected ${want.items} (${want.passed} passed)`);
      const [{ stats: s }, { stats: p }] = await Promise.all([server.ask({ type: 'stats' }), proxy.ask({ type: 'stats' })]);
      const net = p[network.name];
      return {
        ms: out.ms ?? out.wallMs,
        wallMs: out.wallMs,
        cpuMs: out.cpuMs,
        connections: net.connections,
        bytes: net.bytesToClients,
        requests: s.requests,
        encodings: s.encodings,
        warnings: out.stderr.trim(),
      };
    };

    // Warm-up (not timed): every cold-page script and the undici script once, so that the first timed round
    // does not pay for cold disk caches (the listing scripts load nothing more), and a client that cannot run
    // fails the bench before the long part.
    for (const name of Object.keys(clients.cold)) await measure('cold', name, NETWORKS[0]);
    await measure('listing', 'undici', NETWORKS[0]);

    const samples = {};
    const add = (scenario, network, name, sample) => {
      samples[scenario] ??= {};
      samples[scenario][network] ??= {};
      (samples[scenario][network][name] ??= []).push(sample);
    };
    log(`network: ${ROUNDS} rounds of the listing, ${COLD_ROUNDS} of the cold page, on ${NETWORKS.map((n) => n.label).join('; ')}`);
    const totalRounds = Math.max(ROUNDS, COLD_ROUNDS);
    for (let r = 0; r < totalRounds; r++) {
      for (const network of NETWORKS) {
        if (!ONLY.includes(network.name)) continue;
        for (const scenario of ['listing', 'cold']) {
          if (r >= (scenario === 'listing' ? ROUNDS : COLD_ROUNDS) || (scenario === 'cold' && network.floor)) continue;
          const names = rotate(Object.keys(clients[scenario]), r + NETWORKS.indexOf(network));
          const line = [];
          for (const name of names) {
            const sample = await measure(scenario, name, network);
            add(scenario, network.name, name, sample);
            line.push(`${name} ${sample.ms.toFixed(0)} ms/${sample.connections}c/${sample.cpuMs?.toFixed(0)}cpu`);
          }
          log(`  round ${r + 1} ${network.name.padEnd(11)} ${scenario.padEnd(7)} ${line.join(', ')}`);
        }
      }
    }

    // Figures and checks.
    const pageBytes = perPage.br; // the ideal client gets the smallest encoding the server has
    const networks = {};
    const checks = [];
    for (const network of NETWORKS.filter((n) => ONLY.includes(n.name))) {
      const ideal = idealListing({ rttMs: network.rttMs, mbps: network.mbps, pageBytes, concurrency: IN_FLIGHT });
      const idealCold = idealOnePage({ rttMs: network.rttMs, mbps: network.mbps, bytes: pageBytes[0] });
      const summarize = (list) => ({
        medianMs: round(median(list.map((s) => s.ms)), 1),
        runsMs: list.map((s) => round(s.ms, 1)),
        medianWallMs: round(median(list.map((s) => s.wallMs)), 1),
        // The client process's own CPU time (all its threads: TLS, decompression, JSON, validation), where it reports it.
        medianCpuMs: list.every((s) => typeof s.cpuMs === 'number') ? round(median(list.map((s) => s.cpuMs)), 1) : null,
        connections: { median: median(list.map((s) => s.connections)), max: Math.max(...list.map((s) => s.connections)) },
        bytes: Math.round(median(list.map((s) => s.bytes))),
        requests: median(list.map((s) => s.requests)),
        encodings: [...new Set(list.flatMap((s) => Object.keys(s.encodings)))],
        warnings: [...new Set(list.map((s) => s.warnings).filter(Boolean))],
      });
      const listing = Object.fromEntries(Object.entries(samples.listing[network.name]).map(([name, list]) => [name, summarize(list)]));
      const cold = Object.fromEntries(Object.entries(samples.cold?.[network.name] ?? {}).map(([name, list]) => [name, summarize(list)]));
      const reference = listing.fetchLoop.medianMs;
      for (const [name, s] of Object.entries(listing)) {
        s.vsIdeal = network.floor ? null : round(s.medianMs / ideal.ms, 3);
        s.vsFetchLoop = round(s.medianMs / reference, 3);
        // Per round (the clients ran back to back), a cross-check robust to slow drifts of the machine's load.
        s.pairedVsFetchLoop = round(median(samples.listing[network.name][name].map((x, i) => x.ms / samples.listing[network.name].fetchLoop[i].ms)), 3);
        s.bytesVsGzip = round(s.bytes / sizes.gzip, 3);
        const cpu = listing.fetchLoop.medianCpuMs;
        s.cpuVsFetchLoop = s.medianCpuMs === null || !cpu ? null : round(s.medianCpuMs / cpu, 3);
      }
      for (const [name, s] of Object.entries(cold)) {
        s.vsFetchOne = round(s.medianMs / cold.fetchOne.medianMs, 3);
        s.pairedVsFetchOne = round(median(samples.cold[network.name][name].map((x, i) => x.ms / samples.cold[network.name].fetchOne[i].ms)), 3);
      }
      networks[network.name] = {
        label: network.label,
        rttMs: network.rttMs,
        mbps: network.mbps ?? null,
        ideal: network.floor ? null : { ms: round(ideal.ms, 1), connections: ideal.connections },
        idealColdNetworkMs: network.floor ? null : round(idealCold.ms, 1),
        listing,
        cold,
      };

      if (network.floor) continue;
      for (const name of ['sdkInstalled', 'sdkBundled']) {
        const s = listing[name];
        const parts = [
          ['vs fetch loop', s.vsFetchLoop <= TARGETS.vsFetchLoop],
          ['connections', s.connections.max <= TARGETS.maxConnections],
          ['bytes', s.bytesVsGzip <= TARGETS.bytesVsGzip],
        ];
        const missed = parts.filter(([, ok]) => !ok).map(([what]) => what);
        checks.push({
          network: network.name,
          scenario: 'listing',
          client: name,
          what: `${network.label}: all ${RESPONSES.toLocaleString('en-US')}, ${name === 'sdkInstalled' ? 'installed' : 'bundled'}`,
          value: `${s.vsFetchLoop.toFixed(2)}x fetch, ${s.vsIdeal.toFixed(2)}x ideal, ${s.connections.max} conn, ${(s.bytes / 1e6).toFixed(2)} MB`,
          target: `<= ${TARGETS.vsFetchLoop.toFixed(2)}x fetch, (ideal reported), ${TARGETS.maxConnections}, ${((sizes.gzip * TARGETS.bytesVsGzip) / 1e6).toFixed(2)} MB`,
          pass: missed.length === 0,
          missed,
        });
        checks.push({
          network: network.name,
          scenario: 'cpu',
          client: name,
          what: `${network.label}: client CPU for all ${RESPONSES.toLocaleString('en-US')}, ${name === 'sdkInstalled' ? 'installed' : 'bundled'}`,
          value:
            s.cpuVsFetchLoop === null
              ? 'not reported'
              : `${s.medianCpuMs.toFixed(0)} ms, ${s.cpuVsFetchLoop.toFixed(2)}x the fetch loop's (${listing.fetchLoop.medianCpuMs.toFixed(0)} ms)`,
          target: `<= ${TARGETS.cpuVsFetchLoop.toFixed(2)}x`,
          pass: s.cpuVsFetchLoop === null ? undefined : s.cpuVsFetchLoop <= TARGETS.cpuVsFetchLoop,
          missed: s.cpuVsFetchLoop !== null && s.cpuVsFetchLoop <= TARGETS.cpuVsFetchLoop ? [] : ['client CPU vs fetch loop'],
        });
        const c = cold[name];
        checks.push({
          network: network.name,
          scenario: 'cold',
          client: name,
          what: `${network.label}: one cold page, ${name === 'sdkInstalled' ? 'installed' : 'bundled'}`,
          value: `${c.medianMs.toFixed(0)} ms, ${c.vsFetchOne.toFixed(2)}x the fetch script (${cold.fetchOne.medianMs.toFixed(0)} ms)`,
          target: `<= ${TARGETS.coldVsFetch.toFixed(2)}x`,
          pass: c.vsFetchOne <= TARGETS.coldVsFetch,
          missed: c.vsFetchOne <= TARGETS.coldVsFetch ? [] : ['vs fetch script'],
        });
      }
    }
    const result = {
      name: 'network',
      version,
      tarball: tgz,
      rounds: ROUNDS,
      coldRounds: COLD_ROUNDS,
      responses: RESPONSES,
      pageSize: PAGE_SIZE,
      sizes,
      targets: TARGETS,
      loadavg: loadavg().map((l) => round(l, 2)),
      networks,
      checks,
      seconds: round((performance.now() - started) / 1000, 1),
    };
    log(`\n${networkTable(result)}`);
    // Kept on its own too, so that runs of different versions (BENCH_NETWORK_TARBALL) can be compared.
    const out = process.env.BENCH_NETWORK_OUT ?? join(REPO, 'bench', 'results', 'network.json');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    log(`network: written to ${out}`);
    return result;
  } finally {
    server?.stop();
    proxy?.stop();
    if (process.env.BENCH_NETWORK_KEEP !== '1') rmSync(tmp, { recursive: true, force: true });
    else log(`network: kept ${tmp}`);
  }
}

if (isMain(import.meta.url)) runMain(main);
