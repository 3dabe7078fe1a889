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
  activeResourcesAfterClose: string[];
  warnings: string[];
}

interface SoakChild {
  /** Its SOAK line, parsed; rejects if the child exits without one. */
  result: Promise<SoakResult>;
  /** How it ended, once it has ended by itself. */
  exit: Promise<{ code: number | null; stderr: string; afterOutputMs: number }>;
  /** Ends it if it is still running. */
  kill(): void;
}

/**
 * Starts the child. Nothing here is bounded by time: the work is fixed, and the test's timeout (far above what the
 * work takes on a loaded machine) catches a child that never ends.
 */
function startChild(baseURL: string): SoakChild {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, baseURL, String(REQUESTS)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let outputAt = 0;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; stderr: string; afterOutputMs: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr, afterOutputMs: outputAt ? Math.round(performance.now() - outputAt) : -1 })),
  );
  const result = new Promise<SoakResult>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // A whole line: the text after it has begun.
      const line = stdout.split('\n').find((l, i, lines) => l.startsWith('SOAK ') && i < lines.length - 1);
      if (line && !outputAt) {
        outputAt = performance.now();
        resolve(JSON.parse(line.slice(5)) as SoakResult);
      }
    });
    void exit.then(({ code }) => reject(new Error(`the soak child exited (${code}) without its SOAK line\n${stdout}\n${stderr}`)));
  });
  return {
    result,
    exit,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

describe('soak', () => {
  it(
    `${REQUESTS.toLocaleString('en')} sequential requests over keep-alive: one socket, bounded heap, nothing left behind`,
    // Fixed work, some 12,000 requests: about 10 s on an idle machine. The timeout only catches a hang.
    { timeout: 300_000 },
    async (ctx) => {
      const page = { items: Array.from({ length: 10 }, (_, i) => response(i)), count: 10 };
      const body = JSON.stringify(page);
      const server = await startServer((req, res) => (req.url?.includes('/run-fail/') ? json(res, 503, '', { 'retry-after-ms': '0' }) : json(res, 200, body)));
      ctx.onTestFinished(() => server.close());

      const child = startChild(server.url);
      ctx.onTestFinished(() => child.kill());
      const result = await child.result;
      // After close() nothing keeps the event loop alive (no timer, socket or listener) but the child's stdout and
      // stderr pipes: so the process ends on its own, with nothing written to stderr.
      const leftActive = Object.groupBy(
        result.activeResourcesAfterClose.filter((resource) => resource !== 'PipeWrap'),
        (resource) => resource,
      );
      expect(Object.fromEntries(Object.entries(leftActive).map(([type, all]) => [type, all?.length])), 'active after close(), by type').toEqual({});
      const { code, stderr, afterOutputMs } = await child.exit;
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const figures = { ...result, serverRequests: server.requests.length, distinctSockets: server.connections, exitAfterOutputMs: afterOutputMs };
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
    },
  );
});
