/**
 * A CI gate: fails the build when an eval run's pass rate is under a threshold.
 *
 *   AYMARA_AI_API_KEY=... npx tsx examples/ci-gate.ts <eval_run_uuid> [min_pass_rate]
 *   AYMARA_AI_API_KEY=... AYMARA_MIN_PASS_RATE=0.9 npx tsx examples/ci-gate.ts <eval_run_uuid>
 *
 * The threshold is a fraction (0.9) from the argument, else AYMARA_MIN_PASS_RATE, else 0.9. Only a finished run is
 * gated: one still being scored (or failed) is not, since its responses are not final. A run with nothing scored
 * fails the gate. Exit codes: 0 passed, 1 under the threshold, 2 usage, 3 the run could not be read, 5 the run is not
 * finished.
 * (The `aymara-ai summary <run> --fail-under 0.9` command does the same without code.)
 */
import { AymaraAI, AymaraError, type EvalScoredResponse } from 'aymara-ai';
import { summarizeResponses } from 'aymara-ai/analysis';

const [evalRunUUID, thresholdArg] = process.argv.slice(2);
const threshold = Number(thresholdArg ?? (process.env.AYMARA_MIN_PASS_RATE || 0.9));
const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

async function gate(evalRunUUID: string): Promise<number> {
  await using client = new AymaraAI(); // AYMARA_AI_API_KEY, AYMARA_AI_BASE_URL
  const responses: EvalScoredResponse[] = [];
  try {
    const run = await client.evals.runs.get(evalRunUUID);
    if (run.status !== 'finished') {
      console.error(`Eval run ${evalRunUUID} is ${run.status} (${run.num_responses_scored ?? 0} of ${run.num_prompts ?? '?'} scored): not gated`);
      return 5;
    }
    for await (const response of client.evals.runs.listResponses(evalRunUUID)) responses.push(response);
  } catch (error) {
    if (!(error instanceof AymaraError)) throw error;
    console.error(`Could not read eval run ${evalRunUUID}: ${error.message}`);
    return 3;
  }

  const summary = summarizeResponses(responses);
  console.log(`Eval run ${evalRunUUID}: ${summary.total} responses`);
  console.log(`  passed ${summary.passed}, failed ${summary.failed}, unscored ${summary.unscored}, excluded ${summary.excluded}, refused ${summary.refused}`);
  const failures = responses.filter((r) => r.is_passed === false && !r.exclude_from_scoring);
  for (const response of failures.slice(0, 5)) console.log(`  failed ${response.prompt_uuid}: ${response.explanation ?? '(no explanation)'}`);

  if (summary.passRate === null) {
    console.log(`FAIL: no response was scored, so there is no pass rate (threshold ${percent(threshold)})`);
    return 1;
  }
  const verdict = summary.passRate >= threshold ? 'PASS' : 'FAIL';
  console.log(`${verdict}: pass rate ${percent(summary.passRate)}, threshold ${percent(threshold)}`);
  return verdict === 'PASS' ? 0 : 1;
}

if (!evalRunUUID || !(threshold >= 0 && threshold <= 1)) {
  console.error('usage: ci-gate.ts <eval_run_uuid> [min_pass_rate: a fraction from 0 to 1; default $AYMARA_MIN_PASS_RATE, else 0.9]');
  process.exitCode = 2;
} else {
  process.exitCode = await gate(evalRunUUID);
}
