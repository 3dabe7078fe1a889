// Cold-start entry for openai-node's generic client.get(): the same page, as the reference point.
// Bundled by bench/cold-start.mjs with esbuild (ESM and CJS); BENCH_URL and BENCH_RUN come from the environment.
import OpenAI from 'openai';

async function main() {
  const client = new OpenAI({ apiKey: 'x', baseURL: process.env.BENCH_URL });
  const page = await client.get(`/v2/eval-runs/${encodeURIComponent(process.env.BENCH_RUN)}/responses`, { query: { limit: 100 } });
  console.log(`items ${page.items.length}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
