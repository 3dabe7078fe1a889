/**
 * What a serverless user ships: a minimal consumer (`new AymaraAI()` and one `listResponses`) bundled by esbuild,
 * minified, from the built package as it is installed. It stays at most 60 KiB with every endpoint in the client, in
 * ESM and in CommonJS (a `require('aymara-ai')` consumer, which a bundler cannot tree-shake), and carries neither the
 * analysis helpers nor the CLI nor the testing kit. Sizes are deterministic: this is a test, not a benchmark.
 */
import { mkdtemp, readFile, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuiltBeforeAll, ROOT } from './cli-harness.js';

const LIMIT = 60 * 1024;

const CALL = `const client = new AymaraAI({ apiKey: 'k', baseURL: process.env.AYMARA_AI_BASE_URL });
client.evals.runs.listResponses(process.env.RUN, { limit: 100 }).then((page) => console.log(page.items.length));`;
const CONSUMERS = {
  'ESM, bundled to ESM': { file: 'esm.mjs', format: 'esm', code: `import { AymaraAI } from 'aymara-ai';\n${CALL}` },
  'ESM, bundled to CommonJS': { file: 'esm-to-cjs.mjs', format: 'cjs', code: `import { AymaraAI } from 'aymara-ai';\n${CALL}` },
  "require('aymara-ai'), bundled to CommonJS": { file: 'require.cjs', format: 'cjs', code: `const { AymaraAI } = require('aymara-ai');\n${CALL}` },
} as const;

/** Code only the analysis helpers, the CLI or the testing kit have: none may reach the bundle. */
const FOREIGN = [/mcnemar/i, /stillFailing/, /byContentType/, /aymara-ai\/testing/, /cli-table3/, /junit/i, /Injected fault/];

ensureBuiltBeforeAll();

describe('the minimal consumer bundle', () => {
  let dir: string;
  beforeAll(async () => {
    // A project with the package installed as a user has it: node_modules/aymara-ai -> the repo (its exports, dist/).
    dir = await mkdtemp(join(tmpdir(), 'aymara-bundle-'));
    await mkdir(join(dir, 'node_modules'));
    await symlink(ROOT, join(dir, 'node_modules', 'aymara-ai'), 'dir');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(Object.entries(CONSUMERS))('%s is at most 60 KiB and carries nothing but the SDK', async (_name, consumer) => {
    const entry = join(dir, consumer.file);
    const outfile = join(dir, `${consumer.file}.bundle.js`);
    await writeFile(entry, consumer.code);
    await build({ entryPoints: [entry], outfile, bundle: true, minify: true, platform: 'node', format: consumer.format, logLevel: 'error', tsconfigRaw: '{}' });
    const code = await readFile(outfile, 'utf8');
    expect(code.length).toBeLessThanOrEqual(LIMIT);
    for (const marker of FOREIGN) expect(code, String(marker)).not.toMatch(marker);
    // Every endpoint is in the client all the same.
    for (const path of ['/v2/eval-runs', '/v2/evals/', '/prompts', '/responses']) expect(code).toContain(path);
  });
});
