// The smallest useful consumer: one client, one page. run.mjs bundles it with
// `esbuild --bundle --platform=node --minify` to report what the SDK adds to a serverless bundle, then runs the bundle
// from a folder with no node_modules, as a Lambda would. With CONSUMER_LIST_ALL=1 the same client then lists the
// whole run (pages in flight), so that run.mjs can count the TCP connections the bundle opened.
import { AymaraAI } from 'aymara-ai';

async function main() {
  const client = new AymaraAI({ apiKey: process.env.AYMARA_AI_API_KEY, baseURL: process.env.AYMARA_AI_BASE_URL });
  const run = process.env.AYMARA_AI_EVAL_RUN_UUID ?? 'eval-run';
  const page = await client.evals.runs.listResponses(run, { limit: 10 });
  let listed;
  if (process.env.CONSUMER_LIST_ALL === '1') {
    listed = 0;
    for await (const response of client.evals.runs.listResponses(run, {}, { pageConcurrency: 4 })) if (response.prompt_uuid) listed++;
  }
  console.log(JSON.stringify({ consumer: 'minimal-bundle', items: page.items.length, count: page.count, listed }));
  await client.close();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
