/**
 * The SDK parses with zod's compiled fast path once a schema is used often (the pages of a list), and with zod's
 * runtime parser before that, and in bundles that leave the compiler out. The two must never disagree: the same
 * success, the same data (defaults filled, unknown fields kept, in the same key order), the same issues. Checked for
 * every response schema on valid and broken bodies, from the sources and from the built package (where the compiler
 * is a file of its own with its own copy of zod), and through a client whose pages switch from one to the other.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import * as z from 'zod/mini';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sdk from 'aymara-ai';
import { demoFixtures, DEMO_EVAL_UUID, DEMO_RUN_UUID, startMockServer, type MockServer } from 'aymara-ai/testing';
import { loadSchemaCompiler, schemaFor } from '../../src/core/schema-compiler.js';
import { ensureBuiltBeforeAll, ROOT } from '../cli-harness.js';

type Schema = z.core.$ZodType;
type Compile = (schema: Schema, options?: { strict?: boolean }) => Schema;
type SchemaName = 'EvalScoredResponsesPageSchema' | 'EvalRunSchema' | 'EvalRunsPageSchema' | 'EvalSchema' | 'EvalPromptsPageSchema';

/** Real bodies of every endpoint, as the mock API serves them (valid by construction), read once. */
let bodies: Record<SchemaName, Record<string, unknown>>;
let mock: MockServer;

beforeAll(async () => {
  mock = await startMockServer({ fixtures: demoFixtures() });
  const get = async (path: string) => {
    const res = await fetch(`${mock.url}${path}`, { headers: { 'x-api-key': 'demo-key' } });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };
  bodies = {
    EvalScoredResponsesPageSchema: await get(`/v2/eval-runs/${DEMO_RUN_UUID}/responses?limit=40`),
    EvalRunSchema: await get(`/v2/eval-runs/${DEMO_RUN_UUID}`),
    EvalRunsPageSchema: await get(`/v2/eval-runs?eval_uuid=${DEMO_EVAL_UUID}`),
    EvalSchema: await get(`/v2/evals/${DEMO_EVAL_UUID}`),
    EvalPromptsPageSchema: await get(`/v2/evals/${DEMO_EVAL_UUID}/prompts?limit=40`),
  };
});
afterAll(() => mock.close());

const clone = <T>(value: T): T => structuredClone(value);
const itemsOf = (body: Record<string, unknown>) => body.items as Record<string, unknown>[];

/** Valid and broken variants of a body: the cases each schema's parsers must agree on. */
function cases(name: SchemaName, body: Record<string, unknown>): [string, unknown][] {
  const out: [string, unknown][] = [
    ['as served', body],
    ['unknown top-level fields', { ...body, next_cursor: 'abc', took_ms: 12, nested: { a: [1, { b: 2 }] } }],
    ['null', null],
    ['an array', [body]],
    ['a string', 'text'],
    ['empty object', {}],
  ];
  if ('items' in body) {
    const page = (edit: (items: Record<string, unknown>[]) => void, extra: Record<string, unknown> = {}) => {
      const copy = clone(body);
      edit(itemsOf(copy));
      return { ...copy, ...extra };
    };
    out.push(
      ['unknown fields on items', page((items) => items.forEach((item, i) => Object.assign(item, { extra_field: i, more: { deep: [i] } })))],
      ['items not an array', { ...body, items: { 0: 'a' } }],
      ['count as a string', { ...body, count: String(body.count) }],
      ['count missing', { items: body.items }],
      ['count of 2^53 (not exact)', { ...body, count: 2 ** 53 }],
      ['count of 2^53 - 1', { ...body, count: 2 ** 53 - 1 }],
      ['a negative count', { ...body, count: -1 }],
      ['count 1.5', { ...body, count: 1.5 }],
      ['count NaN-like (a huge double)', { ...body, count: 1e300 }],
      ['an item that is null', page((items) => items.splice(1, 1, null as never))],
      ['an item that is a string', page((items) => items.splice(2, 1, 'x' as never))],
      ['every item broken (issues past the cap)', page((items) => items.forEach((item) => Object.assign(item, { [Object.keys(item)[0] ?? 'x']: 5 })))],
      ['an empty page', { ...body, items: [] }],
    );
  }
  if (name === 'EvalScoredResponsesPageSchema') {
    const withItem = (edit: Record<string, unknown>, withoutPromptUUID = false) => {
      const copy = clone(body);
      const item = itemsOf(copy)[3] as Record<string, unknown>;
      if (withoutPromptUUID) delete item.prompt_uuid;
      Object.assign(item, edit);
      return copy;
    };
    out.push(
      ['defaults to fill (only prompt_uuid)', { items: [{ prompt_uuid: 'p' }], count: 1 }],
      ['a missing prompt_uuid', withItem({}, true)],
      ['turn_number 1.5', withItem({ turn_number: 1.5 })],
      ['turn_number 2^53 + 2 (an integer, not range-checked)', withItem({ turn_number: 2 ** 53 + 2 })],
      ['turn_number as a string', withItem({ turn_number: '2' })],
      ['turn_number null', withItem({ turn_number: null })],
      ['a file reference with unknown fields', withItem({ content: { file_uuid: 'f', mime_type: 'image/png' }, content_type: 'image' })],
      ['a file reference with a wrong type', withItem({ content: { file_uuid: 5 } })],
      ['content a number', withItem({ content: 5 })],
      ['content null', withItem({ content: null })],
      ['an unknown content_type', withItem({ content_type: 'audio' })],
      ['confidence out of range', withItem({ confidence: 7 })],
      ['is_passed as a string', withItem({ is_passed: 'yes' })],
      ['next_prompt without turn_number', withItem({ next_prompt: { prompt_uuid: 'n', content: 'c', extra: 1 } })],
      ['next_prompt without content', withItem({ next_prompt: { prompt_uuid: 'n' } })],
      [
        'a manual update with its history',
        withItem({
          manually_updated: true,
          manually_updated_at: '2026-11-30T10:00:00Z',
          manually_updated_by: { email: 'a@b.c', is_admin: false, is_impersonating: false, feature_flags: { enable_dashboard: true, beta: 1 } },
          update_history: [{ answer_history_uuid: 'h', updated_at: '2026-11-30T10:00:00Z', previous_is_passed: null, new_confidence: 0.5 }],
        }),
      ],
      ['a history entry without updated_at', withItem({ update_history: [{ answer_history_uuid: 'h' }] })],
      ['a user without feature_flags', withItem({ manually_updated_by: { email: 'a@b.c', is_admin: false, is_impersonating: false } })],
      [
        'org_admin_emails with a number',
        withItem({
          manually_updated_by: { email: 'a', is_admin: true, is_impersonating: false, feature_flags: { enable_dashboard: false }, org_admin_emails: ['x', 3] },
        }),
      ],
    );
  }
  if (name === 'EvalRunSchema') out.push(['an unknown status', { ...body, status: 'archived' }], ['status missing', { ...body, status: undefined }]);
  if (name === 'EvalSchema') out.push(['a prompt example with a wrong type', { ...body, prompt_examples: [{ content: 5 }] }]);
  return out;
}

/** The text of a body with `__proto__` keys, as a server could send it: JSON.parse makes them own properties. */
const PROTO_TEXT = `{"items":[{"prompt_uuid":"p-1","__proto__":{"polluted":true},"next_prompt":{"prompt_uuid":"n-1","content":"c","__proto__":[1]}}],"count":1,"__proto__":"top"}`;

/** Both parsers' answers for one input, compared in full: success, data (values and key order), issues. */
function expectAgreement(schema: Schema, compiled: Schema, input: unknown): void {
  const runtime = z.safeParse(schema, clone(input));
  const fast = z.safeParse(compiled, clone(input));
  expect(fast.success).toBe(runtime.success);
  if (runtime.success && fast.success) {
    expect(fast.data).toStrictEqual(runtime.data);
    expect(JSON.stringify(fast.data)).toBe(JSON.stringify(runtime.data));
  } else {
    expect(fast.error?.issues).toEqual(runtime.error?.issues);
  }
}

/** The schemas and zod's compiler from the sources (one zod), and from the built package (the compiler's file has its own). */
const BUILDS = {
  sources: async () => ({ schemas: sdk as unknown as Record<SchemaName, Schema>, compile: z.compile as unknown as Compile }),
  'built package': async () => ({
    schemas: (await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)) as Record<SchemaName, Schema>,
    compile: ((await import(pathToFileURL(join(ROOT, 'dist', 'zod-compiler.js')).href)) as { compile: Compile }).compile,
  }),
};

ensureBuiltBeforeAll();

describe.each(Object.keys(BUILDS) as (keyof typeof BUILDS)[])('compiled and runtime parsing agree (%s)', (build) => {
  const names: SchemaName[] = ['EvalScoredResponsesPageSchema', 'EvalRunSchema', 'EvalRunsPageSchema', 'EvalSchema', 'EvalPromptsPageSchema'];

  it.each(names)('%s compiles: zod takes every part of it on its fast path', async (name) => {
    const { schemas, compile } = await BUILDS[build]();
    // strict: a part zod could not compile would throw here rather than fall back quietly.
    expect(() => compile(schemas[name], { strict: true })).not.toThrow();
    expect(compile(schemas[name])).not.toBe(schemas[name]);
  });

  it.each(names)('%s: the same data and the same issues on valid and broken bodies', async (name) => {
    const { schemas, compile } = await BUILDS[build]();
    const schema = schemas[name];
    const compiled = compile(schema);
    const all = cases(name, bodies[name]);
    expect(all.length).toBeGreaterThan(5);
    for (const [label, input] of all) {
      try {
        expectAgreement(schema, compiled, input);
      } catch (error) {
        throw new Error(`${name}, ${label}: ${(error as Error).message}`, { cause: error });
      }
    }
  });

  it('a body with __proto__ keys: both leave the prototype alone and agree on what they keep', async () => {
    const { schemas, compile } = await BUILDS[build]();
    const schema = schemas.EvalScoredResponsesPageSchema;
    const runtime = z.safeParse(schema, JSON.parse(PROTO_TEXT));
    const fast = z.safeParse(compile(schema), JSON.parse(PROTO_TEXT));
    expect(fast).toStrictEqual(runtime);
    const item = (fast.data as { items: object[] }).items[0];
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('a client switches to the compiled parser mid-list, and nothing it returns changes', () => {
  const BASE = 'https://api.aymara.test';
  const msw = setupServer();
  /** The body text each request gets, by offset. */
  let pages: Map<number, string>;
  beforeAll(() => msw.listen({ onUnhandledFrame: 'error' }));
  afterAll(() => msw.close());

  const serve = () =>
    msw.use(
      http.get(`${BASE}/v2/eval-runs/:id/responses`, ({ request }) => {
        const offset = Number(new URL(request.url).searchParams.get('offset') ?? 0);
        return new HttpResponse(pages.get(offset) ?? pages.get(0), { headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' } });
      }),
    );

  it('the compiler loads, and the schema in use becomes a compiled one after a few uses', async () => {
    expect(await loadSchemaCompiler()).toBe(true);
    const schema = z.looseObject({ a: z.string() });
    expect(schemaFor(schema)).toBe(schema);
    expect(schemaFor(schema)).toBe(schema);
    const compiled = schemaFor(schema);
    expect(compiled).not.toBe(schema);
    expect(schemaFor(schema)).toBe(compiled);
    expect(z.safeParse(compiled, { a: 'x', b: 1 })).toStrictEqual(z.safeParse(schema, { a: 'x', b: 1 }));
  });

  it('the same page parses to the same items, and the same broken page fails with the same error, before and after', async () => {
    const valid = JSON.stringify(bodies.EvalScoredResponsesPageSchema);
    const broken = JSON.parse(valid) as Record<string, unknown>;
    Object.assign(itemsOf(broken)[7] as object, { turn_number: 1.5, content: { file_uuid: 5 } });
    delete (itemsOf(broken)[9] as Record<string, unknown>).prompt_uuid;
    pages = new Map([[0, valid]]);
    serve();
    expect(await loadSchemaCompiler()).toBe(true);
    const client = new sdk.AymaraAI({ apiKey: 'k', baseURL: BASE, maxRetries: 0 });
    const results: unknown[] = [];
    const errors: unknown[] = [];
    for (let call = 0; call < 6; call++) {
      pages.set(0, valid);
      results.push(await client.evals.runs.listResponses('run'));
      pages.set(0, PROTO_TEXT);
      results.push(await client.evals.runs.listResponses('run'));
      pages.set(0, JSON.stringify(broken));
      const error = await client.evals.runs.listResponses('run').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(sdk.AymaraResponseValidationError);
      const { message, path, issues, issueCount, status, requestId } = error as sdk.AymaraResponseValidationError;
      errors.push({ message, path, issues, issueCount, status, requestId });
    }
    // Each kind of body gave the same answer on every call: the first ones parsed at run time, the last ones compiled.
    const first = (i: number) => results[i] as sdk.EvalScoredResponsesPage;
    for (let call = 1; call < 6; call++) {
      for (const kind of [0, 1]) {
        const page = results[call * 2 + kind] as sdk.EvalScoredResponsesPage;
        expect(page.body).toStrictEqual(first(kind).body);
        expect(JSON.stringify(page.body)).toBe(JSON.stringify(first(kind).body));
      }
      expect(errors[call]).toStrictEqual(errors[0]);
    }
    expect((errors[0] as { path: string }).path).toBe('$.items[7].turn_number');
    expect((errors[0] as { issueCount: number }).issueCount).toBe(3);
    // __proto__ keys come back as plain data in either case.
    const protoItem = first(1).items[0] as object;
    expect(Object.getOwnPropertyDescriptor(protoItem, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.getOwnPropertyDescriptor(first(1).body, '__proto__')?.value).toBe('top');
    expect(Object.getPrototypeOf(protoItem)).toBe(Object.prototype);
    // And the later calls did parse with a compiled schema.
    expect(schemaFor(sdk.EvalScoredResponsesPageSchema)).not.toBe(sdk.EvalScoredResponsesPageSchema);
    await client.close();
  });
});
