/**
 * Every code block of the README, and of docs/client.md (the reference the README links for options and types),
 * does what it says as written.
 *
 * A block's info string says how it is checked:
 * - ```ts: type-checked against the package (tsconfig's paths map `aymara-ai` to src/), then run with tsx in a
 *   child process whose AYMARA_AI_API_KEY and AYMARA_AI_BASE_URL point at a mock API serving FIXTURES below. The
 *   README writes `'eval_run_uuid'` where a run's UUID goes: here it is a real run of the mock.
 * - ```ts test: a vitest file; type-checked, then run with vitest.
 * - ```ts partial: type-checked only. Kept for the few blocks that cannot run alone: a shape shown as an editor
 *   shows it, a line that is a type error on purpose (its `// error TSnnnn` comment is the error expected), and the
 *   nock and MockAgent setups, whose `// ... your code under test ...` is where the reader's code goes.
 * - ```sh and ```yaml: every `aymara-ai` command line is parsed by the CLI's own parser, so each flag and
 *   command exists; ```sh synopsis (the CLI's usage lines) names only flags the CLI has. The `npx aymara-ai mock`
 *   session's second command is run against the mock of the demo's fixtures.
 *
 * The preamble: the README says its snippets use the quick start's `client`, and `runUUID` for a run's UUID; a
 * few name other values a reader has in hand (`page`, `response`, `traceId`, `myLogger`, the testing section's
 * `responses`, `seen` and `api`). A block that uses such a name without declaring it imports it from PREAMBLE,
 * which declares each of them with a real value.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, parseCli } from '../src/cli/args.js';
import { FLAGS } from '../src/cli/flags.js';
import { demoFixtures, generatePrompts, generateResponses, startMockServer, type MockFixtures, type MockServer } from 'aymara-ai/testing';
import { CLI, ensureBuiltBeforeAll, ROOT } from './cli-harness.js';

ensureBuiltBeforeAll();

const KEY = 'readme-key';
// 95% of the scored ones pass: the README's CI gate (a pass rate of at least 0.9) passes on this run.
const RESPONSES = generateResponses(250, 18).map((r, i) => (r.is_passed === null ? r : { ...r, is_passed: i % 20 !== 0 }));
const FIXTURES: MockFixtures = {
  apiKey: KEY,
  evals: { eval_uuid: { name: 'README eval', workspace_uuid: 'ws_uuid', prompts: generatePrompts(RESPONSES, 18) } },
  runs: {
    baseline_run_uuid: {
      eval_uuid: 'eval_uuid',
      workspace_uuid: 'ws_uuid',
      name: 'main-1',
      created_at: '2026-11-01T09:00:00Z',
      responses: generateResponses(250, 17),
    },
    eval_run_uuid: { eval_uuid: 'eval_uuid', workspace_uuid: 'ws_uuid', name: 'pr-1', created_at: '2026-11-02T09:00:00Z', responses: RESPONSES },
  },
};

/** The values the README's snippets take as in hand, each exported for a block that uses it undeclared. */
const PREAMBLE = `import { AymaraAI, type EvalScoredResponse, type EvalScoredResponsesPage, type Logger } from 'aymara-ai';
import { generateResponses, MockAymaraAPI } from 'aymara-ai/testing';
export type { AnswerHistory, ContentType, FileReference, NextPrompt, UpdatedBy } from 'aymara-ai';
export const client = new AymaraAI();
export const runUUID = 'eval_run_uuid';
export const baselineUUID = 'baseline_run_uuid';
export const candidateUUID = 'eval_run_uuid';
export const page: EvalScoredResponsesPage = await client.evals.runs.listResponses(runUUID);
export const response: EvalScoredResponse = page.items[0]!;
export const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
export const myLogger: Logger = console;
export const responses = generateResponses(250);
export const seen: Request[] = [];
export const api = new MockAymaraAPI({ apiKey: 'test-key', runs: { 'run-1': { responses } } });
`;
const PREAMBLE_NAMES = [...PREAMBLE.matchAll(/^export (?:const|type \{) ?([^:=}]+)/gm)].flatMap((m) => (m[1] ?? '').split(',').map((n) => n.trim()));

interface Block {
  /** Where it is, for messages: `README.md:58`. */
  where: string;
  lang: string;
  kind: string | undefined;
  code: string;
}

async function blocksOf(file: string): Promise<Block[]> {
  const text = await readFile(join(ROOT, file), 'utf8');
  const blocks: Block[] = [];
  for (const m of text.matchAll(/^```(\w+)(?: (\w+))?\n([\s\S]*?)^```$/gm)) {
    const line = text.slice(0, m.index).split('\n').length;
    blocks.push({ where: `${file}:${line}`, lang: m[1] ?? '', kind: m[2], code: m[3] ?? '' });
  }
  return blocks;
}

const BLOCKS = [...(await blocksOf('README.md')), ...(await blocksOf('docs/client.md'))];
const TS = BLOCKS.filter((b) => b.lang === 'ts');
const fileOf = (block: Block) => `${block.where.replace(/\W+/g, '-')}${block.kind === 'test' ? '.test' : ''}.ts`;

/** The block as a module of its own: the preamble's names it uses and does not declare, imported. */
function moduleOf(block: Block): string {
  // Names in strings and comments are neither uses nor declarations.
  const code = block.code.replace(/\/\/.*$|'[^'\n]*'|"[^"\n]*"|`[^`]*`/gm, "''");
  const declared = (name: string) =>
    [
      `(?:const|let|function|type|interface|class)\\s+${name}\\b`, // a declaration
      `(?:const|let)\\s*[[{][^\\]}=]*\\b${name}\\b[^\\]}=]*[\\]}]\\s*=`, // a destructuring
      `import[^;]*\\b${name}\\b[^;]*from`,
      `for (?:await )?\\((?:const|let) ${name}\\b`,
    ].some((re) => new RegExp(re).test(code));
  const used = PREAMBLE_NAMES.filter((name) => new RegExp(`(?<![.\\w])${name}\\b(?!\\s*:)`).test(code) && !declared(name));
  const imports = used.length > 0 ? `import { ${used.join(', ')} } from './preamble.js';\n` : '';
  return `${imports}${block.code}\nexport {};\n`;
}

/** The anchors GitHub gives a Markdown file's headings. */
function anchorsOf(markdown: string): string[] {
  return [...markdown.matchAll(/^#+ (.+)$/gm)].map((m) =>
    (m[1] ?? '')
      .toLowerCase()
      .replace(/[^\w\s-]/g, '')
      .replace(/\s/g, '-'),
  );
}

interface Result {
  code: number | null;
  output: string;
}

/** Runs a command from the repo root. Asynchronous: the mock server answers from this process's event loop. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    delete childEnv.AYMARA_AI_LOG;
    delete childEnv.NODE_OPTIONS;
    childEnv.NO_COLOR = '1';
    delete childEnv.FORCE_COLOR;
    const child = spawn(command, args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

let dir: string;
let server: MockServer;

beforeAll(async () => {
  // Inside the repository, so tsconfig's paths, tsx and node_modules apply; named so no tool's globs take it.
  dir = await mkdtemp(join(ROOT, '.readme-blocks-'));
  server = await startMockServer({ fixtures: FIXTURES });
  await writeFile(join(dir, 'preamble.ts'), PREAMBLE);
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', include: ['./*.ts'] }));
  await writeFile(
    join(dir, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config';
const src = (path: string) => ${JSON.stringify(join(ROOT, 'src'))} + '/' + path;
export default defineConfig({
  resolve: {
    alias: [
      { find: /^aymara-ai\\/testing\\/msw$/, replacement: src('testing/msw.ts') },
      { find: /^aymara-ai\\/testing$/, replacement: src('testing/index.ts') },
      { find: /^aymara-ai\\/analysis$/, replacement: src('analysis.ts') },
      { find: /^aymara-ai$/, replacement: src('index.ts') },
    ],
  },
  test: { root: ${JSON.stringify(dir)}, include: ['*.test.ts'], testTimeout: 20_000 },
});
`,
  );
  await Promise.all(TS.map((block) => writeFile(join(dir, fileOf(block)), moduleOf(block))));
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the README', () => {
  it('has the guide in order, then the reference', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual([
      'Install',
      'A key and a run UUID',
      'Quick start',
      'Pagination',
      'Errors',
      'Testing your code',
      'Command line',
      'CI',
      'Reference',
      'License',
    ]);
  });

  it.each(['README.md', 'docs/client.md'])('%s: every link to a file or a heading leads somewhere', async (file) => {
    const text = await readFile(join(ROOT, file), 'utf8');
    for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^https?:/.test(target)) continue;
      const [path = '', anchor] = target.split('#');
      const linked = path === '' ? file : join(dirname(file), path);
      const exists = await stat(join(ROOT, linked)).then(
        () => true,
        () => false,
      );
      expect(exists, `${file}: ${target}`).toBe(true);
      if (anchor !== undefined) expect(anchorsOf(await readFile(join(ROOT, linked), 'utf8')), `${file}: ${target}`).toContain(anchor);
    }
  });

  it('has code blocks of the kinds this test knows, the partial ones few', () => {
    const kinds = BLOCKS.map((b) => `${b.lang}${b.kind ? ` ${b.kind}` : ''}`);
    expect(new Set(kinds)).toEqual(new Set(['ts', 'ts test', 'ts partial', 'sh', 'sh synopsis', 'yaml']));
    expect(kinds.filter((k) => k === 'ts partial').length).toBeLessThanOrEqual(4);
  });

  it('type-checks every TypeScript block as written, and the errors it shows on purpose are the ones tsc gives', async () => {
    const { code, output } = await run(process.execPath, [bin('tsc'), '--noEmit', '--pretty', 'false', '-p', join(dir, 'tsconfig.json')]);
    const errors = [...output.matchAll(/^(?:.*\/)?([^/(]+\.ts)\((\d+),\d+\): error (TS\d+)/gm)].map((m) => `${m[1]}:${m[2]} ${m[3]}`);
    const expected = TS.flatMap((block) =>
      moduleOf(block)
        .split('\n')
        .flatMap((line, i) => [...line.matchAll(/\/\/ error (TS\d+)/g)].map((m) => `${fileOf(block)}:${i + 1} ${m[1]}`)),
    );
    expect(errors.sort(), output).toEqual(expected.sort());
    expect(code === 0).toBe(expected.length === 0);
  }, 60_000);

  it.each(TS.filter((b) => b.kind === undefined).map((b) => [b.where, b] as const))('runs %s with tsx against the mock API', async (_, block) => {
    const { code, output } = await run(process.execPath, ['--import', 'tsx', join(dir, fileOf(block))], {
      AYMARA_AI_API_KEY: KEY,
      AYMARA_AI_BASE_URL: server.url,
    });
    expect({ code, output }).toMatchObject({ code: 0 });
  });

  it('runs the vitest blocks with vitest', async () => {
    const tests = TS.filter((b) => b.kind === 'test');
    expect(tests.length).toBeGreaterThan(0);
    const { code, output } = await run(process.execPath, [bin('vitest'), 'run', '--config', join(dir, 'vitest.config.ts')]);
    expect(output).toMatch(new RegExp(`Test Files\\s+${tests.length} passed`));
    expect(code, output).toBe(0);
  }, 60_000);
});

/** The shell words of a line (quotes removed, variables left as written), and its environment assignments. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

/** The command lines of a shell or YAML block that run the CLI: the words after `aymara-ai` (or `aymara-ai@X`). */
function cliLines(block: Block): { line: string; argv: string[] }[] {
  const joined = block.code.replace(/\\\n\s*/g, '');
  return joined
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').replace(/^\s*-\s+/, ''))
    .flatMap((line) => {
      const all = words(line);
      const at = all.findIndex((w) => /^aymara-ai(@\S+)?$/.test(w));
      return at === -1 || !/^(npx|aymara-ai|[A-Z_]+=)/.test(all[0] ?? '') ? [] : [{ line, argv: all.slice(at + 1) }];
    });
}

describe("the README's command lines", () => {
  const shell = BLOCKS.filter((b) => (b.lang === 'sh' && b.kind === undefined) || b.lang === 'yaml');
  const lines = shell.flatMap((block) => cliLines(block).map(({ line, argv }) => [`${block.where}: ${line.trim()}`, argv] as const));

  it('are found', () => expect(lines.length).toBeGreaterThanOrEqual(4));

  it.each(lines)('parse: %s', (_, argv) => {
    expect(() => parseCli(argv)).not.toThrow();
  });

  it("the synopsis names only the CLI's commands and flags", () => {
    const synopsis = BLOCKS.find((b) => b.kind === 'synopsis') ?? BLOCKS[0];
    expect(synopsis?.kind).toBe('synopsis');
    const common = ['format', 'workspace', 'page-size', 'wait', 'base-url', 'quiet'];
    const known = new Set([...Object.values(FLAGS).map((f) => f.name), ...common]);
    for (const [, flag] of synopsis?.code.matchAll(/--([\w-]+)/g) ?? []) expect(known, `--${flag}`).toContain(flag);
    const commands = [...(synopsis?.code.matchAll(/^aymara-ai (\w+)/gm) ?? [])].map((m) => m[1]);
    expect(commands).toEqual(COMMANDS);
  });

  it('the mock session runs: its compare command against the mock of the demo fixtures', async () => {
    const session = BLOCKS.find((b) => b.lang === 'sh' && b.code.includes('aymara-ai mock'));
    const line = session?.code.split('\n').find((l) => l.includes('compare')) ?? '';
    const env = Object.fromEntries(
      words(line)
        .filter((w) => /^[A-Z_]+=/.test(w))
        .map((w) => w.split(/=(.*)/s).slice(0, 2)),
    );
    const argv = (session && cliLines(session).find((l) => l.argv[0] === 'compare')?.argv) ?? [];
    expect(argv[0]).toBe('compare');
    await using demo = await startMockServer({ fixtures: demoFixtures() });
    const { code, output } = await run(process.execPath, [CLI, ...argv], {
      ...env,
      AYMARA_AI_BASE_URL: String(env.AYMARA_AI_BASE_URL).replace(/http:\/\/127\.0\.0\.1:PORT/, demo.url),
    });
    expect(env.AYMARA_AI_API_KEY).toBe('demo-key');
    expect([0, 1], output).toContain(code);
  });
});
