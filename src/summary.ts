import type { EvalScoredResponse } from './schemas/eval-scored-response.js';

/** Counts over a set of scored responses. */
export interface ResponseCounts {
  /** Every response. */
  total: number;
  /** `is_passed === true`, not excluded from scoring. */
  passed: number;
  /** `is_passed === false`, not excluded from scoring. */
  failed: number;
  /** `ai_refused === true` (whether passed or not). */
  refused: number;
  /** `exclude_from_scoring === true`. */
  excluded: number;
  /** `is_passed` null or absent, not excluded. */
  unscored: number;
  /** passed / (passed + failed); `null` when nothing was scored. */
  passRate: number | null;
}

/** The totals, the pass rate, and the same by `content_type`. */
export interface ResponsesSummary extends ResponseCounts {
  /**
   * The counts by `content_type`. An object without a prototype:
   * the type names come from the server, so a type called `__proto__` or `constructor` is an ordinary key
   * here (it cannot reach `Object.prototype`), and `'toString' in byContentType` is true only for a real type.
   */
  byContentType: Record<string, ResponseCounts>;
}

/** The fields a summary reads; a missing `content_type` counts as `'text'`, its documented default. */
export type Countable = Pick<EvalScoredResponse, 'is_passed' | 'exclude_from_scoring'> & Partial<Pick<EvalScoredResponse, 'ai_refused' | 'content_type'>>;

function emptyCounts(): ResponseCounts {
  return { total: 0, passed: 0, failed: 0, refused: 0, excluded: 0, unscored: 0, passRate: null };
}

function count(counts: ResponseCounts, response: Countable): void {
  counts.total += 1;
  if (response.ai_refused) counts.refused += 1;
  if (response.exclude_from_scoring) counts.excluded += 1;
  else if (response.is_passed === true) counts.passed += 1;
  else if (response.is_passed === false) counts.failed += 1;
  else counts.unscored += 1;
  const scored = counts.passed + counts.failed;
  counts.passRate = scored === 0 ? null : counts.passed / scored;
}

/** Builds a summary one response at a time, for streams too large to hold. */
export class SummaryBuilder {
  readonly #totals: ResponseCounts = emptyCounts();
  // A Map, not an object: the keys are the server's `content_type` values, and a plain object would let
  // `__proto__` or `constructor` reach shared prototypes instead of being counted.
  readonly #byType = new Map<string, ResponseCounts>();

  /** Counts one more response. */
  add(response: Countable): void {
    count(this.#totals, response);
    const type = String(response.content_type ?? 'text');
    let counts = this.#byType.get(type);
    if (!counts) this.#byType.set(type, (counts = emptyCounts()));
    count(counts, response);
  }

  /** The summary so far (a copy). */
  result(): ResponsesSummary {
    const byContentType = Object.create(null) as Record<string, ResponseCounts>;
    // Assignment on an object without a prototype defines an own property, even for `__proto__`.
    for (const [type, counts] of this.#byType) byContentType[type] = { ...counts };
    return { ...this.#totals, byContentType };
  }
}

/**
 * Summarizes scored responses: total, passed, failed, refused, excluded, unscored, the pass rate
 * (passed / (passed + failed), over responses not excluded from scoring; `null` when none was scored)
 * and the same by `content_type`.
 *
 * Takes an array, any iterable, or an async iterable such as `client.evals.runs.listResponses(id)`
 * (then it returns a promise).
 *
 * @example
 * ```ts
 * const summary = await summarizeResponses(client.evals.runs.listResponses(runUUID));
 * if (summary.passRate !== null && summary.passRate < 0.9) process.exit(1);
 * ```
 */
export function summarizeResponses(responses: Iterable<Countable>): ResponsesSummary;
export function summarizeResponses(responses: AsyncIterable<Countable>): Promise<ResponsesSummary>;
export function summarizeResponses(responses: Iterable<Countable> | AsyncIterable<Countable>): ResponsesSummary | Promise<ResponsesSummary> {
  const builder = new SummaryBuilder();
  if (Symbol.asyncIterator in responses) {
    return (async () => {
      for await (const response of responses) builder.add(response);
      return builder.result();
    })();
  }
  for (const response of responses) builder.add(response);
  return builder.result();
}
