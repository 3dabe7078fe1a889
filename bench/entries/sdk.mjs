// Cold-start entry for the SDK: what a serverless handler does on its first invocation. Bundled by
// bench/cold-start.mjs with esbuild (ESM and CJS); BENCH_URL and BENCH_RUN come from the environment.
import { AymaraAI } from 'aymara-ai';

async function main() {
  const client = new AymaraAI({ apiKey: 'bench-key', baseURL: process.env.BENCH_URL });
  const page = await client.evals.runs.listResponses(process.env.BENCH_RUN, { limit: 100 });
  console.log(`items ${page.items.length}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
