// Network bench client: raw npm undici.request with 4 requests in flight, the floor of a Node HTTP client. It
// asks for gzip (as fetch and the SDK ask for a compressed body) and gunzips on the libuv thread pool, then
// JSON.parse; no validation. Same order and window as fetch-all.mjs.
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { request } from 'undici';

const gunzipAsync = promisify(gunzip);
const base = `${process.env.BENCH_URL}/v2/eval-runs/${encodeURIComponent(process.env.BENCH_RUN)}/responses?limit=100&offset=`;
const headers = { 'x-api-key': process.env.BENCH_API_KEY, accept: 'application/json', 'accept-encoding': 'gzip' };
const IN_FLIGHT = 4;

async function page(offset) {
  const { statusCode, headers: responseHeaders, body } = await request(base + offset, { headers });
  const raw = Buffer.from(await body.arrayBuffer());
  if (statusCode !== 200) throw new Error(`HTTP ${statusCode} at offset ${offset}: ${raw}`);
  const text = responseHeaders['content-encoding'] === 'gzip' ? await gunzipAsync(raw) : raw;
  return JSON.parse(text.toString());
}

const start = performance.now();
const cpuStart = process.cpuUsage();
let items = 0;
let passed = 0;
const consume = (body) => {
  for (const response of body.items) {
    items++;
    if (response.is_passed === true) passed++;
  }
};
const first = await page(0);
consume(first);
let next = first.items.length;
const inFlight = [];
const refill = () => {
  while (inFlight.length < IN_FLIGHT && next < first.count) {
    const p = page(next);
    p.catch(() => {});
    inFlight.push(p);
    next += 100;
  }
};
refill();
while (inFlight.length > 0) {
  consume(await inFlight.shift());
  refill();
}
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
console.log(JSON.stringify({ items, passed, ms, cpuMs: (cpu.user + cpu.system) / 1000 }));
