// The smallest useful consumer: one client, one page. run.mjs bundles it with
// `esbuild --bundle --platform=node --minify` to report what the SDK adds to a serverless bundle, then runs the bundle.
import { AymaraAI } from 'aymara-ai';

async function main() {
  const client = new AymaraAI({ apiKey: process.env.AYMARA_AI_API_KEY, baseURL: process.env.AYMARA_AI_BASE_URL });
  const page = await client.evals.runs.listResponses(process.env.AYMARA_AI_EVAL_RUN_UUID ?? 'eval-run', { limit: 10 });
  console.log(JSON.stringify({ consumer: 'minimal-bundle', items: page.items.length, count: page.count }));
  await client.close();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
