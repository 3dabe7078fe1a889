/**
 * Run by env-proxy.test.ts in a process of its own, started with NODE_USE_ENV_PROXY=1 and HTTP_PROXY set, so that
 * the runtime's global fetch follows the proxy variables (Node reads them at start-up). Arguments: the base URL on
 * loopback. Makes one SDK call, then one plain `fetch` of the same URL with an `x-plain-fetch` header (proof that
 * the runtime's fetch does go through the proxy here), and prints one JSON line: `{ sdk, plain }`, each `'ok'` or an
 * error's name and message.
 */
import { AymaraAI } from '../../src/index.js';

const [baseURL = ''] = process.argv.slice(2);
const outcome = async (work: () => Promise<unknown>) => {
  try {
    await work();
    return 'ok';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
};

const client = new AymaraAI({ apiKey: 'env-proxy-test-key', baseURL, maxRetries: 0, logLevel: 'off' });
const sdk = await outcome(() => client.evals.runs.listResponses('run-1'));
await client.close();
const plain = await outcome(async () => {
  const res = await fetch(`${baseURL}/v2/eval-runs/run-1/responses`, { headers: { 'x-plain-fetch': '1' } });
  await res.text();
});
process.stdout.write(`${JSON.stringify({ sdk, plain })}\n`);
