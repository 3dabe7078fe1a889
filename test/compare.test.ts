/**
 * compareRuns() and McNemar's exact test: pairing by prompt_uuid, the categories a release gate needs
 * (regressed, fixed, still failing, new, missing, duplicates), and p-values checked against published values
 * and against exact rational arithmetic done here with BigInt, independently of src/compare.ts.
 */
import { describe, expect, it } from 'vitest';
import { EvalScoredResponseSchema, type EvalScoredResponse } from 'aymara-ai';
import { compareRuns, mcnemarExact, type ComparableResponse } from 'aymara-ai/analysis';
import { OUTCOME_FIELDS, type Outcome } from './helpers/outcomes.js';

/** A response with the documented defaults, for a case with the given outcome. */
function r(prompt_uuid: string, outcome: Outcome, extra: Record<string, unknown> = {}): EvalScoredResponse {
  const fields = OUTCOME_FIELDS[outcome];
  return EvalScoredResponseSchema.parse({ prompt_uuid, explanation: `${prompt_uuid} ${outcome}`, ...fields, ...extra });
}

const ids = (cases: readonly { prompt_uuid: string }[]) => cases.map((c) => c.prompt_uuid);

// --- pairing ----------------------------------------------------------------------------------------------------

describe('compareRuns', () => {
  // One case of each transition a gate cares about.
  const baseline = [
    r('still-pass', 'passed'),
    r('regress-fail', 'passed'),
    r('regress-unscored', 'passed'),
    r('regress-excluded', 'passed'),
    r('regress-missing', 'passed'),
    r('fixed-from-fail', 'failed'),
    r('fixed-from-unscored', 'unscored'),
    r('fixed-from-excluded', 'excluded'),
    r('still-fail', 'failed'),
    r('still-fail-missing', 'failed'),
    r('fail-to-unscored', 'failed'),
  ];
  const candidate = [
    r('new-pass', 'passed'),
    r('still-fail', 'failed', { explanation: 'still wrong' }),
    r('fixed-from-excluded', 'passed'),
    r('fixed-from-unscored', 'passed'),
    r('fixed-from-fail', 'passed'),
    r('regress-excluded', 'excluded'),
    r('regress-unscored', 'unscored'),
    r('regress-fail', 'failed', { explanation: 'now leaks the system prompt' }),
    r('still-pass', 'passed'),
    r('fail-to-unscored', 'unscored'),
    r('new-fail', 'failed'),
  ];
  const c = compareRuns(baseline, candidate);

  it('regressed: passed in the baseline, then failed, unscored, excluded or missing; in baseline order', () => {
    expect(ids(c.regressed)).toEqual(['regress-fail', 'regress-unscored', 'regress-excluded', 'regress-missing']);
    expect(c.regressed.map((x) => [x.baseline, x.candidate])).toEqual([
      ['passed', 'failed'],
      ['passed', 'unscored'],
      ['passed', 'excluded'],
      ['passed', 'missing'],
    ]);
    const leak = c.regressed[0];
    expect(leak?.candidateResponse?.explanation).toBe('now leaks the system prompt');
    expect(leak?.baselineResponse?.explanation).toBe('regress-fail passed');
    expect(c.regressed[3]?.candidateResponse).toBeUndefined();
  });

  it('fixed: not passed in the baseline (failed, unscored or excluded), passed in the candidate', () => {
    expect(ids(c.fixed)).toEqual(['fixed-from-fail', 'fixed-from-unscored', 'fixed-from-excluded']);
    expect(c.fixed.map((x) => x.baseline)).toEqual(['failed', 'unscored', 'excluded']);
  });

  it('still failing (missing included), still passing, new with their outcome, missing', () => {
    expect(ids(c.stillFailing)).toEqual(['still-fail', 'still-fail-missing', 'fail-to-unscored']);
    expect(c.stillFailing.map((x) => x.candidate)).toEqual(['failed', 'missing', 'unscored']);
    expect(ids(c.stillPassing)).toEqual(['still-pass']);
    expect(c.new.map((x) => [x.prompt_uuid, x.baseline, x.candidate])).toEqual([
      ['new-pass', 'missing', 'passed'],
      ['new-fail', 'missing', 'failed'],
    ]);
    expect(ids(c.missing)).toEqual(['regress-missing', 'still-fail-missing']);
    expect(c.duplicates).toEqual({ baseline: [], candidate: [] });
  });

  it('every baseline case lands in exactly one of regressed, fixed, still failing, still passing', () => {
    const all = [...c.regressed, ...c.fixed, ...c.stillFailing, ...c.stillPassing].map((x) => x.prompt_uuid).sort();
    expect(all).toEqual(baseline.map((x) => x.prompt_uuid).sort());
  });

  it('counts and pass rates as summarizeResponses gives them, and the change', () => {
    // baseline: passed 5, failed 3 (fixed-from-fail, still-fail, still-fail-missing, fail-to-unscored = 4), unscored 1, excluded 1
    expect(c.baseline).toEqual({ total: 11, passed: 5, failed: 4, refused: 0, excluded: 1, unscored: 1, passRate: 5 / 9 });
    expect(c.candidate).toEqual({ total: 11, passed: 5, failed: 3, refused: 0, excluded: 1, unscored: 2, passRate: 5 / 8 });
    expect(c.passRateChange).toBeCloseTo(5 / 8 - 5 / 9, 15);
  });

  it("McNemar's counts are the regressed against the fixed cases", () => {
    expect(c.mcnemar).toMatchObject({ regressed: 4, fixed: 3 });
    // P(X >= 4 | n = 7, 1/2) = (35 + 21 + 7 + 1) / 128
    expect(c.mcnemar.pValue).toBeCloseTo(64 / 128, 14);
    expect(c.mcnemar.log10PValue).toBeCloseTo(Math.log10(0.5), 14);
  });

  it('duplicate prompt_uuids are named, per run, once each; the first response is the one paired', () => {
    const d = compareRuns(
      [r('a', 'passed'), r('b', 'passed'), r('a', 'failed'), r('a', 'failed'), r('c', 'failed')],
      [r('a', 'failed'), r('b', 'passed'), r('b', 'failed'), r('c', 'passed'), r('__proto__', 'passed'), r('__proto__', 'failed')],
    );
    expect(d.duplicates).toEqual({ baseline: ['a'], candidate: ['b', '__proto__'] });
    expect(ids(d.regressed)).toEqual(['a']);
    expect(ids(d.fixed)).toEqual(['c']);
    expect(ids(d.new)).toEqual(['__proto__']);
    // Every response still counts in the run's totals.
    expect(d.baseline.total).toBe(5);
    expect(d.candidate.total).toBe(6);
  });

  it('hostile ids (__proto__, constructor, toString) are ordinary cases', () => {
    const hostile = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    const d = compareRuns(
      hostile.map((id) => r(id, 'passed')),
      hostile.map((id) => r(id, 'failed')),
    );
    expect(ids(d.regressed)).toEqual(hostile);
    expect(({} as Record<string, unknown>).passed).toBeUndefined();
  });

  it('empty runs; a candidate with nothing of the baseline; undefined rates', () => {
    const empty = compareRuns([], []);
    expect(empty).toMatchObject({ passRateChange: null, regressed: [], fixed: [], new: [], missing: [], mcnemar: { regressed: 0, fixed: 0, pValue: 1 } });
    const gone = compareRuns([r('x', 'passed'), r('y', 'failed')], []);
    expect(ids(gone.regressed)).toEqual(['x']);
    expect(ids(gone.missing)).toEqual(['x', 'y']);
    expect(gone.passRateChange).toBeNull();
    expect(gone.mcnemar.pValue).toBe(0.5);
  });

  it('takes any iterable and any response shape with the three fields it reads', () => {
    function* gen(): Generator<ComparableResponse & { note: string }> {
      yield { prompt_uuid: 'g1', is_passed: true, exclude_from_scoring: false, note: 'kept' };
      yield { prompt_uuid: 'g2', is_passed: false, exclude_from_scoring: false, note: 'kept' };
    }
    const d = compareRuns(gen(), new Set([{ prompt_uuid: 'g1', is_passed: false, exclude_from_scoring: false, note: 'cand' }]));
    expect(d.regressed[0]?.candidateResponse?.note).toBe('cand');
    expect(ids(d.missing)).toEqual(['g2']);
  });
});

// --- McNemar's exact test ---------------------------------------------------------------------------------------

/** C(n, k) exactly. */
function choose(n: number, k: number): bigint {
  let c = 1n;
  for (let i = 1; i <= k; i++) c = (c * BigInt(n - k + i)) / BigInt(i);
  return c;
}

/** Σ_{j >= k} C(n, j), exactly. */
function upperTailCount(k: number, n: number): bigint {
  let c = choose(n, k);
  let sum = 0n;
  for (let j = k; j <= n; j++) {
    sum += c;
    c = (c * BigInt(n - j)) / BigInt(j + 1);
  }
  return sum;
}

/** numerator / 2^n as the nearest double (within a few ulps), for any size of numerator. */
function overPowerOfTwo(numerator: bigint, n: number): number {
  const bits = numerator.toString(2).length;
  const shift = Math.max(0, bits - 64);
  return Number(numerator >> BigInt(shift)) * 2 ** (shift - n);
}

/** P(X >= k) for X ~ Binomial(n, 1/2), exactly (BigInt), then rounded: an implementation independent of src/compare.ts. */
const exactTail = (k: number, n: number) => overPowerOfTwo(upperTailCount(k, n), n);

describe('mcnemarExact (one-sided: P(X >= regressed), X ~ Binomial(regressed + fixed, 1/2))', () => {
  it('matches a published value: Fagerland, Lydersen & Laake (2013), 1 and 7 discordant pairs', () => {
    // BMC Medical Research Methodology 13:91, Table 1 (airway hyper-responsiveness before and after stem cell
    // transplantation; 1 and 7 discordant pairs): exact conditional McNemar p = 0.070 (two-sided), mid-p 0.039.
    // The two-sided exact p is twice the one-sided tail: 2 * 9/256 = 0.0703; mid-p 2 * (9/256 - 8/256 / 2) = 0.039.
    const oneSided = mcnemarExact(7, 1);
    expect(oneSided).toBeCloseTo(9 / 256, 15);
    expect(Number((2 * oneSided).toFixed(3))).toBe(0.07);
    const pointMass = 8 / 256; // P(X = 7 | n = 8)
    expect(Number((2 * (oneSided - pointMass / 2)).toFixed(3))).toBe(0.039);
  });

  it.each<[number, number, number]>([
    // [regressed, fixed, exact p] with exact rationals worked by hand: sums of binomial coefficients over 2^n.
    [1, 0, 1 / 2],
    [3, 0, 1 / 8],
    [8, 2, 56 / 1024], // C(10,8)+C(10,9)+C(10,10) = 45+10+1
    [9, 1, 11 / 1024], // 10+1
    [5, 5, 638 / 1024], // 252+210+120+45+10+1
    [0, 6, 1],
    [2, 3, 26 / 32], // 10+10+5+1
  ])('%d regressed, %d fixed: p = %f (exact fraction)', (regressed, fixed, p) => {
    expect(mcnemarExact(regressed, fixed)).toBeCloseTo(p, 14);
  });

  it.each<[number, number]>([
    [15, 5],
    [150, 86], // Agresti's presidential approval discordant pairs (150 and 86), the example of R's mcnemar.test
    [60, 40],
    [110, 90],
    [1500, 1000],
    [5100, 4900],
    [5050, 4950],
    [50, 50],
    [3, 5],
    [20, 10],
  ])('%d regressed, %d fixed: equal to the exact BigInt tail to 1e-12 (relative)', (regressed, fixed) => {
    const exact = exactTail(regressed, regressed + fixed);
    const p = mcnemarExact(regressed, fixed);
    expect(Math.abs(p - exact) / exact).toBeLessThan(1e-12);
  });

  it("agrees with SciPy's exact binomial test (the test of R's binom.test) to 7 digits", () => {
    // scipy.stats.binomtest(x, n, 0.5, alternative='greater').pvalue, SciPy 1.17:
    //   (150, 236) -> 1.8579680697856933e-05, (15, 20) -> 0.020694732666015625, (60, 100) -> 0.028443966820490444
    expect(Number(mcnemarExact(150, 86).toPrecision(7))).toBe(1.857968e-5);
    expect(Number(mcnemarExact(15, 5).toPrecision(7))).toBe(0.02069473);
    expect(Number(mcnemarExact(60, 40).toPrecision(7))).toBe(0.02844397);
  });

  it('stays accurate for a million discordant pairs (log space, no overflow of C(n, k))', () => {
    // Exact values, from the same exact sum done with Python integers and fractions (correctly rounded):
    // float(Fraction(sum(comb(10**6, j) for j >= 501000), 2**10**6)) = 0.02280414993269104
    expect(Math.abs(mcnemarExact(501_000, 499_000) - 0.02280414993269104) / 0.02280414993269104).toBeLessThan(1e-12);
    // A p-value below the smallest double is 0, and its log10 still tells how small: 3600 regressed against
    // 400 fixed, checked against log10 of the exact BigInt sum.
    const sum = upperTailCount(3600, 4000);
    const shift = Math.max(0, sum.toString(2).length - 64);
    const exactLog10 = Math.log10(Number(sum >> BigInt(shift))) + (shift - 4000) * Math.log10(2);
    const lopsided = compareRuns(
      Array.from({ length: 4000 }, (_, i) => ({ prompt_uuid: `p${i}`, is_passed: i < 3600, exclude_from_scoring: false })),
      Array.from({ length: 4000 }, (_, i) => ({ prompt_uuid: `p${i}`, is_passed: i >= 3600, exclude_from_scoring: false })),
    );
    expect(exactLog10).toBeLessThan(-308);
    expect(lopsided.mcnemar).toMatchObject({ regressed: 3600, fixed: 400, pValue: 0 });
    expect(lopsided.mcnemar.log10PValue).toBeCloseTo(exactLog10, 9);
    // 2000 regressed, none fixed: 2^-2000, far below the smallest double.
    const all = compareRuns<ComparableResponse>(
      Array.from({ length: 2000 }, (_, i) => ({ prompt_uuid: `q${i}`, is_passed: true, exclude_from_scoring: false })),
      Array.from({ length: 2000 }, (_, i) => ({ prompt_uuid: `q${i}`, is_passed: false, exclude_from_scoring: false })),
    );
    expect(all.mcnemar.pValue).toBe(0);
    expect(all.mcnemar.log10PValue).toBeCloseTo(-2000 * Math.log10(2), 9);
  });

  it('is monotone: more regressions for the same changes never raise p', () => {
    let previous = 1;
    for (let regressed = 0; regressed <= 40; regressed++) {
      const p = mcnemarExact(regressed, 40 - regressed);
      expect(p).toBeLessThanOrEqual(previous);
      previous = p;
    }
  });

  it('refuses counts that are not non-negative integers', () => {
    for (const [a, b] of [
      [-1, 2],
      [1.5, 2],
      [1, Number.NaN],
      [1, Infinity],
    ] as const) {
      expect(() => mcnemarExact(a, b)).toThrow(RangeError);
    }
  });
});
