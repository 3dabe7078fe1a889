/**
 * Vitest global setup: the CLI tests run the built bin in a child process (dist/cli.js, which imports `aymara-ai`,
 * that is dist/index.js), and must run the current source, not whatever build was left in dist/.
 *
 * So this process serves one loopback URL (handed to the test files as `inject('distBuilder')`): a CLI test file
 * asks it before its tests (`ensureBuilt()` in test/cli-harness.ts), and it runs `npm run build` when any file the
 * build reads is newer than the oldest file in dist/ (or dist/ lacks a file those tests run). Asked by several test
 * files at once, it builds once and answers them all; a run without CLI tests builds nothing.
 *
 * `npm test` builds right before vitest: dist/ is then newer than every source file, and nothing is built twice.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** What `npm run build` (tsup) reads. */
const INPUTS = ['src', 'package.json', 'tsup.config.ts', 'tsconfig.json'];
/** What the tests run from dist/: the bin and the SDK it imports. */
const REQUIRED = ['dist/cli.js', 'dist/index.js'];

interface Stamped {
  path: string;
  mtimeMs: number;
}

/** Every file at `path` (itself when a file, the files below it when a directory) with its mtime; none when absent. */
async function filesAt(path: string): Promise<Stamped[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [{ path, mtimeMs: info.mtimeMs }];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => {
        const file = join(entry.parentPath, entry.name);
        return { path: file, mtimeMs: (await stat(file)).mtimeMs };
      }),
  );
}

/** Why dist/ must be rebuilt, or undefined when it is newer than every input. */
async function whyStale(): Promise<string | undefined> {
  for (const required of REQUIRED) {
    if ((await filesAt(join(ROOT, required))).length === 0) return `${required} is missing`;
  }
  const outputs = await filesAt(join(ROOT, 'dist'));
  const inputs = (await Promise.all(INPUTS.map((input) => filesAt(join(ROOT, input))))).flat();
  const oldest = outputs.reduce((a, b) => (b.mtimeMs < a.mtimeMs ? b : a));
  const newest = inputs.reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
  if (newest.mtimeMs < oldest.mtimeMs) return undefined;
  return `${relative(ROOT, newest.path)} is newer than ${relative(ROOT, oldest.path)}`;
}

/** `npm run build`, its output shown only when it fails. */
function build(): Promise<void> {
  const child = spawn('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build failed (exit ${code}):\n${output}`))));
  });
}

/** Builds when dist/ is stale; says what it did. */
async function buildIfStale(): Promise<string> {
  const reason = await whyStale();
  if (reason === undefined) return 'dist/ is up to date';
  const started = performance.now();
  await build();
  const note = `${reason}: rebuilt dist/ (npm run build) in ${Math.round(performance.now() - started)} ms`;
  console.log(`[global-setup] ${note}`);
  return note;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** GET it to have dist/ built from the current source: 200 once it is, 500 with the build's output if it failed. */
    distBuilder: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // One build at a time; the test files asking meanwhile share its outcome.
  let building: Promise<string> | undefined;
  const server = createServer((_req, res) => {
    building ??= buildIfStale().finally(() => {
      building = undefined;
    });
    building.then(
      (note) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(note);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(error instanceof Error ? error.message : String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  project.provide('distBuilder', `http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}
