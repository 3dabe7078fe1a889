// Network bench client: every response of the run through the SDK's auto-pagination (`for await`, default
// pageConcurrency), as a user would write it. Run installed (from the packed tarball) and bundled by esbuild.
// Prints one JSON line: the items seen, how many passed, the time from creating the client to the last item,
// and the CPU time the process spent meanwhile (all its threads).
import { AymaraAI } from 'aymara-ai';

const start = performance.now();
const cpuStart = process.cpuUsage();
const client = new AymaraAI({ apiKey: process.env.BENCH_API_KEY, baseURL: process.env.BENCH_URL });
let items = 0;
let passed = 0;
for await (const response of client.evals.runs.listResponses(process.env.BENCH_RUN)) {
  items++;
  if (response.is_passed === true) passed++;
}
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
await client.close?.();
console.log(JSON.stringify({ items, passed, ms, cpuMs: (cpu.user + cpu.system) / 1000 }));
