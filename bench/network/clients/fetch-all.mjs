// Network bench client: the hand-written reference for listing a run, with the runtime's global fetch and 4
// requests in flight. It asks for the first page to learn `count`, then keeps 4 pages in flight, reading them
// in order (as a `for await` consumer would), with `res.json()` and no validation.
const base = `${process.env.BENCH_URL}/v2/eval-runs/${encodeURIComponent(process.env.BENCH_RUN)}/responses?limit=100&offset=`;
const headers = { 'x-api-key': process.env.BENCH_API_KEY, accept: 'application/json' };
const IN_FLIGHT = 4;

async function page(offset) {
  const res = await fetch(base + offset, { headers });
  if (!res.ok) throw new Error(`HTTP ${res.status} at offset ${offset}: ${await res.text()}`);
  return res.json();
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
    p.catch(() => {}); // awaited in order below; this only keeps a later page's failure from being unhandled
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
