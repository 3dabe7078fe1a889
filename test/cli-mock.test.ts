/**
 * `aymara-ai mock`, run as a newcomer runs it: the BUILT bin in a child process, its URL read from what it prints,
 * real requests against it (the SDK, and the CLI itself), then SIGTERM, which must close it cleanly (exit 0).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AymaraAI } from 'aymara-ai';
import { DEMO_RUN_UUID, generateResponses, type MockFixtures } from 'aymara-ai/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { childEnv, CLI, collect, ensureBuiltBeforeAll, ROOT, runCLI, type Run } from './cli-harness.js';

ensureBuiltBeforeAll();

type Child = ChildProcessByStdio<null, Readable, Readable>;
const children: Child[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts `aymara-ai mock ...args`; resolves once it has printed its banner, with the child and what it printed. */
async function startMock(args: readonly string[]): Promise<{ child: Child; banner: string; ended: Promise<Run> }> {
  const child = spawn(process.execPath, [CLI, 'mock', ...args], { cwd: ROOT, env: childEnv({ key: '', baseURL: '' }), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let banner = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      banner += chunk;
      if (banner.includes('Stop it with Ctrl+C.')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`mock exited (${code}) before it was ready: ${banner}`)));
  });
  const ended = collect(child);
  await ready;
  return { child, banner, ended };
}

const variable = (banner: string, name: string) => new RegExp(`^${name}=(\\S+)$`, 'm').exec(banner)?.[1] ?? '';

describe('aymara-ai mock', () => {
  it('serves the demo fixtures on loopback, prints what to paste, answers the SDK and the CLI, and exits 0 on SIGTERM', async () => {
    const { child, banner, ended } = await startMock([]);
    const url = variable(banner, 'AYMARA_AI_BASE_URL');
    const key = variable(banner, 'AYMARA_AI_API_KEY');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(key).toBe('demo-key');
    expect(banner).toContain(`Mock Aymara API on ${url}, serving the demo fixtures`);
    expect(banner).toContain(`  AYMARA_AI_API_KEY=demo-key AYMARA_AI_BASE_URL=${url} npx aymara-ai compare latest ${DEMO_RUN_UUID}\n`);
    expect(banner).toContain(`  AYMARA_AI_API_KEY=demo-key AYMARA_AI_BASE_URL=${url} npx aymara-ai summary ${DEMO_RUN_UUID}\n`);

    const client = new AymaraAI({ apiKey: key, baseURL: url });
    const run = await client.evals.runs.get(DEMO_RUN_UUID);
    expect(run.status).toBe('finished');
    await client.close();
    const summary = await runCLI(['summary', DEMO_RUN_UUID, '--format', 'json'], { key, baseURL: url });
    expect(summary.code).toBe(0);
    expect(JSON.parse(summary.stdout)).toMatchObject({ total: 320 });

    child.kill('SIGTERM');
    const result = await ended;
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '' });
  });

  it('--port and --fixtures FILE: serves the file on that port, and SIGINT stops it too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aymara-mock-'));
    const file = join(dir, 'fixtures.json');
    const fixtures: MockFixtures = { apiKey: 'file-key', runs: { 'run-from-file': { responses: generateResponses(7, 3) } } };
    writeFileSync(file, JSON.stringify(fixtures));
    // A free port, found by asking for one and letting it go.
    const probe = await startMock([]);
    const port = Number(new URL(variable(probe.banner, 'AYMARA_AI_BASE_URL')).port);
    probe.child.kill('SIGTERM');
    await probe.ended;

    const { child, banner, ended } = await startMock(['--port', String(port), '--fixtures', file]);
    expect(variable(banner, 'AYMARA_AI_BASE_URL')).toBe(`http://127.0.0.1:${port}`);
    expect(variable(banner, 'AYMARA_AI_API_KEY')).toBe('file-key');
    expect(banner).toContain(`serving ${file}`);
    const responses = await runCLI(['responses', 'run-from-file', '--format', 'ndjson'], { key: 'file-key', baseURL: `http://127.0.0.1:${port}` });
    expect(responses.code).toBe(0);
    expect(responses.stdout.trimEnd().split('\n')).toHaveLength(7);
    child.kill('SIGINT');
    expect(await ended).toMatchObject({ code: 0, signal: null });
  });

  it('a fixtures FILE that is missing, not JSON or refused by the kit: exit 2 with the reason, nothing served', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aymara-mock-'));
    const notJSON = join(dir, 'not.json');
    writeFileSync(notJSON, '{ runs: ');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ apiKey: 'k', runs: { r: { responses: [{ prompt_uuid: 42 }] } } }));
    const run = (args: string[]) => runCLI(['mock', ...args], { key: '', baseURL: '' });
    const [missing, syntax, refused, port] = await Promise.all([
      run(['--fixtures', join(dir, 'absent.json')]),
      run(['--fixtures', notJSON]),
      run(['--fixtures', bad]),
      run(['--port', '-1']),
    ]);
    const usage = "\nRun 'aymara-ai --help' for usage.\n";
    expect(missing).toMatchObject({ code: 2, stdout: '', stderr: `error: --fixtures ${join(dir, 'absent.json')} cannot be read: ENOENT${usage}` });
    expect(syntax).toMatchObject({ code: 2, stdout: '' });
    expect(syntax.stderr).toMatch(new RegExp(`^error: --fixtures ${notJSON.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not JSON: `));
    expect(refused).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `error: --fixtures ${bad}: aymara-ai/testing: invalid fixtures: fixtures.runs["r"].responses[0].prompt_uuid must be a string (every response needs one; generateResponses() makes complete responses); got 42${usage}`,
    });
    expect(port).toMatchObject({ code: 2, stdout: '' });
    expect(port.stderr).toMatch(/^error: --port needs a value, and is followed by -1/);
  });

  it('is in the general help', async () => {
    const help = await runCLI(['--help'], { key: '', baseURL: '' });
    expect(help.stdout).toMatch(/^ {2}aymara-ai mock +\[--port N\] \[--fixtures FILE\]$/m);
    expect(help.stdout).toMatch(/^ {2}mock {8}Serve the mock Aymara API on loopback/m);
    const own = await runCLI(['mock', '--help'], { key: '', baseURL: '' });
    expect(own.stdout).toMatch(/^aymara-ai mock: the mock Aymara API on loopback, until stopped/);
  });
});
