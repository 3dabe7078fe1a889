/**
 * Soak: 10,000 sequential requests over keep-alive against a fast loopback server. The client runs in a
 * child process (`node --expose-gc --import tsx`) so its heap can be measured after a forced GC; the server
 * runs here and counts the sockets it sees.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { json, response, startServer } from '../helpers/server.js';

const REQUESTS = 10_000;
const CHILD = fileURLToPath(new URL('./soak-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BOUND_MS = 45_000;

interface SoakResult {
  requests: number;
  items: number;
  ms: number;
  perRequestUs: number;
  heapAfterFirstWindowMB: number;
  heapAfterLastWindowMB: number;
  heapGrowthMB: number;
  heapMaxMB: number;
  failingCalls: number;
  typedErrors: number;
  heapGrowthOverFailingCallsMB: number;
  abortListenersLeft: number;
  warnings: string[];
}

/** Runs the child to its natural end; rejects if it has not exited within `BOUND_MS` (it is then killed). */
function runChild(baseURL: string): Promise<{ code: number | null; stdout: string; stderr: string; exitAfterOutputMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, baseURL, String(REQUESTS)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let outputAt = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('SOAK ')) outputAt ||= performance.now();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`soak child still running after ${BOUND_MS} ms (a leaked handle keeps it alive?)\n${stdout}\n${stderr}`));
    }, BOUND_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, exitAfterOutputMs: outputAt ? Math.round(performance.now() - outputAt) : -1 });
    });
  });
}

describe('soak', () => {
  it(
    `${REQUESTS.toLocaleString('en')} sequential requests over keep-alive: one socket, bounded heap, nothing left behind`,
    { timeout: 60_000 },
    async (ctx) => {
      const page = { items: Array.from({ length: 10 }, (_, i) => response(i)), count: 10 };
      const body = JSON.stringify(page);
      const server = await startServer((req, res) => (req.url?.includes('/run-fail/') ? json(res, 503, '', { 'retry-after-ms': '0' }) : json(res, 200, body)));
      ctx.onTestFinished(() => server.close());

      const { code, stdout, stderr, exitAfterOutputMs } = await runChild(server.url);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const line = stdout.split('\n').find((l) => l.startsWith('SOAK '));
      expect(line).toBeDefined();
      const result = JSON.parse((line ?? '').slice(5)) as SoakResult;
      const figures = { ...result, serverRequests: server.requests.length, distinctSockets: server.connections, exitAfterOutputMs };
      console.log(`SOAK ${JSON.stringify(figures)}`);

      expect(result.items).toBe(REQUESTS * 10);
      // The successful calls, then each failing call twice (one retry).
      expect(server.requests).toHaveLength(REQUESTS + 2 * result.failingCalls);
      expect(result.typedErrors).toBe(result.failingCalls);
      expect(result.heapGrowthOverFailingCallsMB).toBeLessThan(5);
      // Sequential calls reuse keep-alive connections: two clients here, each with 2-3 sockets (undici opens a second
      // one early on, raw undici.request too; a first request sent through Node's built-in fetch has its own pool).
      // The pool allows 16 per client at most, and the count must not grow with the number of requests.
      expect(server.connections).toBeLessThanOrEqual(8);
      expect(server.connections).toBeLessThanOrEqual(2 * 16);
      // The heap after a forced GC does not grow with the number of requests.
      expect(result.heapGrowthMB).toBeLessThan(5);
      // Every call removed the listener it added to the long-lived signal, and nothing warned.
      expect(result.abortListenersLeft).toBe(0);
      expect(result.warnings).toEqual([]);
      // After close() the process ended on its own: no timer, socket or listener kept it alive.
      expect(exitAfterOutputMs).toBeLessThan(2_000);
    },
  );
});
