/** Gates: each check's verdict, the --fail-under check, and how verdicts become the exit code. */
import type { ResponseCounts } from 'aymara-ai/analysis';
import { escapeText } from './escape.js';
import { EXIT } from './exit.js';
import { formatRate, ratePair } from './rate.js';

/** The verdict of one gate: whether it held, and a sentence saying why. */
export interface GateCheck {
  ok: boolean;
  message: string;
}

/** Rates are compared with this slack, so `83.45%` or `5%` equals the fraction it was typed as. */
export const RATE_EPSILON = 1e-12;

/** The --fail-under gate over a run's pass rate. */
export function failUnderCheck({ passRate, passed, failed }: Pick<ResponseCounts, 'passRate' | 'passed' | 'failed'>, threshold: number): GateCheck {
  if (passRate === null) return { ok: false, message: `the pass rate is undefined (no response was scored), so --fail-under ${threshold} fails` };
  if (passRate < threshold - RATE_EPSILON) {
    const [rate, bar] = ratePair(passRate, threshold);
    return { ok: false, message: `pass rate ${rate} is under ${bar} (${passed} passed, ${failed} failed)` };
  }
  return { ok: true, message: `pass rate ${formatRate(passRate)} is at or above ${formatRate(threshold)}` };
}

/** The verdicts on stderr: `ok: ...` notes (not when quiet), `fail: ...` always. Returns the exit code. */
export function verdict(quiet: boolean, checks: readonly GateCheck[]): number {
  for (const check of checks) {
    if (!check.ok) process.stderr.write(`fail: ${escapeText(check.message)}\n`);
    else if (!quiet) process.stderr.write(`ok: ${escapeText(check.message)}\n`);
  }
  return checks.every((check) => check.ok) ? EXIT.ok : EXIT.gate;
}
