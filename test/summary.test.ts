import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AymaraAI, EvalScoredResponseSchema, type EvalScoredResponse } from 'aymara-ai';
import { summarizeResponses, SummaryBuilder, type ResponseCounts } from 'aymara-ai/analysis';
import { generateResponses, startMockServer, type MockServer } from 'aymara-ai/testing';

/** A scored response with the documented defaults, changed by `extra`. */
function r(extra: Partial<EvalScoredResponse> = {}): EvalScoredResponse {
  return EvalScoredResponseSchema.parse({ prompt_uuid: `p-${Math.random().toString(36).slice(2)}`, ...extra });
}

const zero: ResponseCounts = { total: 0, passed: 0, failed: 0, refused: 0, excluded: 0, unscored: 0, passRate: null };

describe('summarizeResponses on arrays', () => {
  it('empty input: all zero, passRate null, no content types', () => {
    expect(summarizeResponses([])).toEqual({ ...zero, byContentType: {} });
  });

  it('counts passed, failed and unscored, and the pass rate passed / (passed + failed)', () => {
    const s = summarizeResponses([r({ is_passed: true }), r({ is_passed: true }), r({ is_passed: false }), r({ is_passed: null }), r()]);
    expect(s).toMatchObject({ total: 5, passed: 2, failed: 1, refused: 0, excluded: 0, unscored: 2 });
    expect(s.passRate).toBe(2 / 3);
  });

  it('excluded responses never count toward the rate, even with is_passed set, and are not unscored', () => {
    const s = summarizeResponses([
      r({ is_passed: true }),
      r({ is_passed: false }),
      r({ exclude_from_scoring: true, is_passed: false }),
      r({ exclude_from_scoring: true, is_passed: false }),
      r({ exclude_from_scoring: true, is_passed: false }),
      r({ exclude_from_scoring: true, is_passed: true }),
      r({ exclude_from_scoring: true, is_passed: null }),
    ]);
    expect(s).toMatchObject({ total: 7, passed: 1, failed: 1, excluded: 5, unscored: 0, passRate: 0.5 });
  });

  it('nothing scored (only excluded and unscored): passRate null', () => {
    const s = summarizeResponses([r({ exclude_from_scoring: true, is_passed: true }), r({ is_passed: null }), r()]);
    expect(s).toMatchObject({ total: 3, passed: 0, failed: 0, excluded: 1, unscored: 2, passRate: null });
  });

  it('refused is counted whatever the result: passed, failed, excluded or unscored', () => {
    const s = summarizeResponses([
      r({ ai_refused: true, is_passed: true }),
      r({ ai_refused: true, is_passed: false }),
      r({ ai_refused: true, exclude_from_scoring: true, is_passed: true }),
      r({ ai_refused: true, is_passed: null }),
      r({ ai_refused: false, is_passed: true }),
    ]);
    expect(s).toMatchObject({ total: 5, refused: 4, passed: 2, failed: 1, excluded: 1, unscored: 1, passRate: 2 / 3 });
  });

  it('breaks the counts down by content_type, an unknown type (audio) included', () => {
    const s = summarizeResponses([
      r({ is_passed: true }),
      r({ content_type: 'text', is_passed: false, ai_refused: true }),
      r({ content_type: 'image', is_passed: true, content: { file_uuid: 'f-1', remote_file_path: 'a/f-1.png' } }),
      r({ content_type: 'image', exclude_from_scoring: true, is_passed: false }),
      r({ content_type: 'audio', is_passed: null }),
      r({ content_type: 'audio', is_passed: true }),
      r({ content_type: 'audio', is_passed: true, ai_refused: true }),
    ]);
    expect(s.byContentType).toEqual({
      text: { total: 2, passed: 1, failed: 1, refused: 1, excluded: 0, unscored: 0, passRate: 0.5 },
      image: { total: 2, passed: 1, failed: 0, refused: 0, excluded: 1, unscored: 0, passRate: 1 },
      audio: { total: 3, passed: 2, failed: 0, refused: 1, excluded: 0, unscored: 1, passRate: 1 },
    });
    expect(s).toMatchObject({ total: 7, passed: 4, failed: 1, refused: 2, excluded: 1, unscored: 1, passRate: 4 / 5 });
    // The breakdown adds up to the totals.
    for (const key of ['total', 'passed', 'failed', 'refused', 'excluded', 'unscored'] as const) {
      expect(Object.values(s.byContentType).reduce((sum, c) => sum + c[key], 0)).toBe(s[key]);
    }
  });

  it('an image type with nothing scored has a null rate of its own', () => {
    const s = summarizeResponses([r({ is_passed: true }), r({ content_type: 'image', is_passed: null })]);
    expect(s.passRate).toBe(1);
    expect(s.byContentType.image).toEqual({ ...zero, total: 1, unscored: 1 });
  });

  it('takes any sync iterable and answers synchronously', () => {
    const items = [r({ is_passed: true }), r({ is_passed: false })];
    function* gen() {
      yield* items;
    }
    const s = summarizeResponses(gen());
    expect(s).not.toBeInstanceOf(Promise);
    expect(s).toEqual(summarizeResponses(items));
  });

  it('returns a copy: changing the result does not change a later one', () => {
    const items = [r({ is_passed: true })];
    const a = summarizeResponses(items);
    Object.assign(a.byContentType.text ?? {}, { passed: 99 });
    a.passed = 99;
    expect(a.byContentType.text?.passed).toBe(99);
    expect(summarizeResponses(items)).toMatchObject({ passed: 1, byContentType: { text: { passed: 1 } } });
  });
});

describe('summarizeResponses on an async iterable', () => {
  const KEY = 'sk-summary-test';
  const RUN = 'run-summary';
  const FIXTURES = [...generateResponses(53, 42), { prompt_uuid: 'audio-1', content_type: 'audio', is_passed: false, ai_refused: true }];
  let server: MockServer;
  let client: AymaraAI;

  beforeAll(async () => {
    server = await startMockServer({ fixtures: { apiKey: KEY, runs: { [RUN]: { responses: FIXTURES } } } });
    client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off' });
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('returns a Promise of the same summary as over the fixtures, across pages', async () => {
    const pending = summarizeResponses(client.evals.runs.listResponses(RUN, { limit: 7 }));
    expect(pending).toBeInstanceOf(Promise);
    const fromAPI = await pending;
    const parsed = FIXTURES.map((f) => EvalScoredResponseSchema.parse(f));
    expect(fromAPI).toEqual(summarizeResponses(parsed));
    expect(server.api.requests.length).toBeGreaterThanOrEqual(Math.ceil(FIXTURES.length / 7));

    // And the numbers themselves, counted here.
    const scored = parsed.filter((x) => !x.exclude_from_scoring && typeof x.is_passed === 'boolean');
    const passed = scored.filter((x) => x.is_passed).length;
    expect(fromAPI).toMatchObject({
      total: FIXTURES.length,
      passed,
      failed: scored.length - passed,
      refused: parsed.filter((x) => x.ai_refused).length,
      excluded: parsed.filter((x) => x.exclude_from_scoring).length,
      unscored: parsed.filter((x) => !x.exclude_from_scoring && (x.is_passed === null || x.is_passed === undefined)).length,
      passRate: passed / scored.length,
    });
    expect(Object.keys(fromAPI.byContentType).sort()).toEqual(['audio', 'image', 'text']);
    expect(fromAPI.byContentType.audio).toEqual({ total: 1, passed: 0, failed: 1, refused: 1, excluded: 0, unscored: 0, passRate: 0 });
  });

  it('an async generator works too', async () => {
    async function* gen() {
      yield r({ is_passed: true });
      yield r({ is_passed: false, content_type: 'audio' });
    }
    await expect(summarizeResponses(gen())).resolves.toMatchObject({ total: 2, passed: 1, failed: 1, passRate: 0.5 });
  });
});

describe('hostile content types from the server', () => {
  // Parsed from JSON as a server would send them: `__proto__` is then an own key, not the prototype.
  const hostile = JSON.parse(
    JSON.stringify([
      { prompt_uuid: 'p1', content_type: '__proto__', is_passed: true },
      { prompt_uuid: 'p2', content_type: '__proto__', is_passed: false },
      { prompt_uuid: 'p3', content_type: 'constructor', is_passed: true },
      { prompt_uuid: 'p4', content_type: 'toString', is_passed: null },
      { prompt_uuid: 'p5', content_type: 'hasOwnProperty', is_passed: true, exclude_from_scoring: true },
      { prompt_uuid: 'p6', content_type: 'text', is_passed: true },
    ]),
  ) as unknown[];
  const responses = hostile.map((item) => EvalScoredResponseSchema.parse(item));

  it('are counted like any type, in the breakdown, and nothing reaches Object.prototype', () => {
    const s = summarizeResponses(responses);
    expect(s).toMatchObject({ total: 6, passed: 3, failed: 1, excluded: 1, unscored: 1, passRate: 3 / 4 });
    expect(Object.keys(s.byContentType)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'text']);
    expect(Object.getOwnPropertyDescriptor(s.byContentType, '__proto__')?.value).toEqual({ ...zero, total: 2, passed: 1, failed: 1, passRate: 0.5 });
    expect(s.byContentType.constructor).toEqual({ ...zero, total: 1, passed: 1, passRate: 1 });
    expect(s.byContentType.toString).toEqual({ ...zero, total: 1, unscored: 1 });
    expect(s.byContentType.hasOwnProperty).toEqual({ ...zero, total: 1, excluded: 1 });
    // The per-type totals add up to the total: no response was dropped from the breakdown.
    expect(Object.values(s.byContentType).reduce((sum, c) => sum + c.total, 0)).toBe(6);
    // Nothing leaked into shared prototypes.
    const plain: Record<string, unknown> = {};
    for (const key of ['total', 'passed', 'failed', 'passRate']) expect(plain[key]).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('total');
    expect(typeof Object.prototype.toString).toBe('function');
    expect(Object.prototype.hasOwnProperty.call(Object, 'total')).toBe(false);
  });

  it('the breakdown has no prototype: only real types are in it', () => {
    const s = summarizeResponses([r({ is_passed: true })]);
    expect(Object.getPrototypeOf(s.byContentType)).toBeNull();
    expect('toString' in s.byContentType).toBe(false);
    expect(s.byContentType.constructor).toBeUndefined();
    const roundTrip = JSON.parse(JSON.stringify(summarizeResponses(responses).byContentType)) as object;
    expect(Object.getOwnPropertyDescriptor(roundTrip, '__proto__')?.value).toMatchObject({ total: 2 });
  });

  it('a builder fed the same hostile types twice keeps counting them (the result is a copy)', () => {
    const builder = new SummaryBuilder();
    for (const response of responses) builder.add(response);
    const first = builder.result();
    for (const response of responses) builder.add(response);
    expect(Object.getOwnPropertyDescriptor(first.byContentType, '__proto__')?.value.total).toBe(2);
    expect(Object.getOwnPropertyDescriptor(builder.result().byContentType, '__proto__')?.value.total).toBe(4);
  });
});
