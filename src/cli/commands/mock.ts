/**
 * `aymara-ai mock`: the mock Aymara API of `aymara-ai/testing` on loopback until stopped, so every other command
 * can be tried by hand with no key and no network. The kit is loaded only when this command runs: the others
 * never pay for it.
 */
import { readFile } from 'node:fs/promises';
import type { MockFixtures } from 'aymara-ai/testing';
import type { LocalCommand } from '../command.js';
import { escapeText } from '../escape.js';
import { EXIT } from '../exit.js';
import { FLAGS } from '../flags.js';
import { UsageError } from '../values.js';

type Testing = typeof import('aymara-ai/testing');

/** The fixtures FILE, parsed and checked by the kit's own validator: a bad one is a usage error naming the field. */
async function fixturesFrom(testing: Testing, file: string): Promise<MockFixtures> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--fixtures ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let fixtures: MockFixtures;
  try {
    fixtures = JSON.parse(text) as MockFixtures;
  } catch (error) {
    throw new UsageError(`--fixtures ${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    testing.validateFixtures(fixtures);
  } catch (error) {
    throw new UsageError(`--fixtures ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return fixtures;
}

/** Resolves on the first SIGINT or SIGTERM, with the handlers removed again. */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** What to paste: the variables, and commands on runs the fixtures have (the demo's: its latest run and its baseline). */
function banner(url: string, apiKey: string, runs: readonly string[], source: string): string {
  const vars = `AYMARA_AI_API_KEY=${apiKey} AYMARA_AI_BASE_URL=${url}`;
  const run = runs.at(-1);
  const examples =
    run === undefined
      ? []
      : [`${vars} npx aymara-ai summary ${run}`, `${vars} npx aymara-ai compare latest ${run}`, `${vars} npx aymara-ai responses ${run} --format csv`];
  return [
    `Mock Aymara API on ${url}, serving ${source}`,
    `AYMARA_AI_BASE_URL=${url}`,
    `AYMARA_AI_API_KEY=${apiKey}`,
    ...(examples.length > 0 ? ['', 'Try, in another terminal:', ...examples.map((line) => `  ${line}`)] : []),
    '',
    'Stop it with Ctrl+C.',
    '',
  ].join('\n');
}

export const mock: LocalCommand = {
  name: 'mock',
  local: true,
  about: 'Serve the mock Aymara API on loopback until stopped, to try the other commands by hand.',
  usage: '  aymara-ai mock      [--port N] [--fixtures FILE]',
  help: `aymara-ai mock: the mock Aymara API on loopback, until stopped

Usage:
  aymara-ai mock [--port N] [--fixtures FILE]

Starts the mock API of aymara-ai/testing (startMockServer) on 127.0.0.1 and prints the
AYMARA_AI_BASE_URL and AYMARA_AI_API_KEY to use with the other commands, with examples to paste.
It serves the demo's fixtures (an eval with categorised prompts and three finished runs, under
the key demo-key) unless --fixtures is given. It runs until Ctrl+C (SIGINT) or SIGTERM, then
closes the server and exits 0. It needs no key and sends nothing anywhere.

Options:
  --port N            The port on 127.0.0.1 (default 0: any free port).
  --fixtures FILE     Serve this JSON file instead: { "apiKey": "...", "evals": {...}, "runs": {...} },
                      the fixtures of startMockServer. A file the kit refuses is a usage error (exit 2)
                      naming the first bad field.
`,
  flags: [FLAGS.port, FLAGS.fixtures],

  async run(flags, stdout) {
    const testing = await import('aymara-ai/testing');
    const fixtures = flags.fixtures === undefined ? testing.demoFixtures() : await fixturesFrom(testing, flags.fixtures);
    let server;
    try {
      server = await testing.startMockServer({ fixtures, port: flags.port ?? 0 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') throw new UsageError(`--port ${flags.port ?? 0}: cannot listen on it (${code})`);
      throw error;
    }
    const stopped = stopSignal();
    const source = flags.fixtures === undefined ? 'the demo fixtures' : escapeText(flags.fixtures);
    await stdout.write(banner(server.url, escapeText(fixtures.apiKey), Object.keys(fixtures.runs).map(escapeText), source));
    await stopped;
    await server.close();
    return EXIT.ok;
  },
};
