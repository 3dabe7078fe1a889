/**
 * Run by body-size.test.ts in a process of its own (`node --expose-gc --import tsx big-body-child.ts`), so the
 * memory a call costs can be read from this process's RSS alone, away from vitest and from the server streaming
 * the body. Arguments: the base URL, a JSON object of client options. Prints one JSON line:
 * `{ outcome, name, message, maxResponseSize, growthMB, beforeMB, peakMB }`.
 */
import { AymaraAI } from '../../src/index.js';

const [baseURL, optionsJSON = '{}'] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const MB = 1024 * 1024;

const client = new AymaraAI({ apiKey: 'big-body-test-key', baseURL, logLevel: 'off', ...(JSON.parse(optionsJSON) as object) });

// Warm up: load every module and lazy path a call touches (fetch, undici, zod), on a small body.
await client.evals.runs.listResponses('small');
await client.evals.runs.listResponses('small');
gc();
await new Promise((resolve) => setTimeout(resolve, 50));
gc();

const before = process.memoryUsage.rss();
const maxRSSBefore = process.resourceUsage().maxRSS * 1024;
let sampled = before;
// Sampled every few ms while the body streams; a new all-time high (maxRSS) during the call is read exactly.
const sampler = setInterval(() => {
  sampled = Math.max(sampled, process.memoryUsage.rss());
}, 2);

let result: { outcome: 'resolved' | 'rejected'; name?: string; message?: string; maxResponseSize?: unknown };
try {
  const page = await client.evals.runs.listResponses('big');
  result = { outcome: 'resolved', message: `${page.items.length} items` };
} catch (error) {
  const e = error as Error & { maxResponseSize?: unknown };
  result = { outcome: 'rejected', name: e.name, message: e.message };
}
sampled = Math.max(sampled, process.memoryUsage.rss());
clearInterval(sampler);
const maxRSSAfter = process.resourceUsage().maxRSS * 1024;
const peak = Math.max(sampled, maxRSSAfter > maxRSSBefore ? maxRSSAfter : 0);

await client.close();
process.stdout.write(`${JSON.stringify({ ...result, growthMB: (peak - before) / MB, beforeMB: before / MB, peakMB: peak / MB })}\n`);
process.exit(0);
