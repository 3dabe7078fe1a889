// Helpers shared by the bench scripts: the page server as a child process, statistics, result output.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const QUICK = process.env.BENCH_QUICK === '1';
export const RUN_UUID = 'bench-run-0000-4000-a000-000000000001';
export const API_KEY = 'bench-key';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));

/**
 * Starts bench/server.mjs in its own process and waits for the port it prints.
 * The server exits when its stdin closes, so it never outlives this process.
 */
export function startServer({ responses, pageSize = 100, latency = 0 }) {
  const child = spawn(
    process.execPath,
    [SERVER, '--responses', String(responses), '--page-size', String(pageSize), '--latency', String(latency), '--run', RUN_UUID],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited with code ${code} before printing its port`)));
    lines.once('line', (line) => {
      const port = Number(line.trim());
      if (!Number.isInteger(port) || port <= 0) return reject(new Error(`bench server printed ${JSON.stringify(line)}, not a port`));
      child.removeAllListeners('exit');
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        close: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.stdin.end();
          }),
      });
    });
  });
}

export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (values) => quantile(values, 0.5);

export function round(value, digits = 2) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Progress goes to stderr; stdout carries only the final JSON result, for bench/run.mjs. */
export function log(...args) {
  console.error(...args);
}

export function emitResult(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Whether this module is the script node was started with (so each bench also runs on its own). */
export function isMain(importMetaUrl) {
  return process.argv[1] !== undefined && fileURLToPath(importMetaUrl) === process.argv[1];
}

/** Runs a bench's main(): prints its result as JSON on stdout, or the error on stderr with exit code 1. */
export function runMain(main) {
  main().then(
    (result) => {
      emitResult(result);
      if (result?.error) process.exitCode = 1;
    },
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
