import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AymaraAI, AymaraError, AymaraInputError, type ClientOptions, type ListResponsesParams, type RequestOptions } from 'aymara-ai';
import { json, response, startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let client: AymaraAI;

beforeAll(async () => {
  server = await startServer((_req, res) => json(res, 200, { items: [response(1)], count: 1 }));
  client = new AymaraAI({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
});
afterAll(async () => {
  await client.close();
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

type Call = () => ReturnType<AymaraAI['evals']['runs']['listResponses']>;

/** Checks both ways of using a call: `await` rejects and `for await` throws on the first `next()`; nothing is sent. */
async function expectInputError(call: Call, names: RegExp): Promise<void> {
  const viaAwait: unknown = await Promise.resolve()
    .then(() => call())
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(viaAwait).toBeInstanceOf(AymaraInputError);
  expect(viaAwait).toBeInstanceOf(AymaraError);
  expect((viaAwait as Error).message).toMatch(names);

  const viaIteration: unknown = await Promise.resolve()
    .then(() => call()[Symbol.asyncIterator]().next())
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(viaIteration).toBeInstanceOf(AymaraInputError);
  expect((viaIteration as Error).message).toMatch(names);

  expect(server.requests).toHaveLength(0);
}

describe('eval_run_uuid', () => {
  it.each<[string, unknown]>([
    ['empty', ''],
    ['"."', '.'],
    ['".."', '..'],
    ['a number', 123],
    ['undefined', undefined],
    ['null', null],
    ['an object', { id: 'x' }],
  ])('%s is refused before sending', async (_label, value) => {
    await expectInputError(() => client.evals.runs.listResponses(value as string), /eval_run_uuid/);
  });

  it('names the problem with an empty id', async () => {
    await expectInputError(() => client.evals.runs.listResponses(''), /empty/i);
  });
});

describe('query parameters', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['limit 0', { limit: 0 }, /limit/],
    ['limit -1', { limit: -1 }, /limit/],
    ['limit 1.5', { limit: 1.5 }, /limit/],
    ['limit NaN', { limit: Number.NaN }, /limit/],
    ['limit Infinity', { limit: Number.POSITIVE_INFINITY }, /limit/],
    ['limit "10" (a string)', { limit: '10' }, /limit/],
    ['limit null', { limit: null }, /limit/],
    ['offset -1', { offset: -1 }, /offset/],
    ['offset 0.5', { offset: 0.5 }, /offset/],
    ['offset "x"', { offset: 'x' }, /offset/],
    ['workspace_uuid ""', { workspace_uuid: '' }, /workspace_uuid/],
    ['workspace_uuid 42', { workspace_uuid: 42 }, /workspace_uuid/],
    ['an unknown parameter', { page_size: 10 }, /page_size/],
    ['a misspelt parameter next to good ones', { limit: 5, ofset: 10 }, /ofset/],
  ])('%s is refused before sending', async (_label, params, names) => {
    await expectInputError(() => client.evals.runs.listResponses('run', params as ListResponsesParams), names);
  });

  it('a bad value is refused even with a valid run id and options', async () => {
    await expectInputError(() => client.evals.runs.listResponses('run', { limit: 0 }, { timeout: 1_000 }), /limit/);
  });
});

describe('hints for an unknown parameter', () => {
  it.each<[Record<string, unknown>, RegExp]>([
    [{ workspaceUuid: 'w' }, /Unknown parameter `workspaceUuid`: did you mean `workspace_uuid`\?/],
    [{ WorkspaceUUID: 'w' }, /did you mean `workspace_uuid`\?/],
    [{ 'workspace-uuid': 'w' }, /did you mean `workspace_uuid`\?/],
    [{ workspace: 'w' }, /did you mean `workspace_uuid`\?/],
    [{ ofset: 10 }, /Unknown parameter `ofset`: did you mean `offset`\?/],
    [{ limt: 10 }, /did you mean `limit`\?/],
    [{ Limit: 10 }, /did you mean `limit`\?/],
  ])('%j suggests the close spelling', async (params, message) => {
    await expectInputError(() => client.evals.runs.listResponses('run', params as ListResponsesParams), message);
  });

  it.each(['timeout', 'signal', 'maxRetries', 'headers', 'query', 'pageConcurrency'])(
    'a request option (%s) given as a parameter points at the third argument',
    async (name) => {
      const value = name === 'signal' ? AbortSignal.timeout(1_000) : name === 'headers' || name === 'query' ? { a: 'b' } : 5;
      await expectInputError(
        () => client.evals.runs.listResponses('run', { [name]: value } as ListResponsesParams),
        new RegExp(`Unknown parameter \`${name}\`: \`${name}\` is a request option: pass it in the third argument`),
      );
    },
  );

  it('max_retries, spelt as a parameter would be, is recognised as the request option maxRetries', async () => {
    await expectInputError(() => client.evals.runs.listResponses('run', { max_retries: 1 } as ListResponsesParams), /`maxRetries` is a request option/);
  });

  it('a name close to nothing gets no guess, but the known names and the `query` escape', async () => {
    await expectInputError(
      () => client.evals.runs.listResponses('run', { page_size: 10 } as ListResponsesParams),
      /^Unknown parameter `page_size`\. Known parameters: `limit`, `offset`, `workspace_uuid`; .*`query` request option/,
    );
    const error = await client.evals.runs.listResponses('run', { page_size: 10 } as ListResponsesParams).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).not.toMatch(/did you mean/);
  });

  it('several unknown names each get their hint', async () => {
    await expectInputError(
      () => client.evals.runs.listResponses('run', { workspaceUuid: 'w', timeout: 5, zzz: 1 } as ListResponsesParams),
      /Unknown parameters `workspaceUuid` \(did you mean `workspace_uuid`\?\), `timeout` \(`timeout` is a request option.*\), `zzz`\./,
    );
  });

  it('an unknown name is reported before a bad value next to it', async () => {
    await expectInputError(() => client.evals.runs.listResponses('run', { limit: 0, workspaceUuid: 'w' } as ListResponsesParams), /workspaceUuid/);
  });

  it('parameters that are not an object are refused', async () => {
    await expectInputError(() => client.evals.runs.listResponses('run', 'limit=5' as ListResponsesParams), /parameters must be an object/);
    await expectInputError(() => client.evals.runs.listResponses('run', 5 as unknown as ListResponsesParams), /parameters must be an object/);
  });

  it('runs.get gets the same hints, and nothing is sent', async () => {
    await expect(client.evals.runs.get('run', { workspaceUuid: 'w' } as never)).rejects.toThrow(/did you mean `workspace_uuid`\?/);
    await expect(client.evals.runs.get('run', { timeout: 5 } as never)).rejects.toThrow(/`timeout` is a request option: pass it in the third argument/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('request options', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['timeout 0', { timeout: 0 }, /timeout/],
    ['timeout -5', { timeout: -5 }, /timeout/],
    ['timeout "x"', { timeout: 'x' }, /timeout/],
    ['timeout NaN', { timeout: Number.NaN }, /timeout/],
    ['maxRetries -1', { maxRetries: -1 }, /maxRetries/],
    ['maxRetries 1.5', { maxRetries: 1.5 }, /maxRetries/],
    ['pageConcurrency 0', { pageConcurrency: 0 }, /pageConcurrency/],
    ['pageConcurrency 1.5', { pageConcurrency: 1.5 }, /pageConcurrency/],
    // A string is quoted, so '4' does not read as the number it looks like.
    ["pageConcurrency '4'", { pageConcurrency: '4' }, /pageConcurrency.*got "4"/],
    ["timeout '1000'", { timeout: '1000' }, /timeout.*got "1000"/],
    ['a header name that is not a token', { headers: { 'x bad': 'v' } }, /x bad/],
    ['a header value with NUL', { headers: { 'x-trace': 'v\u0000' } }, /x-trace/],
  ])('%s is refused before sending', async (_label, options, names) => {
    await expectInputError(() => client.evals.runs.listResponses('run', undefined, options as RequestOptions), names);
  });
});

describe('valid edge values', () => {
  it('limit 1 and offset 0 are sent', async () => {
    const page = await client.evals.runs.listResponses('run', { limit: 1, offset: 0 });
    expect(page.items).toHaveLength(1);
    expect(server.requests).toHaveLength(1);
    const query = new URL(server.requests[0]?.url ?? '', server.url).searchParams;
    expect(query.get('limit')).toBe('1');
    expect(query.get('offset')).toBe('0');
  });

  it('a one-character id, maxRetries 0, pageConcurrency 1 and timeout 1000 are accepted', async () => {
    const ids: string[] = [];
    for await (const r of client.evals.runs.listResponses('x', { limit: 1 }, { maxRetries: 0, pageConcurrency: 1, timeout: 1_000 })) ids.push(r.prompt_uuid);
    expect(ids).toEqual(['p-1']);
    expect(server.requests).toHaveLength(1);
  });

  it('ids that only contain dots are accepted when not "." or ".."', async () => {
    await client.evals.runs.listResponses('...');
    await client.evals.runs.listResponses('.a');
    expect(server.requests.map((r) => r.url)).toEqual(['/v2/eval-runs/.../responses', '/v2/eval-runs/.a/responses']);
  });
});

describe('client options at construction', () => {
  const saved: Record<string, string | undefined> = {};
  const ENV = ['AYMARA_AI_API_KEY', 'AYMARA_AI_BASE_URL', 'AYMARA_AI_LOG'];
  const made: AymaraAI[] = [];
  beforeEach(() => {
    for (const name of ENV) {
      saved[name] = process.env[name];
      Reflect.deleteProperty(process.env, name);
    }
  });
  afterEach(async () => {
    for (const name of ENV) {
      if (saved[name] === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = saved[name];
    }
    await Promise.all(made.splice(0).map((c) => c.close()));
  });

  const build = (options: ClientOptions) => {
    const c = new AymaraAI(options);
    made.push(c);
    return c;
  };

  function expectRefused(options: ClientOptions, names: RegExp): AymaraInputError {
    let error: unknown;
    try {
      build(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AymaraInputError);
    expect(error).toBeInstanceOf(AymaraError);
    expect((error as Error).message).toMatch(names);
    return error as AymaraInputError;
  }

  it('refuses a missing key when AYMARA_AI_API_KEY is unset', () => {
    expectRefused({}, /key/i);
  });

  it('reads the key from AYMARA_AI_API_KEY', () => {
    process.env.AYMARA_AI_API_KEY = 'env-key';
    expect(() => build({})).not.toThrow();
  });

  it('refuses an empty key, even with AYMARA_AI_API_KEY set', () => {
    expectRefused({ apiKey: '' }, /key/i);
    process.env.AYMARA_AI_API_KEY = 'env-key';
    expectRefused({ apiKey: '' }, /key/i);
  });

  it('refuses an empty AYMARA_AI_API_KEY', () => {
    process.env.AYMARA_AI_API_KEY = '';
    expectRefused({}, /key/i);
  });

  it.each([
    ['CR', 'sk-secretpart\rX'],
    ['LF', 'sk-secretpart\nX'],
    ['CRLF', 'sk-secretpart\r\nX-Injected: 1'],
  ])('refuses a key with %s, without echoing the key', (_label, apiKey) => {
    const error = expectRefused({ apiKey }, /key/i);
    expect(error.message).not.toContain('secretpart');
  });

  it.each([
    ['NUL', 'sk-secretpart\u0000X'],
    ['DEL', 'sk-secretpart\u007fX'],
    ['a non-Latin-1 character', 'sk-secretpart-ключ'],
  ])('refuses a key with %s (HTTP cannot carry it), without echoing the key', (_label, apiKey) => {
    const error = expectRefused({ apiKey }, /key/i);
    expect(error.message).not.toContain('secretpart');
  });

  it.each([
    ['a name that is not a token', { 'x bad': 'v' }, /x bad/],
    ['a name with a colon', { 'x-a:b': 'v' }, /x-a:b/],
    ['a value with NUL', { 'x-trace': 'secretpart\u0000' }, /x-trace/],
    ['a value with a non-Latin-1 character', { 'x-trace': 'secretpart-ключ' }, /x-trace/],
  ])('refuses defaultHeaders with %s, without echoing the value', (_label, defaultHeaders, names) => {
    const error = expectRefused({ apiKey: 'k', defaultHeaders }, names);
    expect(error.message).not.toContain('secretpart');
  });

  it.each([
    ['not a url', /baseURL/],
    ['ftp://x', /baseURL/],
    ['http://example.com', /baseURL|https/],
    ['http://10.0.0.1:8080', /baseURL|https/],
    ['http://127.evil.com', /baseURL|https/],
  ])('refuses baseURL %j', (baseURL, names) => {
    expectRefused({ apiKey: 'k', baseURL }, names);
  });

  it('refuses a bad AYMARA_AI_BASE_URL', () => {
    process.env.AYMARA_AI_BASE_URL = 'http://example.com';
    expectRefused({ apiKey: 'k' }, /baseURL|https/);
  });

  it.each(['http://localhost:1', 'http://127.0.0.5:1', 'http://[::1]:1', 'https://example.com', 'https://example.com/api/'])(
    'accepts baseURL %j',
    (baseURL) => {
      expect(() => build({ apiKey: 'k', baseURL })).not.toThrow();
    },
  );

  it('allowInsecureHTTP: true allows plain http to a non-loopback host', () => {
    expect(() => build({ apiKey: 'k', baseURL: 'http://example.com', allowInsecureHTTP: true })).not.toThrow();
  });

  it.each<[string, ClientOptions, RegExp]>([
    ['timeout 0', { timeout: 0 }, /timeout/],
    ['timeout -1', { timeout: -1 }, /timeout/],
    ['timeout "x"', { timeout: 'x' as unknown as number }, /timeout/],
    ['timeout NaN', { timeout: Number.NaN }, /timeout/],
    ['maxRetries -1', { maxRetries: -1 }, /maxRetries/],
    ['maxRetries 1.5', { maxRetries: 1.5 }, /maxRetries/],
    ['maxRetries "2"', { maxRetries: '2' as unknown as number }, /maxRetries/],
    ['pageConcurrency 0', { pageConcurrency: 0 }, /pageConcurrency/],
    ['pageConcurrency 2.5', { pageConcurrency: 2.5 }, /pageConcurrency/],
    ['maxResponseSize 0', { maxResponseSize: 0 }, /maxResponseSize/],
    ['maxResponseSize -3', { maxResponseSize: -3 }, /maxResponseSize/],
    ['maxResponseSize 1.5', { maxResponseSize: 1.5 }, /maxResponseSize/],
    ['logLevel "verbose"', { logLevel: 'verbose' as unknown as 'warn' }, /logLevel/],
  ])('refuses %s', (_label, options, names) => {
    expectRefused({ apiKey: 'k', baseURL: 'https://api.example.com', ...options }, names);
  });

  it('accepts the smallest valid numbers', () => {
    const c = build({ apiKey: 'k', timeout: 1, maxRetries: 0, pageConcurrency: 1, maxResponseSize: 1 });
    expect(c.timeout).toBe(1);
    expect(c.maxRetries).toBe(0);
    expect(c.pageConcurrency).toBe(1);
  });

  it('accepts every documented logLevel', () => {
    for (const logLevel of ['off', 'error', 'warn', 'info', 'debug'] as const) expect(() => build({ apiKey: 'k', logLevel })).not.toThrow();
  });

  it('an invalid AYMARA_AI_LOG does not stop the client: it warns, naming the variable', () => {
    process.env.AYMARA_AI_LOG = 'loud';
    const warnings: string[] = [];
    const logger = { error() {}, warn: (message: string) => warnings.push(message), info() {}, debug() {} };
    expect(() => build({ apiKey: 'k', logger })).not.toThrow();
    expect(warnings.join('\n')).toMatch(/AYMARA_AI_LOG/);
  });

  it('accepts a valid AYMARA_AI_LOG', () => {
    process.env.AYMARA_AI_LOG = 'debug';
    expect(() => build({ apiKey: 'k' })).not.toThrow();
  });

  it('a valid logLevel option is used over an invalid AYMARA_AI_LOG', () => {
    process.env.AYMARA_AI_LOG = 'loud';
    expect(() => build({ apiKey: 'k', logLevel: 'error' })).not.toThrow();
  });
});
