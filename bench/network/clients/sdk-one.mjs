// Network bench client: a cold process that fetches one page through the SDK and exits, as a serverless
// function's first invocation does. Run installed (from the packed tarball) and bundled by esbuild.
import { AymaraAI } from 'aymara-ai';

const client = new AymaraAI({ apiKey: process.env.BENCH_API_KEY, baseURL: process.env.BENCH_URL });
const page = await client.evals.runs.listResponses(process.env.BENCH_RUN, { limit: 100 });
console.log(JSON.stringify({ items: page.items.length, passed: page.items.filter((r) => r.is_passed === true).length }));
