import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AymaraAI, AuthenticationError, ServiceUnavailableError, type ClientOptions, type Logger, type LogLevel } from 'aymara-ai';
import { closedPortURL, json, response, startServer, type TestServer } from './helpers/server.js';

const KEY = 'log-test-key';
const PAGE = { items: [response(1)], count: 1 };

type Level = keyof Logger;
interface Line {
  level: Level;
  text: string;
  data: unknown[];
}

function capture(): { logger: Logger; lines: Line[]; at: (level: Level) => Line[] } {
  const lines: Line[] = [];
  const sink =
    (level: Level) =>
    (message: string, ...data: unknown[]) => {
      lines.push({ level, text: message, data });
    };
  return {
    lines,
    logger: { error: sink('error'), warn: sink('warn'), info: sink('info'), debug: sink('debug') },
    at: (level) => lines.filter((l) => l.level === level),
  };
}

/**
 * Run `flaky-N` answers 503 twice (retry-after-ms: 0, so the retries are instant) then 200;
 * run `down` always 503; run `denied` 401; any other run 200.
 */
let server: TestServer;
const flakyHits = new Map<string, number>();
beforeAll(async () => {
  server = await startServer((req, res) => {
    const url = req.url ?? '';
    if (url.includes('/eval-runs/denied')) return json(res, 401, { error: { code: 'auth.invalid_key', message: 'no', details: {} }, request_id: 'r-401' });
    if (url.includes('/eval-runs/down')) return json(res, 503, 'busy', { 'retry-after-ms': '0' });
    if (url.includes('/eval-runs/flaky')) {
      const hits = (flakyHits.get(url) ?? 0) + 1;
      flakyHits.set(url, hits);
      if (hits <= 2) return json(res, 503, 'busy', { 'retry-after-ms': '0' });
    }
    json(res, 200, PAGE, { 'x-request-id': 'req-log-1', 'x-server-note': 'hello-from-server' });
  });
});
afterAll(() => server.close());

let flakyCounter = 0;
/** A fresh run id whose first two requests fail with 503. */
const flakyRun = () => `flaky-${++flakyCounter}`;

const clients: AymaraAI[] = [];
function client(options: ClientOptions): AymaraAI {
  const c = new AymaraAI({ apiKey: KEY, baseURL: server.url, ...options });
  clients.push(c);
  return c;
}

let savedEnv: string | undefined;
beforeEach(() => {
  savedEnv = process.env.AYMARA_AI_LOG;
  delete process.env.AYMARA_AI_LOG;
});
afterEach(async () => {
  if (savedEnv === undefined) delete process.env.AYMARA_AI_LOG;
  else process.env.AYMARA_AI_LOG = savedEnv;
  vi.restoreAllMocks();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('log level precedence: option > AYMARA_AI_LOG > warn', () => {
  it('defaults to warn: nothing for a clean call, a warning per retry', async () => {
    const { logger, lines, at } = capture();
    const c = client({ logger });
    await c.evals.runs.listResponses('ok');
    expect(lines).toEqual([]);
    await c.evals.runs.listResponses(flakyRun());
    expect(at('warn')).toHaveLength(2);
    expect(at('info')).toHaveLength(0);
    expect(at('debug')).toHaveLength(0);
  });

  it('takes the level from AYMARA_AI_LOG when no option is given', async () => {
    process.env.AYMARA_AI_LOG = 'info';
    const { logger, at } = capture();
    await client({ logger }).evals.runs.listResponses('ok');
    expect(at('info')).toHaveLength(1);
  });

  it('AYMARA_AI_LOG=off silences even the retry warnings', async () => {
    process.env.AYMARA_AI_LOG = 'off';
    const { logger, lines } = capture();
    await client({ logger }).evals.runs.listResponses(flakyRun());
    expect(lines).toEqual([]);
  });

  it('AYMARA_AI_LOG=debug turns on debug lines', async () => {
    process.env.AYMARA_AI_LOG = 'debug';
    const { logger, at } = capture();
    await client({ logger }).evals.runs.listResponses('ok');
    expect(at('debug').length).toBeGreaterThan(0);
  });

  it('the option wins over AYMARA_AI_LOG, both ways', async () => {
    process.env.AYMARA_AI_LOG = 'debug';
    const quiet = capture();
    await client({ logger: quiet.logger, logLevel: 'off' }).evals.runs.listResponses(flakyRun());
    expect(quiet.lines).toEqual([]);

    process.env.AYMARA_AI_LOG = 'off';
    const loud = capture();
    await client({ logger: loud.logger, logLevel: 'info' }).evals.runs.listResponses('ok');
    expect(loud.at('info')).toHaveLength(1);
  });

  it('reads AYMARA_AI_LOG when the client is created', async () => {
    process.env.AYMARA_AI_LOG = 'info';
    const { logger, at } = capture();
    const c = client({ logger });
    process.env.AYMARA_AI_LOG = 'off';
    await c.evals.runs.listResponses('ok');
    expect(at('info')).toHaveLength(1);
  });
});

describe('levels', () => {
  it("'info' logs one line per attempt, each naming its attempt", async () => {
    const { logger, at } = capture();
    const run = flakyRun();
    const page = await client({ logger, logLevel: 'info' }).evals.runs.listResponses(run);
    expect(page.items).toHaveLength(1);
    const info = at('info').map((l) => l.text);
    expect(info).toHaveLength(3);
    info.forEach((text, i) => {
      expect(text).toContain(`attempt ${i + 1}`);
      expect(text).toContain(`/v2/eval-runs/${run}/responses`);
    });
    expect(info[0]).toContain('503');
    expect(info[1]).toContain('503');
    expect(info[2]).toContain('200');
    expect(at('debug')).toHaveLength(0);
  });

  it("'info' logs one line for a clean call, with method, URL and status", async () => {
    const { logger, lines } = capture();
    await client({ logger, logLevel: 'info' }).evals.runs.listResponses('ok', { limit: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('info');
    expect(lines[0]?.text).toContain(`GET ${server.url}/v2/eval-runs/ok/responses?limit=1`);
    expect(lines[0]?.text).toContain('200');
  });

  it("'warn' logs nothing for a clean call", async () => {
    const { logger, lines } = capture();
    await client({ logger, logLevel: 'warn' }).evals.runs.listResponses('ok');
    expect(lines).toEqual([]);
  });

  it("'error' logs no retry warnings", async () => {
    const { logger, at } = capture();
    await client({ logger, logLevel: 'error' }).evals.runs.listResponses(flakyRun());
    expect(at('warn')).toHaveLength(0);
    expect(at('info')).toHaveLength(0);
  });

  it("'debug' includes the request headers, redacted, and the response headers", async () => {
    const { logger, lines, at } = capture();
    await client({ logger, logLevel: 'debug', defaultHeaders: { Authorization: 'Bearer tok-SHOULD-NOT-APPEAR', 'x-team': 'evals' } }).evals.runs.listResponses(
      'ok',
    );
    const debug = at('debug');
    expect(debug.length).toBeGreaterThanOrEqual(2);
    const all = JSON.stringify(lines);
    // Request headers.
    expect(all).toContain('user-agent');
    expect(all).toContain('aymara-ai');
    expect(all).toContain('x-team');
    expect(all).toContain('evals');
    expect(all).toContain('[redacted]');
    expect(all).not.toContain('tok-SHOULD-NOT-APPEAR');
    expect(all).not.toContain(KEY);
    // Response headers.
    expect(all).toContain('hello-from-server');
    expect(all).toContain('req-log-1');
    // Still says which attempt and what status.
    expect(debug.some((l) => /attempt 1/.test(l.text) && /200/.test(l.text))).toBe(true);
  });

  it("'off' logs nothing, even for retries and a final failure", async () => {
    const { logger, lines } = capture();
    const c = client({ logger, logLevel: 'off' });
    await c.evals.runs.listResponses(flakyRun());
    await expect(c.evals.runs.listResponses('down', {}, { maxRetries: 1 })).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(c.evals.runs.listResponses('denied')).rejects.toBeInstanceOf(AuthenticationError);
    expect(lines).toEqual([]);
  });

  it('logs a failed attempt (no response) at info', async () => {
    const { logger, at } = capture();
    const offline = client({ logger, logLevel: 'info', baseURL: await closedPortURL(), maxRetries: 0, timeout: 2_000 });
    await expect(offline.evals.runs.listResponses('ok')).rejects.toThrow();
    expect(at('info')).toHaveLength(1);
    expect(at('info')[0]?.text).toMatch(/attempt 1.*failed/);
  });
});

describe('where lines go', () => {
  it('to the given logger, never to console', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
    const { logger, lines } = capture();
    await client({ logger, logLevel: 'debug' }).evals.runs.listResponses(flakyRun());
    expect(lines.length).toBeGreaterThan(0);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('to console when no logger is given', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await client({}).evals.runs.listResponses(flakyRun());
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[0]?.[0])).toContain('retrying');
  });

  /**
   * Every kind of line the SDK writes: retried 503s then a 200 (retry warnings, a line per attempt, headers at
   * debug), a 503 that stays (a retry warning, then the final failure), a 401 (no retry), and a connection refused
   * (an attempt that failed without a response).
   */
  async function everyKindOfLine(options: ClientOptions): Promise<void> {
    const c = client(options);
    await c.evals.runs.listResponses(flakyRun());
    await expect(c.evals.runs.listResponses('down', {}, { maxRetries: 1 })).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(c.evals.runs.listResponses('denied')).rejects.toBeInstanceOf(AuthenticationError);
    const offline = client({ ...options, baseURL: await closedPortURL(), maxRetries: 0, timeout: 2_000 });
    await expect(offline.evals.runs.listResponses('ok')).rejects.toThrow();
  }

  /** The level a line was written at, told by what it says. */
  function levelOf(line: Line): Level {
    if (/retrying in \d+ ms$/.test(line.text)) return 'warn';
    // At debug the attempt lines carry the headers; at info they do not.
    if (line.data.length > 0) return 'debug';
    if (/-> \d{3} in \d+ ms$|failed in \d+ ms: /.test(line.text)) return 'info';
    throw new Error(`a line of no known kind: ${line.text}`);
  }

  // How many lines reach each method at each level, for everyKindOfLine(). The SDK writes nothing at `error`: a final
  // failure is the caller's, thrown, never logged. So at `error` nothing may reach any method, not even `error`.
  const expected: Record<Exclude<LogLevel, 'off'>, Record<Level, number>> = {
    error: { error: 0, warn: 0, info: 0, debug: 0 },
    // 2 retries of the flaky run, 1 of the 503 that stays.
    warn: { error: 0, warn: 3, info: 0, debug: 0 },
    // Plus a line per attempt: 3 flaky, 2 down, 1 denied, 1 refused.
    info: { error: 0, warn: 3, info: 7, debug: 0 },
    // The attempts with a response become a request line and a response line with headers (2 per attempt, 6
    // attempts); the refused one keeps its info line, after a request line.
    debug: { error: 0, warn: 3, info: 1, debug: 13 },
  };

  it.each(Object.keys(expected) as Exclude<LogLevel, 'off'>[])(
    'each line at %s goes to the method of its level, and none below the level',
    async (logLevel) => {
      const { logger, lines, at } = capture();
      await everyKindOfLine({ logger, logLevel });
      const counts = { error: at('error').length, warn: at('warn').length, info: at('info').length, debug: at('debug').length };
      expect(counts, `lines per logger method at ${logLevel}`).toEqual(expected[logLevel]);
      for (const line of lines) {
        expect(line.level, line.text).toBe(levelOf(line));
        expect(line.text).toMatch(/^\[aymara-ai\] /);
      }
    },
  );
});
