/**
 * Lists every scored response of an eval run and prints a short report.
 *
 *   AYMARA_AI_API_KEY=... npx tsx examples/list-responses.ts <eval_run_uuid>
 *
 * `npm run demo` runs it against the bundled mock API.
 */
import { AymaraAI, type EvalScoredResponse } from 'aymara-ai';

const evalRunUUID = process.argv[2] ?? process.env.AYMARA_AI_EVAL_RUN_UUID;
if (!evalRunUUID) {
  console.error('usage: list-responses.ts <eval_run_uuid>');
  process.exit(2);
}

await using client = new AymaraAI(); // AYMARA_AI_API_KEY, AYMARA_AI_BASE_URL

// One page, with the request id for support tickets.
const { data: page, requestId } = await client.evals.runs.listResponses(evalRunUUID, { limit: 5 }).withResponse();
console.log(`Eval run ${evalRunUUID}: ${page.count} responses (first page: ${page.items.length} items, request id ${requestId ?? 'n/a'})`);

// Every response of the run, across pages, in order.
const failed: EvalScoredResponse[] = [];
let passed = 0;
let refused = 0;
let images = 0;
for await (const response of client.evals.runs.listResponses(evalRunUUID)) {
  if (response.is_passed === true) passed += 1;
  if (response.is_passed === false) failed.push(response);
  if (response.ai_refused) refused += 1;
  if (response.content_type === 'image') images += 1;
}

const scored = passed + failed.length;
// A refusal is an answer like any other, scored on its merits: it is counted in passed or failed too.
console.log(`Passed ${passed}, failed ${failed.length}, refused ${refused} (also counted in passed or failed when scored), image answers ${images}`);
console.log(`Pass rate: ${scored ? ((passed / scored) * 100).toFixed(1) : 'n/a'}% of ${scored} scored responses`);
console.log('First failures:');
for (const response of failed.slice(0, 3)) {
  const content = typeof response.content === 'string' ? response.content : (response.content?.remote_file_path ?? '(no content)');
  console.log(`  - ${response.prompt_uuid}: ${content.slice(0, 60)}`);
  console.log(`    why: ${response.explanation ?? '(no explanation)'}`);
}
