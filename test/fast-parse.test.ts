import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EvalScoredResponsesPageSchema, ErrorEnvelopeSchema } from 'aymara-ai';
import { fastParser } from '../src/core/fast-parse.js';

/** A value of each kind the schema's fields could meet, valid or not. */
const anyValue = fc.oneof(
  fc.string(),
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(1.5),
  fc.constant(2 ** 60),
  fc.constantFrom('text', 'image', 'audio'),
  fc.dictionary(fc.constantFrom('file_uuid', 'remote_file_path', 'prompt_uuid', 'content', 'extra'), fc.oneof(fc.string(), fc.constant(null), fc.integer())),
  fc.array(fc.string(), { maxLength: 2 }),
);

const FIELDS = ['prompt_uuid', 'thread_uuid', 'turn_number', 'continue_thread', 'content', 'content_type', 'exclude_from_scoring', 'ai_refused', 'response_uuid', 'explanation', 'confidence', 'is_passed', 'next_prompt', 'unknown_field'];

const item = fc.oneof(
  // Mostly valid items, with some fields replaced by anything.
  fc.record({ prompt_uuid: fc.string(), content: fc.oneof(fc.string(), fc.constant(null), fc.record({ file_uuid: fc.string() })) }).chain((base) =>
    fc.dictionary(fc.constantFrom(...FIELDS), anyValue, { maxKeys: 4 }).map((extra) => ({ ...base, ...extra })),
  ),
  fc.dictionary(fc.constantFrom(...FIELDS), anyValue),
  anyValue,
);
const page = fc.record({ items: fc.oneof(fc.array(item, { maxLength: 4 }), anyValue), count: fc.oneof(fc.integer(), anyValue) }, { requiredKeys: [] });

/** Both parsers get their own copy of the body, as JSON.parse would hand it. */
const copy = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

describe('the in-place fast parser agrees with zod', () => {
  it('compiles the page schema and the error envelope', () => {
    expect(fastParser(EvalScoredResponsesPageSchema)).not.toBeNull();
    expect(fastParser(ErrorEnvelopeSchema)).not.toBeNull();
  });

  it('accepts exactly what zod accepts, and returns what zod returns', () => {
    fc.assert(
      fc.property(page, (body) => {
        const fast = fastParser(EvalScoredResponsesPageSchema)?.(copy(body));
        const slow = EvalScoredResponsesPageSchema.safeParse(copy(body));
        expect(fast?.ok).toBe(slow.success);
        if (fast?.ok && slow.success) expect(fast.value).toStrictEqual(slow.data);
      }),
      { numRuns: 2000 },
    );
  });

  it('fills defaults in place and keeps unknown fields', () => {
    const body = { items: [{ prompt_uuid: 'p', next_prompt: { prompt_uuid: 'n', content: 'c' }, later_field: 1 }], count: 1, cursor: 'x' };
    const result = fastParser(EvalScoredResponsesPageSchema)?.(body);
    expect(result?.ok).toBe(true);
    expect(body.items[0]).toMatchObject({ turn_number: 1, continue_thread: false, content_type: 'text', exclude_from_scoring: false, ai_refused: false, later_field: 1 });
    expect(body.items[0]?.next_prompt).toMatchObject({ turn_number: 1 });
    expect(body.cursor).toBe('x');
  });

  it('gives no fast path for shapes it does not compile, so zod decides', () => {
    expect(fastParser(z.strictObject({ a: z.string() }))).toBeNull();
    expect(fastParser(z.object({ a: z.string() }))).toBeNull();
    expect(fastParser(z.looseObject({ a: z.string().min(2) }))).toBeNull();
    expect(fastParser(z.union([z.looseObject({ a: z.string() }), z.looseObject({ b: z.string() })]))).toBeNull();
  });
});
