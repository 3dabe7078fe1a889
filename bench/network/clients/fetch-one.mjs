// Network bench client: the hand-written reference for one cold page: one global fetch and res.json().
const url = `${process.env.BENCH_URL}/v2/eval-runs/${encodeURIComponent(process.env.BENCH_RUN)}/responses?limit=100`;
const res = await fetch(url, { headers: { 'x-api-key': process.env.BENCH_API_KEY, accept: 'application/json' } });
if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
const body = await res.json();
console.log(JSON.stringify({ items: body.items.length, passed: body.items.filter((r) => r.is_passed === true).length }));
