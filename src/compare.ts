import type { EvalScoredResponse } from './schemas/eval-scored-response.js';
import { summarizeResponses, type ResponseCounts } from './summary.js';

/**
 * What one case (a `prompt_uuid`) came to in one run: `passed`, `failed`, `unscored` (`is_passed` null or
 * absent), `excluded` (`exclude_from_scoring`), or `missing` (the run has no response for it).
 */
export type CaseOutcome = 'passed' | 'failed' | 'unscored' | 'excluded' | 'missing';

/** The fields `compareRuns()` reads; any scored response has them. */
export type ComparableResponse = Pick<EvalScoredResponse, 'prompt_uuid' | 'is_passed' | 'exclude_from_scoring'> &
  Partial<Pick<EvalScoredResponse, 'ai_refused' | 'content_type'>>;

/** One case seen in both runs (or in one of them), with what it came to in each. */
export interface ComparedCase<R extends ComparableResponse = EvalScoredResponse> {
  /** The prompt both runs answered (or one of them did). */
  prompt_uuid: string;
  /** What became of the case in the baseline. */
  baseline: CaseOutcome;
  /** What became of the case in the candidate. */
  candidate: CaseOutcome;
  /** The baseline's response for this case (its first, when the run repeats the `prompt_uuid`). */
  baselineResponse: R | undefined;
  /** The candidate's response for this case (its first, when the run repeats the `prompt_uuid`). */
  candidateResponse: R | undefined;
}

/** McNemar's exact test on the cases that changed, one-sided: is the candidate worse than the baseline? */
export interface McNemarResult {
  /** Discordant cases that went from passing to not passing. */
  regressed: number;
  /** Discordant cases that went from not passing to passing. */
  fixed: number;
  /**
   * P(X >= regressed) for X ~ Binomial(regressed + fixed, 1/2): how likely this many or more of the changed
   * cases would have gone the wrong way if both runs were equally good (a noisy judge flipping cases both
   * ways alike). 1 when nothing changed. Below about 1e-308 it is 0 (`log10PValue` still tells how small).
   */
  pValue: number;
  /** log10 of the p-value, finite even where `pValue` underflows to 0. */
  log10PValue: number;
}

/** A candidate run against a baseline run, case by case (`compareRuns()`). */
export interface RunComparison<R extends ComparableResponse = EvalScoredResponse> {
  /** The baseline's counts, as `summarizeResponses()` gives them (without the breakdown by type). */
  baseline: ResponseCounts;
  /** The candidate's counts, likewise. */
  candidate: ResponseCounts;
  /** candidate.passRate - baseline.passRate (a fraction, -0.05 is 5 points lower); null if either is undefined. */
  passRateChange: number | null;
  /** Passed in the baseline; failed, unscored, excluded or missing in the candidate. In baseline order. */
  regressed: ComparedCase<R>[];
  /** Not passed in the baseline (failed, unscored or excluded); passed in the candidate. In baseline order. */
  fixed: ComparedCase<R>[];
  /** Not passed in the baseline and not passed in the candidate (missing included). In baseline order. */
  stillFailing: ComparedCase<R>[];
  /** Passed in the baseline and in the candidate. In baseline order. */
  stillPassing: ComparedCase<R>[];
  /** Cases only the candidate has, with their outcome there. In candidate order. */
  new: ComparedCase<R>[];
  /** Cases of the baseline that the candidate lacks (each also in `regressed` or `stillFailing`). */
  missing: ComparedCase<R>[];
  /** `prompt_uuid`s that appear more than once in a run: pairing them is ambiguous, so a gate must fail. */
  duplicates: {
    /** The baseline's repeated `prompt_uuid`s. */
    baseline: string[];
    /** The candidate's repeated `prompt_uuid`s. */
    candidate: string[];
  };
  /** McNemar's exact test on `regressed` against `fixed`. */
  mcnemar: McNemarResult;
}

/** A case counts as passing only when it was scored and passed; anything else (no result included) is not a pass. */
function outcomeOf(response: ComparableResponse | undefined): CaseOutcome {
  if (response === undefined) return 'missing';
  if (response.exclude_from_scoring) return 'excluded';
  if (response.is_passed === true) return 'passed';
  if (response.is_passed === false) return 'failed';
  return 'unscored';
}

/** Indexes a run by `prompt_uuid` (first response wins) and lists the ids it repeats. */
function index<R extends ComparableResponse>(responses: Iterable<R>): { byId: Map<string, R>; all: R[]; duplicates: string[] } {
  // A Map: the ids come from the server, and `__proto__` must be an id like any other.
  const byId = new Map<string, R>();
  const repeated = new Set<string>();
  const all: R[] = [];
  for (const response of responses) {
    all.push(response);
    const id = response.prompt_uuid;
    if (byId.has(id)) repeated.add(id);
    else byId.set(id, response);
  }
  return { byId, all, duplicates: [...repeated] };
}

/**
 * Compares a candidate run with a baseline run of the same eval, pairing their responses by `prompt_uuid`.
 *
 * A case regressed when it passed in the baseline and did not pass in the candidate: it failed, was left
 * unscored or excluded, or is missing (a missing case is not a passing case). It is fixed when it did not
 * pass in the baseline and passes in the candidate. Cases only the candidate has are `new`. The result also
 * gives both pass rates and their change, the `prompt_uuid`s a run repeats (a sound gate fails on them), and
 * McNemar's exact one-sided test on the regressed against the fixed cases, which tells a real regression
 * from the noise of a non-deterministic judge.
 *
 * Pure: it takes two arrays or iterables of responses (of any shape with `prompt_uuid`, `is_passed` and
 * `exclude_from_scoring`) and fetches nothing.
 *
 * @example
 * ```ts
 * const [baseline, candidate] = await Promise.all([
 *   Array.fromAsync(client.evals.runs.listResponses(baselineUUID)),
 *   Array.fromAsync(client.evals.runs.listResponses(candidateUUID)),
 * ]);
 * const diff = compareRuns(baseline, candidate);
 * if (diff.duplicates.candidate.length > 0 || diff.mcnemar.pValue < 0.05) process.exitCode = 1;
 * for (const c of diff.regressed) console.log(c.prompt_uuid, c.candidateResponse?.explanation);
 * ```
 */
export function compareRuns<R extends ComparableResponse>(baseline: Iterable<R>, candidate: Iterable<R>): RunComparison<R> {
  const base = index(baseline);
  const cand = index(candidate);
  const regressed: ComparedCase<R>[] = [];
  const fixed: ComparedCase<R>[] = [];
  const stillFailing: ComparedCase<R>[] = [];
  const missing: ComparedCase<R>[] = [];
  const stillPassing: ComparedCase<R>[] = [];

  for (const [id, baselineResponse] of base.byId) {
    const candidateResponse = cand.byId.get(id);
    const c: ComparedCase<R> = {
      prompt_uuid: id,
      baseline: outcomeOf(baselineResponse),
      candidate: outcomeOf(candidateResponse),
      baselineResponse,
      candidateResponse,
    };
    const before = c.baseline === 'passed';
    const after = c.candidate === 'passed';
    if (before && after) stillPassing.push(c);
    else if (before) regressed.push(c);
    else if (after) fixed.push(c);
    else stillFailing.push(c);
    if (candidateResponse === undefined) missing.push(c);
  }
  const added: ComparedCase<R>[] = [];
  for (const [id, candidateResponse] of cand.byId) {
    if (!base.byId.has(id))
      added.push({ prompt_uuid: id, baseline: 'missing', candidate: outcomeOf(candidateResponse), baselineResponse: undefined, candidateResponse });
  }

  const { byContentType: _b, ...baselineCounts } = summarizeResponses(base.all);
  const { byContentType: _c, ...candidateCounts } = summarizeResponses(cand.all);
  const passRateChange = baselineCounts.passRate === null || candidateCounts.passRate === null ? null : candidateCounts.passRate - baselineCounts.passRate;
  const lnP = mcnemarExactLn(regressed.length, fixed.length);
  return {
    baseline: baselineCounts,
    candidate: candidateCounts,
    passRateChange,
    regressed,
    fixed,
    stillFailing,
    stillPassing,
    new: added,
    missing,
    duplicates: { baseline: base.duplicates, candidate: cand.duplicates },
    mcnemar: { regressed: regressed.length, fixed: fixed.length, pValue: Math.exp(lnP), log10PValue: lnP / Math.LN10 },
  };
}

// --- McNemar's exact test ---------------------------------------------------------------------------------------

/** ln(n!) - ln(sqrt(2 pi n) (n/e)^n) for n = 0..15, the nearest doubles (Stirling's error term; 0 for n = 0 is unused). */
const STIRLING_ERROR = [
  0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093, 0.016644691189821193, 0.013876128823070748, 0.01189670994589177,
  0.010411265261972096, 0.009255462182712733, 0.00833056343336287, 0.007573675487951841, 0.00694284010720953, 0.006408994188004207, 0.0059513701127588475,
  0.005554733551962801,
];

/** Stirling's error term for an integer n >= 1: a table up to 15, then its asymptotic series (Loader 2000). */
function stirlingError(n: number): number {
  if (n <= 15) return STIRLING_ERROR[n] as number;
  const [s0, s1, s2, s3, s4] = [1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188];
  const nn = n * n;
  if (n > 500) return (s0 - s1 / nn) / n;
  if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
  if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/** x ln(x / m) + m - x, computed without cancellation when x is close to m (Loader 2000). */
function deviance(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let sum = (x - m) * v;
    let term = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      term *= v;
      const next = sum + term / (2 * j + 1);
      if (next === sum) return next;
      sum = next;
    }
  }
  return x * Math.log(x / m) + m - x;
}

/**
 * ln P(X = k) for X ~ Binomial(n, 1/2), by Loader's saddle-point formula (the one R's dbinom uses): accurate
 * to about 1e-15 relative for any n, where C(n, k) / 2^n would overflow and underflow.
 */
function logBinomialHalf(k: number, n: number): number {
  if (k === 0 || k === n) return -n * Math.LN2;
  const half = n / 2;
  const lc = stirlingError(n) - stirlingError(k) - stirlingError(n - k) - deviance(k, half) - deviance(n - k, half);
  const lf = Math.log(2 * Math.PI) + Math.log(k) + Math.log1p(-k / n);
  return lc - 0.5 * lf;
}

/** ln P(X >= k) for X ~ Binomial(n, 1/2) and k > n/2, where the terms only shrink: summed from the largest. */
function logUpperTailHalf(k: number, n: number): number {
  // Terms relative to the first, by the ratio P(j+1)/P(j) = (n-j)/(j+1), until they no longer change the sum.
  let sum = 1;
  let term = 1;
  for (let j = k; j < n; j++) {
    term *= (n - j) / (j + 1);
    if (term < sum * 1e-17) break;
    sum += term;
  }
  return logBinomialHalf(k, n) + Math.log(sum);
}

/** The natural log of McNemar's exact one-sided p-value; see `mcnemarExact`. */
function mcnemarExactLn(regressed: number, fixed: number): number {
  const n = regressed + fixed;
  if (regressed === 0) return 0;
  // The distribution is symmetric: for k <= n/2, P(X >= k) = 1 - P(X <= k-1) = 1 - P(X >= n-k+1), a tail over n/2.
  if (2 * regressed > n) return logUpperTailHalf(regressed, n);
  return Math.log(-Math.expm1(logUpperTailHalf(n - regressed + 1, n)));
}

/**
 * McNemar's exact test, one-sided, on paired pass/fail outcomes: given `regressed` cases that went from
 * passing to not passing and `fixed` cases that went the other way, returns P(X >= regressed) for
 * X ~ Binomial(regressed + fixed, 1/2), the chance of at least this many regressions among the changed cases
 * if the candidate were as good as the baseline. It is R's
 * `binom.test(regressed, regressed + fixed, alternative = "greater")$p.value`. Computed in log space, so it
 * stays accurate for millions of cases (it is 0 only below about 1e-308).
 *
 * @throws RangeError when a count is not a non-negative safe integer.
 */
export function mcnemarExact(regressed: number, fixed: number): number {
  for (const [name, value] of [
    ['regressed', regressed],
    ['fixed', fixed],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`mcnemarExact: ${name} must be a non-negative integer; got ${String(value)}`);
  }
  return Math.exp(mcnemarExactLn(regressed, fixed));
}
