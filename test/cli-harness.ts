/**
 * Runs the BUILT `aymara-ai` bin (dist/cli.js) as users run it: a child process with piped stdio, against a
 * server on loopback. Children are spawned asynchronously, since the mock server lives in the test's process.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli.js');

export function assertBuilt(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: these tests run the built CLI. Run \`npm run build\` first (\`npm test\` builds before vitest runs).`);
  }
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
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: childEnv(options), stdio: ['ignore', 'pipe', 'pipe'] });
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
  for (const word of words) expect(text).toContain(word);
  for (const format of ['table', 'json', 'ndjson', 'csv', 'junit', 'markdown']) expect(text).toContain(format);
  for (const code of [0, 1, 2, 3, 4, 5, 70]) expect(text).toMatch(new RegExp(`^\\s+${code}\\s+\\S`, 'm'));
  expect(text).toContain('AYMARA_AI_API_KEY');
  expect(text).toContain('AYMARA_AI_BASE_URL');
}
