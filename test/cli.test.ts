/**
 * The `aymara-ai` command line, run as users run it: the BUILT bin (dist/cli.js) in a child process,
 * against the mock API of `aymara-ai/testing` on loopback. Every child is spawned asynchronously (the mock
 * server lives in this process), and independent children run concurrently to keep the file fast.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEvals } from './helpers/gate-reports.js';
import { generateResponses, startMockServer, type MockFixtures, type MockServer } from 'aymara-ai/testing';
import { closedPortURL, json, startServer, type TestServer } from './helpers/server.js';
import { CLI, ensureBuiltBeforeAll, expectDocumentsCLI, ROOT } from './cli-harness.js';

ensureBuiltBeforeAll();

const KEY = 'sk-cli-SECRET-987';
const WRONG_KEY = 'sk-cli-WRONG-654';

type Item = Record<string, unknown>;

/** Items that stress CSV quoting, the content/next_prompt flattening, nulls, defaults and open enums. */
const TRICKY: Item[] = [
  { prompt_uuid: 'tricky-comma', content: 'one, two, three', explanation: 'commas, everywhere, here', is_passed: true, confidence: 0.5 },
  {
    prompt_uuid: 'tricky-quote',
    content: 'She said "no" and meant it',
    explanation: '"quoted" at both ends "',
    is_passed: false,
    ai_refused: true,
    confidence: 0.25,
  },
  {
    prompt_uuid: 'tricky-newline',
    thread_uuid: 'thread-tricky',
    turn_number: 2,
    continue_thread: true,
    content: 'line one\nline two\r\nline three',
    explanation: 'multi\nline, "all" of it',
    is_passed: true,
    // No turn_number: the nested default (1) applies.
    next_prompt: { prompt_uuid: 'next-tricky', content: 'go on, "please"' },
  },
  { prompt_uuid: 'tricky-spaces', content: '  padded  ', explanation: null, is_passed: null, confidence: null },
  {
    prompt_uuid: 'tricky-file-uuid-only',
    content: { file_uuid: 'file-only-uuid', remote_file_path: null },
    content_type: 'image',
    is_passed: true,
    confidence: 1,
  },
  { prompt_uuid: 'tricky-null-content', content: null, content_type: 'audio', is_passed: false, exclude_from_scoring: true },
  { prompt_uuid: 'tricky-minimal' },
  {
    prompt_uuid: 'tricky-unknown-field',
    content: 'café ✓ — ünïcode',
    content_type: 'audio',
    is_passed: true,
    ai_refused: true,
    extra_field: { nested: [1, 2] },
  },
];

const RUN = 'run-cli-main';
const MAIN: Item[] = generateResponses(60, 11);
MAIN.splice(20, 0, ...TRICKY.slice(0, 4));
MAIN.splice(45, 0, ...TRICKY.slice(4));

const RUN_WS = 'run-cli-workspace';
const WS = 'ws-cli-1';
const WS_ITEMS = generateResponses(12, 3);

const RUN_UNSCORED = 'run-cli-unscored';
const UNSCORED: Item[] = [
  { prompt_uuid: 'u-1', is_passed: null },
  { prompt_uuid: 'u-2' },
  { prompt_uuid: 'u-3', exclude_from_scoring: true, is_passed: true },
  { prompt_uuid: 'u-4', exclude_from_scoring: true, is_passed: false, ai_refused: true },
];

const RUN_EMPTY = 'run-cli-empty';
const RUN_BIG = 'run-cli-big';
const BIG = generateResponses(4000, 5);

const FIXTURES: MockFixtures = withEvals({
  apiKey: KEY,
  runs: {
    [RUN]: { responses: MAIN },
    [RUN_WS]: { workspace_uuid: WS, responses: WS_ITEMS },
    [RUN_UNSCORED]: { responses: UNSCORED },
    [RUN_EMPTY]: { responses: [] },
    [RUN_BIG]: { responses: BIG },
  },
});

/** The documented CSV columns (src/cli/output.ts CSV_COLUMNS), spelled out so a change shows here. */
const CSV_COLUMNS = [
  'prompt_uuid',
  'thread_uuid',
  'turn_number',
  'continue_thread',
  'content',
  'content_type',
  'exclude_from_scoring',
  'ai_refused',
  'response_uuid',
  'explanation',
  'confidence',
  'is_passed',
  'next_prompt',
  'manually_updated',
  'manually_updated_at',
];

/** An item as the SDK returns it: the documented defaults filled in, unknown fields kept. */
function withDefaults(item: Item): Item {
  const out: Item = { turn_number: 1, continue_thread: false, content_type: 'text', exclude_from_scoring: false, ai_refused: false, ...item };
  if (item.next_prompt) out.next_prompt = { turn_number: 1, ...(item.next_prompt as Item) };
  return out;
}

/** A CSV cell as the CLI writes server text: control characters escaped (line breaks too), a formula start neutralised. */
function escapedCell(text: string): string {
  const escaped = text.replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  return /^[=+\-@\t\r]/.test(text) ? `'${escaped}` : escaped;
}

function expectedCSVRow(raw: Item): string[] {
  const r = withDefaults(raw);
  return CSV_COLUMNS.map((column) => {
    const value = r[column];
    if (value === null || value === undefined) return '';
    if (column === 'content' && typeof value === 'object') {
      const ref = value as { file_uuid?: string | null; remote_file_path?: string | null };
      return ref.remote_file_path ?? ref.file_uuid ?? '';
    }
    if (column === 'next_prompt') return (value as { prompt_uuid: string }).prompt_uuid;
    return typeof value === 'string' ? escapedCell(value) : String(value);
  });
}

interface Counts {
  total: number;
  passed: number;
  failed: number;
  refused: number;
  excluded: number;
  unscored: number;
  pass_rate: number | null;
}

/** The summary computed here, independently of src/summary.ts, in the CLI's JSON shape. */
function expectedSummary(runUUID: string, raw: readonly Item[]): Counts & { eval_run_uuid: string; by_content_type: Record<string, Counts> } {
  const tally = (items: Item[]): Counts => {
    const passed = items.filter((r) => !r.exclude_from_scoring && r.is_passed === true).length;
    const failed = items.filter((r) => !r.exclude_from_scoring && r.is_passed === false).length;
    return {
      total: items.length,
      passed,
      failed,
      refused: items.filter((r) => r.ai_refused === true).length,
      excluded: items.filter((r) => r.exclude_from_scoring === true).length,
      unscored: items.filter((r) => !r.exclude_from_scoring && (r.is_passed === null || r.is_passed === undefined)).length,
      pass_rate: passed + failed === 0 ? null : passed / (passed + failed),
    };
  };
  const items = raw.map(withDefaults);
  const types = [...new Set(items.map((r) => String(r.content_type)))];
  return {
    eval_run_uuid: runUUID,
    ...tally(items),
    by_content_type: Object.fromEntries(types.map((t) => [t, tally(items.filter((r) => r.content_type === t))])),
  };
}

const MAIN_SUMMARY = expectedSummary(RUN, MAIN);
const RATE = MAIN_SUMMARY.pass_rate as number;

// --- running the CLI -------------------------------------------------------------------------------------------

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Everything any child printed, checked for the key at the end. */
const printed: string[] = [];
const servers: { close(): Promise<void> }[] = [];
let server: MockServer;

/** The child's environment: this process's, minus anything AYMARA_AI_* or proxy, plus the key and the mock's URL. */
function childEnv(baseURL: string | undefined, overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !/^AYMARA_AI_|_proxy$/i.test(name));
  const merged = { ...Object.fromEntries(inherited), AYMARA_AI_API_KEY: KEY, AYMARA_AI_BASE_URL: baseURL, ...overrides };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

interface RunOptions {
  /** The base URL in AYMARA_AI_BASE_URL; default: the shared mock server. */
  baseURL?: string;
  env?: Record<string, string | undefined>;
}

function collect(child: ReturnType<typeof spawn>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      printed.push(stdout, stderr);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `node dist/cli.js ...args` with piped stdio (so stderr is not a TTY). */
function cli(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  const env = childEnv(options.baseURL ?? server.url, options.env);
  return collect(spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** A mock server of its own, for tests that look at the requests or the request ids. */
async function fresh(): Promise<MockServer> {
  const s = await startMockServer({ fixtures: FIXTURES });
  servers.push(s);
  return s;
}

async function custom(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

/** util-linux `script`, which runs a command under a pseudo-terminal. */
function findScript(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/bin'];
  const found = dirs.map((dir) => join(dir, 'script')).find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      'util-linux `script` was not found on PATH or in /usr/bin: it is required to run the CLI under a pseudo-terminal (install util-linux / bsdutils)',
    );
  }
  return found;
}

const shellQuote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/** Runs the CLI under `script -qfec`, so its stdout and stderr are a pty; returns what the terminal showed. */
function cliInTTY(args: readonly string[]): Promise<Run> {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
  return collect(spawn(findScript(), ['-qfec', command, '/dev/null'], { cwd: ROOT, env: childEnv(server.url), stdio: ['ignore', 'pipe', 'pipe'] }));
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');
/** mock request ids: `req_mock_000001`, `req_mock_000002`, ... */
const mockId = (n: number) => `req_mock_${String(n).padStart(6, '0')}`;

beforeAll(async () => {
  server = await startMockServer({ fixtures: FIXTURES });
  servers.push(server);
});

afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

// --- 1. formats ------------------------------------------------------------------------------------------------

describe('output formats, parsed back and compared with the fixtures', () => {
  let out: Record<'json' | 'ndjson' | 'csv' | 'table' | 'summaryJSON' | 'summaryTable', Run>;

  beforeAll(async () => {
    const [json, ndjson, csv, table, summaryJSON, summaryTable] = await Promise.all([
      cli(['responses', RUN, '--format', 'json']),
      cli(['responses', RUN, '--format', 'ndjson']),
      cli(['responses', RUN, '--format', 'csv']),
      cli(['responses', RUN]),
      cli(['summary', RUN, '--format', 'json']),
      cli(['summary', RUN]),
    ]);
    out = { json, ndjson, csv, table, summaryJSON, summaryTable };
  });

  it('every run exits 0 with nothing on stderr (no notes, no progress when stderr is a pipe)', () => {
    for (const [name, run] of Object.entries(out)) {
      expect({ name, code: run.code, stderr: run.stderr }).toEqual({ name, code: 0, stderr: '' });
    }
  });

  it('json: one array equal to the fixture items with the documented defaults', () => {
    const parsed: unknown = JSON.parse(out.json.stdout);
    expect(parsed).toEqual(MAIN.map(withDefaults));
  });

  it('ndjson: one JSON object per line, in order', () => {
    expect(out.ndjson.stdout.endsWith('\n')).toBe(true);
    const rows = out.ndjson.stdout.slice(0, -1).split('\n');
    expect(rows).toHaveLength(MAIN.length);
    expect(rows.map((row) => JSON.parse(row) as unknown)).toEqual(MAIN.map(withDefaults));
  });

  it('csv: the documented columns; content and next_prompt flattened; booleans and numbers as text; null empty', () => {
    const rows = parse(out.csv.stdout);
    expect(rows[0]).toEqual(CSV_COLUMNS);
    expect(rows.slice(1)).toEqual(MAIN.map(expectedCSVRow));
    // Spot checks of what the general comparison proves.
    const byId = new Map(rows.slice(1).map((row) => [row[0], row]));
    const col = (id: string, column: string) => byId.get(id)?.[CSV_COLUMNS.indexOf(column)];
    expect(col('tricky-newline', 'content')).toBe('line one\\nline two\\r\\nline three');
    expect(col('tricky-newline', 'next_prompt')).toBe('next-tricky');
    expect(col('tricky-newline', 'continue_thread')).toBe('true');
    expect(col('tricky-quote', 'content')).toBe('She said "no" and meant it');
    expect(col('tricky-quote', 'confidence')).toBe('0.25');
    expect(col('tricky-file-uuid-only', 'content')).toBe('file-only-uuid');
    expect(col('tricky-spaces', 'content')).toBe('  padded  ');
    expect(col('tricky-minimal', 'is_passed')).toBe('');
    expect(col('tricky-minimal', 'turn_number')).toBe('1');
    const image = MAIN.find((r) => r.content_type === 'image' && (r.content as Item).remote_file_path) as Item;
    expect(col(image.prompt_uuid as string, 'content')).toBe((image.content as Item).remote_file_path);
    // The raw text really is quoted (RFC 4180: doubled quotes inside a quoted field).
    expect(out.csv.stdout).toContain('"She said ""no"" and meant it"');
    expect(out.csv.stdout).toContain('"one, two, three"');
  });

  it('table: every prompt_uuid and the count', () => {
    for (const item of MAIN) expect(out.table.stdout).toContain(item.prompt_uuid as string);
    expect(out.table.stdout).toContain(`${MAIN.length} responses`);
  });

  it('summary --format json: the numbers computed here from the fixtures', () => {
    expect(MAIN_SUMMARY.by_content_type).toHaveProperty('audio');
    expect(MAIN_SUMMARY.unscored).toBeGreaterThan(0);
    expect(MAIN_SUMMARY.excluded).toBeGreaterThan(0);
    expect(JSON.parse(out.summaryJSON.stdout)).toMatchObject(MAIN_SUMMARY);
  });

  it('summary (table): the totals and a row per content type', () => {
    const text = out.summaryTable.stdout;
    expect(text).toContain(RUN);
    for (const name of ['total', 'passed', 'failed', 'refused', 'excluded', 'unscored'] as const) {
      expect(text).toMatch(new RegExp(`\\b${name}\\b[\\s│|]+${MAIN_SUMMARY[name]}\\b`));
    }
    expect(text).toContain(`${(RATE * 100).toFixed(1)}%`);
    for (const [type, c] of Object.entries(MAIN_SUMMARY.by_content_type)) {
      expect(text).toMatch(new RegExp(`\\b${type}\\b[\\s│|]+${c.total}\\b`));
    }
  });

  it('an empty run: json is [], csv is the header alone, summary has a null rate', async () => {
    const [json, csv, summary] = await Promise.all([
      cli(['responses', RUN_EMPTY, '--format', 'json']),
      cli(['responses', RUN_EMPTY, '--format', 'csv']),
      cli(['summary', RUN_EMPTY, '--format', 'json']),
    ]);
    expect([json.code, csv.code, summary.code]).toEqual([0, 0, 0]);
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(parse(csv.stdout)).toEqual([CSV_COLUMNS]);
    expect(JSON.parse(summary.stdout)).toMatchObject({ total: 0, pass_rate: null, by_content_type: {} });
  });

  it('--page-size 7 sends limit=7 on every request and still prints every item, in order', async () => {
    const s = await fresh();
    const run = await cli(['responses', RUN, '--format', 'ndjson', '--page-size', '7'], { baseURL: s.url });
    expect(run.code).toBe(0);
    expect(lines(run.stdout).map((line) => (JSON.parse(line) as Item).prompt_uuid)).toEqual(MAIN.map((r) => r.prompt_uuid));
    expect(s.api.requests.length).toBeGreaterThanOrEqual(Math.ceil(MAIN.length / 7));
    for (const request of s.api.requests) expect(request.url.searchParams.get('limit')).toBe('7');
    const offsets = new Set(s.api.requests.map((r) => Number(r.url.searchParams.get('offset') ?? 0)));
    for (let offset = 0; offset < MAIN.length; offset += 7) expect(offsets.has(offset)).toBe(true);
  });

  it('--workspace is sent as workspace_uuid on every request; a wrong workspace is a 404 (exit 3)', async () => {
    const s = await fresh();
    const [ok, wrong] = await Promise.all([
      cli(['responses', RUN_WS, '--format', 'json', '--workspace', WS, '--page-size', '5'], { baseURL: s.url }),
      cli(['responses', RUN_WS, '--format', 'json', '--workspace', 'ws-other'], { baseURL: s.url }),
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual(WS_ITEMS.map(withDefaults));
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toContain('resource.not_found');
    expect(s.api.requests.length).toBeGreaterThanOrEqual(4);
    for (const request of s.api.requests) expect(request.url.searchParams.get('workspace_uuid')).toMatch(/^(ws-cli-1|ws-other)$/);
    expect(s.api.requests.filter((r) => r.url.searchParams.get('workspace_uuid') === WS).length).toBeGreaterThanOrEqual(3);
  });

  it('--base-url is used instead of AYMARA_AI_BASE_URL', async () => {
    const s = await fresh();
    const run = await cli(['summary', RUN, '--format', 'json', '--base-url', s.url], { env: { AYMARA_AI_BASE_URL: 'https://api.invalid' } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject(MAIN_SUMMARY);
    // The run first (is it finished?), then its one page.
    // The run first, then its responses, the eval and its prompts, concurrently.
    const [first, ...rest] = s.api.requests.map((r) => r.route);
    expect(first).toBe('run');
    expect(rest.sort()).toEqual(['eval', 'prompts', 'responses']);
  });
});

// --- 2. exit codes ---------------------------------------------------------------------------------------------

describe('exit codes', () => {
  it('0 ok; 1 under --fail-under; the boundaries; the 90% syntax', async () => {
    const pct = Math.floor(RATE * 100);
    const cases: [string, number][] = [
      [String(RATE), 0], // exactly the rate
      [String(RATE - 1e-9), 0], // just below it
      [String(RATE + 1e-9), 1], // just above it
      ['0', 0],
      ['1', 1],
      [`${pct}%`, 0],
      [`${pct + 1}%`, 1],
      ['90%', RATE < 0.9 ? 1 : 0],
    ];
    await Promise.all(
      cases.map(async ([rate, code]) => {
        const run = await cli(['summary', RUN, '--format', 'json', '--fail-under', rate]);
        expect({ rate, code: run.code }).toEqual({ rate, code });
        expect(JSON.parse(run.stdout)).toMatchObject(MAIN_SUMMARY); // the data is printed either way
        if (code === 1) expect(run.stderr).toMatch(/fail: pass rate [\d.]+% is under/);
        else expect(run.stderr).toMatch(/^ok: pass rate [\d.]+% is at or above/);
      }),
    );
  });

  it('1 when nothing is scored and --fail-under is given, saying the rate is undefined', async () => {
    const [gated, ungated] = await Promise.all([
      cli(['summary', RUN_UNSCORED, '--format', 'json', '--fail-under', '0']),
      cli(['summary', RUN_UNSCORED, '--format', 'json']),
    ]);
    expect(gated.code).toBe(1);
    expect(gated.stderr).toMatch(/undefined/i);
    expect(JSON.parse(gated.stdout)).toMatchObject(expectedSummary(RUN_UNSCORED, UNSCORED));
    expect(JSON.parse(gated.stdout)).toMatchObject({ total: 4, passed: 0, failed: 0, excluded: 2, unscored: 2, refused: 1, pass_rate: null });
    expect(ungated.code).toBe(0);
  });

  it('2 for usage errors, before any request', async () => {
    const s = await fresh();
    const cases: string[][] = [
      [],
      ['frobnicate', RUN],
      ['responses'],
      ['summary'],
      ['summary', RUN, '--nope'],
      ['summary', RUN, 'extra-arg'],
      ['responses', RUN, '--format', 'xml'],
      ['summary', RUN, '--format', 'csv'],
      ['responses', RUN, '--page-size', '0'],
      ['responses', RUN, '--page-size', 'ten'],
      ['summary', RUN, '--fail-under', '1.5'],
      ['summary', RUN, '--fail-under', 'abc'],
      ['summary', RUN, '--fail-under', '150%'],
      ['summary', RUN, '--workspace', ''],
      // Bad input the SDK refuses before sending anything.
      ['summary', '..'],
      ['summary', RUN, '--base-url', 'not a url'],
    ];
    await Promise.all(
      cases.map(async (args) => {
        const run = await cli(args, { baseURL: s.url });
        expect({ args, code: run.code }).toEqual({ args, code: 2 });
        expect(run.stdout).toBe('');
        expect(run.stderr).toMatch(/^error: /);
        expect(run.stderr).toContain('--help');
      }),
    );
    expect(s.api.requests).toHaveLength(0);
  });

  it('2 for a missing AYMARA_AI_API_KEY or a plain-http base URL that is not loopback; a bad AYMARA_AI_LOG is a warning', async () => {
    const s = await fresh();
    const [noKey, emptyKey, insecureFlag, insecureEnv, badLog] = await Promise.all([
      cli(['summary', RUN], { baseURL: s.url, env: { AYMARA_AI_API_KEY: undefined } }),
      cli(['summary', RUN], { baseURL: s.url, env: { AYMARA_AI_API_KEY: '' } }),
      cli(['summary', RUN, '--base-url', 'http://example.com']),
      cli(['summary', RUN], { baseURL: 'http://api.example.com' }),
      cli(['summary', RUN], { baseURL: server.url, env: { AYMARA_AI_LOG: 'loud' } }),
    ]);
    for (const run of [noKey, emptyKey]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('AYMARA_AI_API_KEY');
    }
    // In the CLI's terms: the flag or the variable, never the SDK's `allowInsecureHTTP`, which the CLI has no way to set.
    const https = 'is not https: the CLI sends your key only over https; http only to a loopback host (localhost, 127.0.0.1, ::1)';
    const usage = "\nRun 'aymara-ai --help' for usage.\n";
    expect(insecureFlag).toMatchObject({ code: 2, stdout: '', stderr: `error: --base-url http://example.com ${https}${usage}` });
    expect(insecureEnv).toMatchObject({ code: 2, stdout: '', stderr: `error: AYMARA_AI_BASE_URL http://api.example.com ${https}${usage}` });
    expect(s.api.requests).toHaveLength(0);
    // The SDK warns once and falls back to 'warn'; the command does its work.
    expect(badLog.code).toBe(0);
    expect(badLog.stderr).toContain('AYMARA_AI_LOG');
  });

  it('3 for API errors (404, 401, 500 after retries) with the code and the mock request id on stderr', async () => {
    const [s404, s401, s500, sRecover] = await Promise.all([fresh(), fresh(), fresh(), fresh()]);
    // retry-after-ms keeps the retries fast; the CLI uses the default maxRetries (2): 3 attempts.
    s500.api.inject({ status: 500, times: 3, headers: { 'retry-after-ms': '20' } });
    sRecover.api.inject({ status: 503, times: 2, headers: { 'retry-after-ms': '20' } });
    const [notFound, badKey, serverError, recovered] = await Promise.all([
      cli(['responses', 'no-such-run', '--format', 'json'], { baseURL: s404.url }),
      cli(['summary', RUN], { baseURL: s401.url, env: { AYMARA_AI_API_KEY: WRONG_KEY } }),
      cli(['summary', RUN, '--format', 'json'], { baseURL: s500.url, env: { AYMARA_AI_LOG: 'debug' } }),
      cli(['summary', RUN, '--format', 'json'], { baseURL: sRecover.url }),
    ]);
    const cases: [Run, MockServer, string, number][] = [
      [notFound, s404, 'resource.not_found', 404],
      [badKey, s401, 'auth.invalid_key', 401],
      [serverError, s500, 'server.internal_error', 500],
    ];
    for (const [run, s, code, status] of cases) {
      expect({ code, exit: run.code }).toEqual({ code, exit: 3 });
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(code);
      expect(run.stderr).toContain(String(status));
      // The id printed is the one the mock gave its last answer.
      const printedId = /request id: (req_mock_\d{6})/.exec(run.stderr)?.[1];
      expect(printedId).toBe(mockId(s.api.requests.length));
    }
    expect(s500.api.requests).toHaveLength(3);
    expect(serverError.stderr).toContain('[aymara-ai]'); // the debug log went to stderr
    expect(recovered.code).toBe(0);
    expect(JSON.parse(recovered.stdout)).toMatchObject(MAIN_SUMMARY);
  });

  it('3 for a body that fails validation, with the path and the request id', async () => {
    const s = await custom((_req, res) => json(res, 200, { items: [{}], count: 1 }, { 'x-request-id': 'req_custom_invalid_1' }));
    const run = await cli(['responses', RUN, '--format', 'json'], { baseURL: s.url });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('prompt_uuid');
    expect(run.stderr).toContain('req_custom_invalid_1');
    expect(s.requests).toHaveLength(1); // not retried
  });

  it('4 for a refused connection', async () => {
    const url = await closedPortURL();
    const run = await cli(['summary', RUN], { baseURL: url });
    expect(run.code).toBe(4);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: network: .*ECONNREFUSED/m);
  });
});

// --- 3. stdout is data only ------------------------------------------------------------------------------------

describe('stdout holds data only; notes go to stderr', () => {
  it('json, ndjson and csv parse completely with a gate note, a gate failure and the debug log', async () => {
    const env = { AYMARA_AI_LOG: 'debug' };
    const [json, ndjson, csv, failing, summary, quiet] = await Promise.all([
      cli(['responses', RUN, '--format', 'json', '--fail-under', '0.1', '--page-size', '20'], { env }),
      cli(['responses', RUN, '--format', 'ndjson', '--fail-under', '0.1', '--page-size', '20'], { env }),
      cli(['responses', RUN, '--format', 'csv', '--fail-under', '0.1', '--page-size', '20'], { env }),
      cli(['responses', RUN, '--format', 'json', '--fail-under', '1']),
      cli(['summary', RUN, '--format', 'json', '--fail-under', '0.1']),
      cli(['summary', RUN, '--format', 'json', '--fail-under', '0.1', '--quiet']),
    ]);
    expect(JSON.parse(json.stdout)).toEqual(MAIN.map(withDefaults));
    expect(lines(ndjson.stdout).map((line) => JSON.parse(line) as unknown)).toEqual(MAIN.map(withDefaults));
    expect(parse(csv.stdout)).toEqual([CSV_COLUMNS, ...MAIN.map(expectedCSVRow)]);
    for (const run of [json, ndjson, csv]) {
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('ok: pass rate');
      expect(run.stderr).toContain('[aymara-ai] GET'); // the SDK's debug lines, on stderr
    }
    expect(failing.code).toBe(1);
    expect(JSON.parse(failing.stdout)).toEqual(MAIN.map(withDefaults));
    expect(failing.stderr).toMatch(/fail: pass rate/);
    expect(summary.code).toBe(0);
    expect(summary.stderr).toContain('ok: pass rate');
    expect(JSON.parse(summary.stdout)).toMatchObject(MAIN_SUMMARY);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(JSON.parse(quiet.stdout)).toMatchObject(MAIN_SUMMARY);
  });
});

// --- 4. progress -----------------------------------------------------------------------------------------------

describe('progress bar', () => {
  it('none when stderr is not a TTY', async () => {
    const run = await cli(['responses', RUN, '--format', 'ndjson', '--page-size', '7']);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).not.toContain('[#');
    expect(run.stderr).toBe('');
  });

  it('on stderr when it is a TTY (under `script`), and not with --quiet', async () => {
    const [tty, quiet] = await Promise.all([
      cliInTTY(['responses', RUN, '--format', 'ndjson', '--page-size', '7']),
      cliInTTY(['responses', RUN, '--format', 'ndjson', '--page-size', '7', '--quiet']),
    ]);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toMatch(/\r\[[#-]{30}\] +\d{1,3}% [\d,]+\/[\d,]+ responses/);
    expect(tty.stdout).toContain(`100% ${MAIN.length}/${MAIN.length} responses`);
    // The data came through the terminal too.
    for (const item of MAIN) expect(tty.stdout).toContain(item.prompt_uuid as string);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).not.toMatch(/\d% [\d,]+\/[\d,]+ responses/);
    expect(quiet.stdout).toContain(String(MAIN[0]?.prompt_uuid));
  });
});

// --- 5. the key ------------------------------------------------------------------------------------------------

describe('the API key', () => {
  it('is refused as an argument (exit 2), pointing to AYMARA_AI_API_KEY, before any request', async () => {
    const s = await fresh();
    const cases = [
      ['summary', RUN, '--api-key', KEY],
      ['summary', RUN, `--api-key=${KEY}`],
      ['summary', RUN, '--key', KEY],
      ['--apikey', KEY, 'responses', RUN],
    ];
    await Promise.all(
      cases.map(async (args) => {
        const run = await cli(args, { baseURL: s.url });
        expect({ args, code: run.code }).toEqual({ args, code: 2 });
        expect(run.stdout).toBe('');
        expect(run.stderr).toContain('AYMARA_AI_API_KEY');
      }),
    );
    expect(s.api.requests).toHaveLength(0);
  });

  it('debug logging sends the key but never prints it', async () => {
    const run = await cli(['responses', RUN, '--format', 'json'], { env: { AYMARA_AI_LOG: 'debug' } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('[aymara-ai]');
    expect(server.api.requests.at(-1)?.headers['x-api-key']).toBe(KEY);
  });
});

// --- 6. help and version ---------------------------------------------------------------------------------------

describe('--help and --version', () => {
  it('--help (and -h) exit 0 and document every command, flag, exit code and AYMARA_AI_API_KEY', async () => {
    const [help, short] = await Promise.all([cli(['--help']), cli(['-h'])]);
    for (const run of [help, short]) {
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe(help.stdout);
    }
    expectDocumentsCLI(help.stdout);
    // <command> --help: the command's own help, wherever --help is.
    const [responses, compare, compareFirst] = await Promise.all([
      cli(['responses', RUN, '--help']),
      cli(['compare', '--help']),
      cli(['--help', 'compare', 'a', 'b']),
    ]);
    for (const run of [responses, compare, compareFirst]) expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(responses.stdout).toMatch(/^aymara-ai responses: /);
    expect(compare.stdout).toMatch(/^aymara-ai compare: /);
    expect(compareFirst.stdout).toBe(compare.stdout);
    for (const word of [
      '<baseline_run|latest> <candidate_run>',
      '--baseline-name',
      '--require-baseline',
      '--report',
      '--fail-on-regression',
      '--max-drop',
      '--alpha',
      'McNemar',
      'junit',
      'markdown',
      '--wait',
    ]) {
      expect(compare.stdout).toContain(word);
    }
  });

  it("--version (and -v) print package.json's version", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const [long, short] = await Promise.all([cli(['--version']), cli(['-v'])]);
    for (const run of [long, short]) {
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
      expect(run.stderr).toBe('');
    }
  });
});

// --- 7. a closed pipe ------------------------------------------------------------------------------------------

describe('a reader that closes early (`| head -1`)', () => {
  it('exits 0 without a stack trace', async () => {
    const child = spawn(process.execPath, [CLI, 'responses', RUN_BIG, '--format', 'ndjson'], {
      cwd: ROOT,
      env: childEnv(server.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    let received = '';
    const first = await new Promise<string>((resolve, reject) => {
      child.once('error', reject);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        if (child.stdout.destroyed) return;
        received += chunk;
        const end = received.indexOf('\n');
        if (end >= 0) {
          child.stdout.destroy();
          resolve(received.slice(0, end));
        }
      });
    });
    const [code, signal] = await closed;
    printed.push(received, stderr);
    expect((JSON.parse(first) as Item).prompt_uuid).toBe(BIG[0]?.prompt_uuid);
    // The reader left long before the end: the CLI met the closed pipe.
    expect(received.length).toBeLessThan(BIG.length * 100);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toMatch(/EPIPE|Error/);
  });
});

describe('a reader that closes early, with a gate to decide', () => {
  it('still fetches everything and exits by the gate, not 0', async () => {
    const child = spawn(process.execPath, [CLI, 'responses', RUN_BIG, '--format', 'ndjson', '--fail-under', '1'], {
      cwd: ROOT,
      env: childEnv(server.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = await closed;
    printed.push(stderr);
    // The fixtures have failures, so a 100% gate fails: the closed pipe must not turn that into a success.
    expect(code).toBe(1);
    expect(stderr).toMatch(/^fail: pass rate /m);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

// --- 5 (end). the key never printed ----------------------------------------------------------------------------

describe('the key in the output', () => {
  it('never appears on stdout or stderr in any run of this file', () => {
    expect(printed.length).toBeGreaterThan(50);
    const leaks = printed.flatMap((text) =>
      [KEY, WRONG_KEY].filter((key) => text.includes(key)).map((key) => text.slice(Math.max(0, text.indexOf(key) - 200), text.indexOf(key) + 50)),
    );
    expect(leaks).toEqual([]);
  });
});
