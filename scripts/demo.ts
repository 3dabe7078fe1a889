/**
 * `npm run demo`: starts the bundled mock Aymara API on a free loopback port and runs the examples against it.
 * No key and no network needed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { demoFixtures, DEMO_RUN_UUID, startMockServer } from '../src/testing/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = demoFixtures();
const server = await startMockServer({ fixtures });
const env = { ...process.env, AYMARA_AI_API_KEY: fixtures.apiKey, AYMARA_AI_BASE_URL: server.url };

console.log(`Mock Aymara API on ${server.url}, eval run ${DEMO_RUN_UUID}\n`);
const steps: { show: string; args: string[]; expect: number }[] = [
  { show: `tsx examples/list-responses.ts ${DEMO_RUN_UUID}`, args: ['--import', 'tsx', 'examples/list-responses.ts', DEMO_RUN_UUID], expect: 0 },
  { show: `tsx examples/handle-errors.ts ${DEMO_RUN_UUID}`, args: ['--import', 'tsx', 'examples/handle-errors.ts', DEMO_RUN_UUID], expect: 0 },
  { show: `aymara-ai summary ${DEMO_RUN_UUID} --fail-under 0.8`, args: ['--import', 'tsx', 'src/cli/index.ts', 'summary', DEMO_RUN_UUID, '--fail-under', '0.8'], expect: 0 },
  {
    show: `aymara-ai responses ${DEMO_RUN_UUID} --format table --page-size 8 (first 12 lines)`,
    args: ['--import', 'tsx', 'src/cli/index.ts', 'responses', DEMO_RUN_UUID, '--format', 'table', '--page-size', '8'],
    expect: 0,
  },
];

let failed = false;
for (const step of steps) {
  console.log(`$ ${step.show}`);
  // Asynchronous on purpose: the mock server answers from this process's event loop.
  const child = spawn(process.execPath, step.args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  const lines = output.trimEnd().split('\n');
  process.stdout.write(`${(step.show.includes('first 12') ? [...lines.slice(0, 12), '...', ...lines.slice(-2)] : lines).join('\n')}\n`);
  if (code !== step.expect) {
    console.log(`(exit code ${code}, expected ${step.expect})`);
    failed = true;
  }
  console.log();
}
await server.close();
process.exit(failed ? 1 : 0);
