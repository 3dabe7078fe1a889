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
let failed = false;
for (const example of ['examples/list-responses.ts', 'examples/handle-errors.ts']) {
  console.log(`$ tsx ${example} ${DEMO_RUN_UUID}`);
  // Asynchronous on purpose: the mock server answers from this process's event loop.
  const child = spawn(process.execPath, ['--import', 'tsx', example, DEMO_RUN_UUID], { cwd: root, env, stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number | null];
  failed ||= code !== 0;
  console.log();
}
await server.close();
process.exit(failed ? 1 : 0);
