/**
 * Runs the BUILT `aymara-ai` bin (dist/cli.js) as users run it: a child process with piped stdio, against a
 * server on loopback. Children are spawned asynchronously, since the mock server lives in the test's process.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, inject } from 'vitest';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli.js');

/**
 * Has dist/ built from the current source before this file's tests run: asks the builder of test/global-setup.ts,
 * which runs `npm run build` when dist/ is older than the source (a build on a loaded machine takes a while, hence
 * the timeout). Without that global setup (another vitest config), dist/ must at least exist.
 */
export function ensureBuiltBeforeAll(): void {
  beforeAll(async () => {
    const builder = inject('distBuilder') as string | undefined;
    if (builder === undefined) {
      if (!existsSync(CLI)) throw new Error(`${CLI} is missing: these tests run the built CLI. Run \`npm run build\` first.`);
      return;
    }
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(builder, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.once('error', reject);
      });
      req.once('error', reject);
      req.end();
    });
    if (status !== 200) throw new Error(`dist/ could not be built for the CLI tests: ${body}`);
  }, 300_000);
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** AYMARA_AI_API_KEY. */
  key: string;
  /** AYMARA_AI_BASE_URL. */
  baseURL: string;
  /** More variables; undefined removes one. */
  env?: Record<string, string | undefined>;
}

/**
 * The child's environment: this process's, minus AYMARA_AI_*, proxy and GitHub Actions variables (a test run
 * inside GitHub Actions must not write to the real job summary), plus the key and the base URL.
 */
export function childEnv(options: RunOptions): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !/^(AYMARA_AI_|GITHUB_)|_proxy$/i.test(name));
  const merged = { ...Object.fromEntries(inherited), AYMARA_AI_API_KEY: options.key, AYMARA_AI_BASE_URL: options.baseURL, ...options.env };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

/** Runs `node dist/cli.js ...args` with piped stdio (so stderr is not a TTY) and collects what it printed. */
export function runCLI(args: readonly string[], options: RunOptions): Promise<Run> {
  return collect(spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: childEnv(options), stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** What a child with piped stdout and stderr printed, once it has ended. */
export function collect(child: ChildProcessByStdio<null, Readable, Readable>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Checks that a help text documents every command, flag, format, exit code and environment variable. */
export function expectDocumentsCLI(text: string): void {
  const words = ['responses', 'summary', 'compare', '--format', '--workspace', '--page-size', '--fail-under', '--fail-on-regression'];
  words.push('--max-drop', '--alpha', '--wait', '--base-url', '--quiet', '--help', '--version', 'GITHUB_STEP_SUMMARY');
  words.push('--report', '--pr-comment', 'latest', 'mock', '--port', '--fixtures');
  for (const word of words) expect(text).toContain(word);
  for (const format of ['table', 'json', 'ndjson', 'csv', 'junit', 'markdown']) expect(text).toContain(format);
  for (const code of [0, 1, 2, 3, 4, 5, 70]) expect(text).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
  expect(text).toContain('AYMARA_AI_API_KEY');
  expect(text).toContain('AYMARA_AI_BASE_URL');
}
