import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AymaraAI, AymaraError, AymaraResponseValidationError, type EvalScoredResponse } from 'aymara-ai';
import { jsonPath } from '../src/core/validate.js';
import { rejectionOf, response, startServer, type TestServer } from './helpers/server.js';

/** What the server answers next: a raw body text (sent as is) and the x-request-id header. */
let body = '';
let requestId: string | undefined;

let server: TestServer;
let client: AymaraAI;

beforeAll(async () => {
  server = await startServer((_req, res) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    if (requestId !== undefined) headers['x-request-id'] = requestId;
    res.writeHead(200, headers);
    res.end(body);
  });
  client = new AymaraAI({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
});
afterAll(async () => {
  await client.close();
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  body = '';
  requestId = 'req-validation-1';
});

function serve(value: unknown): void {
  body = JSON.stringify(value);
}

async function validationError(): Promise<AymaraResponseValidationError> {
  const error: unknown = await client.evals.runs.listResponses('run').then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AymaraResponseValidationError);
  expect(error).toBeInstanceOf(AymaraError);
  return error as AymaraResponseValidationError;
}

describe('a body that breaks the schema', () => {
  it('a missing prompt_uuid at item 3 gives its path, the status and the request id', async () => {
    const items = [response(0), response(1), response(2), { turn_number: 1, content: 'no id' }, response(4)];
    serve({ items, count: 5 });
    const error = await validationError();
    expect(error.path).toBe('$.items[3].prompt_uuid');
    expect(error.status).toBe(200);
    expect(error.requestId).toBe('req-validation-1');
    expect(error.message).toContain('$.items[3].prompt_uuid');
    expect(server.requests).toHaveLength(1);
  });

  it('has no request id when the response has none', async () => {
    requestId = undefined;
    serve({ items: [{}], count: 1 });
    const error = await validationError();
    expect(error.path).toBe('$.items[0].prompt_uuid');
    expect(error.requestId).toBeUndefined();
  });

  it('a wrongly typed field of an item gives its path', async () => {
    serve({ items: [response(0), response(1, { turn_number: 'two' })], count: 2 });
    expect((await validationError()).path).toBe('$.items[1].turn_number');
  });

  it('a broken next_prompt gives the nested path', async () => {
    serve({ items: [response(0, { next_prompt: { content: 'c' } })], count: 1 });
    expect((await validationError()).path).toBe('$.items[0].next_prompt.prompt_uuid');
  });

  it('count as a string gives $.count', async () => {
    serve({ items: [response(0)], count: '1' });
    const error = await validationError();
    expect(error.path).toBe('$.count');
    expect(error.status).toBe(200);
  });

  it('a missing count gives $.count', async () => {
    serve({ items: [response(0)] });
    expect((await validationError()).path).toBe('$.count');
  });

  it.each([
    ['an object', { 0: response(0) }],
    ['null', null],
    ['a string', 'items'],
  ])('items as %s gives $.items', async (_label, items) => {
    serve({ items, count: 1 });
    expect((await validationError()).path).toBe('$.items');
  });

  it('a body that is a bare array (the docs\' "Returns: list") is refused at $', async () => {
    serve([response(0)]);
    const error = await validationError();
    expect(error.path).toBe('$');
  });
});

describe('what a validation error carries', () => {
  it('says what was wrong where: a missing field, a wrong type', async () => {
    serve({ items: [{ turn_number: 1 }], count: 1 });
    const missing = await validationError();
    expect(missing.issues).toEqual([{ path: '$.items[0].prompt_uuid', message: 'missing (expected string)' }]);
    expect(missing.message).toContain('$.items[0].prompt_uuid: missing (expected string)');

    serve({ items: [response(0)], count: 'many' });
    const wrongType = await validationError();
    expect(wrongType.issues).toEqual([{ path: '$.count', message: 'expected number, got string' }]);
  });

  it('a content that is neither text, a file reference nor null names what is allowed', async () => {
    serve({ items: [response(0, { content: 42 })], count: 1 });
    const error = await validationError();
    expect(error.path).toBe('$.items[0].content');
    expect(error.issues[0]?.message).toMatch(/expected string or object, got number/);
  });

  it('a file reference with a wrongly typed field points into it, not at content as if an object were not allowed', async () => {
    serve({ items: [response(0), response(1, { content: { file_uuid: 5 } })], count: 2 });
    const error = await validationError();
    expect(error.path).toBe('$.items[1].content.file_uuid');
    expect(error.issues[0]).toEqual({ path: '$.items[1].content.file_uuid', message: 'expected string, got number' });
  });

  it('an integer field holding a fraction says an integer was expected', async () => {
    serve({ items: [response(0, { turn_number: 1.5 })], count: 1 });
    const error = await validationError();
    expect(error.issues[0]).toEqual({ path: '$.items[0].turn_number', message: 'expected an integer' });
  });

  it('keeps at most 5 issues of a body with 100,000 bad items, and counts them all', async () => {
    serve({ items: Array.from({ length: 100_000 }, () => ({ content: 'no id' })), count: 100_000 });
    const error = await validationError();
    expect(error.issues).toHaveLength(5);
    expect(error.issues.map((i) => i.path)).toEqual([0, 1, 2, 3, 4].map((n) => `$.items[${n}].prompt_uuid`));
    expect(error.issueCount).toBe(100_000);
    expect(error.path).toBe('$.items[0].prompt_uuid');
    expect(error.message).toContain('99999 more problems');
    expect(error.message.length).toBeLessThan(300);
    // Nothing holds on to the full list: neither the cause (zod's error) nor what JSON.stringify gives.
    expect((error.cause as { issues: unknown[] }).issues).toHaveLength(5);
    expect(JSON.stringify(error).length).toBeLessThan(2_000);
  });

  it('a nested wrong type gives the nested path', async () => {
    serve({ items: [response(0, { next_prompt: { prompt_uuid: 'p', content: 7 } })], count: 1 });
    expect((await validationError()).path).toBe('$.items[0].next_prompt.content');
  });

  it('a key that is not an identifier is quoted in the path', () => {
    expect(jsonPath(['items', 3, 'prompt_uuid'])).toBe('$.items[3].prompt_uuid');
    expect(jsonPath(['items', 0, 'a b', 'x.y'])).toBe('$.items[0]["a b"]["x.y"]');
    expect(jsonPath([])).toBe('$');
  });
});

describe('a byte order mark', () => {
  it('before the JSON is ignored', async () => {
    body = `\uFEFF${JSON.stringify({ items: [response(0)], count: 1 })}`;
    const page = await client.evals.runs.listResponses('run');
    expect(page.items.map((r) => r.prompt_uuid)).toEqual(['p-0']);
  });
});

describe('a body that is not JSON', () => {
  it('truncated JSON gives path $, the status and the request id', async () => {
    body = JSON.stringify({ items: [response(0), response(1)], count: 2 }).slice(0, 30);
    const error = await validationError();
    expect(error.path).toBe('$');
    expect(error.status).toBe(200);
    expect(error.requestId).toBe('req-validation-1');
  });

  it('an empty body gives path $', async () => {
    body = '';
    const error = await validationError();
    expect(error.path).toBe('$');
    expect(error.status).toBe(200);
  });

  it('an HTML body with status 200 gives path $', async () => {
    body = '<html><body>maintenance</body></html>';
    expect((await validationError()).path).toBe('$');
  });

  it('is thrown from the first next() of for await too, and ends the iteration', async () => {
    serve({ items: [response(0), { nope: true }], count: 2 });
    const seen: string[] = [];
    const error: unknown = await (async () => {
      for await (const r of client.evals.runs.listResponses('run')) seen.push(r.prompt_uuid);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AymaraResponseValidationError);
    expect((error as AymaraResponseValidationError).path).toBe('$.items[1].prompt_uuid');
    // The page is invalid as a whole: none of its items is handed out.
    expect(seen).toEqual([]);
  });

  it('is not retried', async () => {
    const retrying = new AymaraAI({ apiKey: 'k', baseURL: server.url, maxRetries: 2 });
    try {
      body = '{"items": [';
      await expect(retrying.evals.runs.listResponses('run')).rejects.toBeInstanceOf(AymaraResponseValidationError);
      expect(server.requests).toHaveLength(1);
    } finally {
      await retrying.close();
    }
  });
});

describe('numbers are not range-checked', () => {
  it('a negative count parses and means there is no next page', async () => {
    serve({ items: [response(0), response(1)], count: -1 });
    const page = await client.evals.runs.listResponses('run');
    expect(page.count).toBe(-1);
    expect(page.items.map((r) => r.prompt_uuid)).toEqual(['p-0', 'p-1']);
    expect(page.hasNextPage()).toBe(false);
  });

  it('for await over a negative count yields the page and stops', async () => {
    serve({ items: [response(0), response(1)], count: -5 });
    const seen: EvalScoredResponse[] = [];
    for await (const r of client.evals.runs.listResponses('run')) seen.push(r);
    expect(seen.map((r) => r.prompt_uuid)).toEqual(['p-0', 'p-1']);
    expect(server.requests).toHaveLength(1);
  });

  it('whole numbers past 2^53 are still integers where no count depends on them: turn_number 2^53 + 2 parses', async () => {
    serve({ items: [response(0, { turn_number: 2 ** 53 + 2 })], count: 1 });
    const page = await client.evals.runs.listResponses('run');
    expect(page.items[0]?.turn_number).toBe(2 ** 53 + 2);
  });

  it.each([2 ** 53, 1e20, -(2 ** 53)])('a count of %d cannot be exact: a validation error naming $.count', async (count) => {
    serve({ items: [response(0)], count });
    const error = await rejectionOf(client.evals.runs.listResponses('run'));
    expect(error).toBeInstanceOf(AymaraResponseValidationError);
    expect(error).toMatchObject({ path: '$.count' });
    expect((error as Error).message).toContain('2^53 - 1');
  });

  it('the largest exact count, 2^53 - 1, parses', async () => {
    serve({ items: [response(0)], count: Number.MAX_SAFE_INTEGER });
    expect((await client.evals.runs.listResponses('run')).count).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('a negative turn_number or an out-of-range confidence is accepted as sent', async () => {
    serve({ items: [response(0, { turn_number: -2, confidence: 7.5 })], count: 1 });
    const page = await client.evals.runs.listResponses('run');
    expect(page.items[0]).toMatchObject({ turn_number: -2, confidence: 7.5 });
  });
});
