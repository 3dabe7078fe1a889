/**
 * `defaultQuery` (client option) and `query` (request option): query parameters this SDK version does not know yet,
 * sent on the wire; a call's `query` over `defaultQuery`, the typed (checked) parameters over both; bad values
 * refused before anything is sent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AymaraAI, AymaraInputError, type QueryValue } from 'aymara-ai';
import { generateResponses } from 'aymara-ai/testing';
import { BACKENDS, KEY, rejectionOf, uuidsOf, type Backend } from './backends.js';

const RUN = 'run-query';
const WORKSPACE = 'ws-query';
const RESPONSES = generateResponses(25, 44);

/** A request's query parameters, as the server parsed them. */
const paramsOf = (url: URL | undefined): Record<string, string> => Object.fromEntries(url?.searchParams ?? []);

describe.each(BACKENDS)('query parameters against the $name', ({ start }) => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await start({ apiKey: KEY, runs: { [RUN]: { workspace_uuid: WORKSPACE, responses: RESPONSES } } });
  });
  afterEach(() => backend.api.reset());
  afterAll(() => backend.close());

  it('defaultQuery goes on every request: runs.get, listResponses, and every page of an iteration', async () => {
    const client = backend.client({ defaultQuery: { beta_feature: 'scores-v2', include_archived: true, min_score: 0.5 } });
    await client.evals.runs.get(RUN);
    expect(await uuidsOf(client.evals.runs.listResponses(RUN, { limit: 10 }))).toHaveLength(25);
    expect(backend.api.requests).toHaveLength(4);
    for (const request of backend.api.requests) {
      expect(paramsOf(request.url)).toMatchObject({ beta_feature: 'scores-v2', include_archived: 'true', min_score: '0.5' });
    }
    expect(backend.api.requests.map((r) => r.route)).toEqual(['run', 'responses', 'responses', 'responses']);
  });

  it("a call's query is sent with it, over defaultQuery; other calls keep only defaultQuery", async () => {
    const client = backend.client({ defaultQuery: { shared: 'default', only_default: 'd' } });
    await client.evals.runs.get(RUN, {}, { query: { shared: 'call', only_call: 7 } });
    await client.evals.runs.get(RUN);
    const [withQuery, without] = backend.api.requests;
    expect(paramsOf(withQuery?.url)).toEqual({ shared: 'call', only_default: 'd', only_call: '7' });
    expect(paramsOf(without?.url)).toEqual({ shared: 'default', only_default: 'd' });
  });

  it('typed parameters win over query and defaultQuery', async () => {
    const client = backend.client({ defaultQuery: { limit: 99, workspace_uuid: 'ws-default' } });
    const page = await client.evals.runs.listResponses(
      RUN,
      { limit: 4, workspace_uuid: WORKSPACE },
      { query: { limit: 50, workspace_uuid: 'ws-query-option' } },
    );
    expect(page.items).toHaveLength(4);
    const [request] = backend.api.requests;
    expect(request?.url.searchParams.getAll('limit')).toEqual(['4']);
    expect(request?.url.searchParams.getAll('workspace_uuid')).toEqual([WORKSPACE]);
  });

  it('a typed parameter given through query or defaultQuery is checked like the typed ones: no string offset reaches the paginator', async () => {
    // A string offset used to be concatenated by the paginator ('0' + 10 = '010') and lose items without an error.
    const client = backend.client();
    const viaQuery = await rejectionOf(uuidsOf(client.evals.runs.listResponses(RUN, { limit: 10 }, { query: { offset: '0' } })));
    expect(viaQuery).toBeInstanceOf(AymaraInputError);
    expect((viaQuery as Error).message).toContain('offset');
    const viaDefault = await rejectionOf(uuidsOf(backend.client({ defaultQuery: { offset: '10' } }).evals.runs.listResponses(RUN, { limit: 10 })));
    expect(viaDefault).toBeInstanceOf(AymaraInputError);
    expect(backend.api.requests).toEqual([]);
    // A number is a valid typed value: the iteration starts there and yields every later response once.
    const items = await uuidsOf(client.evals.runs.listResponses(RUN, { limit: 10 }, { query: { offset: 5 } }));
    expect(items).toEqual(RESPONSES.slice(5).map((r) => r.prompt_uuid));
    // A workspace_uuid in defaultQuery works as a default for every call.
    expect((await backend.client({ defaultQuery: { workspace_uuid: WORKSPACE } }).evals.runs.get(RUN)).workspace_uuid).toBe(WORKSPACE);
  });

  it('a query value of undefined leaves the parameter out; names and values are URL-encoded', async () => {
    const client = backend.client({ defaultQuery: { dropped: 'x' } });
    await client.evals.runs.get(RUN, undefined, { query: { dropped: undefined, 'a b&c': 'd=e&f', emoji: 'é✓' } });
    const [request] = backend.api.requests;
    expect(paramsOf(request?.url)).toEqual({ 'a b&c': 'd=e&f', emoji: 'é✓' });
  });

  it('a derived client (withOptions) keeps the parent defaultQuery unless it sets its own', async () => {
    const parent = backend.client({ defaultQuery: { tenant_hint: 'a' } });
    await parent.withOptions({ timeout: 5_000 }).evals.runs.get(RUN);
    await parent.withOptions({ defaultQuery: { tenant_hint: 'b' } }).evals.runs.get(RUN);
    expect(backend.api.requests.map((r) => r.url.searchParams.get('tenant_hint'))).toEqual(['a', 'b']);
  });

  it('bad query values are an AymaraInputError naming the parameter, and nothing is sent', async () => {
    const client = backend.client();
    const bad: unknown[] = [{ n: Number.NaN }, { n: Infinity }, { o: { nested: 1 } }, { a: [1, 2] }, { d: new Date(0) }, 'limit=5', ['limit', 5], null];
    for (const query of bad) {
      const error = await rejectionOf(client.evals.runs.get(RUN, {}, { query: query as Record<string, QueryValue> }));
      expect(error, `query ${String(query)}`).toBeInstanceOf(AymaraInputError);
      expect((error as Error).message).toMatch(/query/);
      expect(await rejectionOf(client.evals.runs.listResponses(RUN, {}, { query: query as Record<string, QueryValue> }))).toBeInstanceOf(AymaraInputError);
    }
    const named = await rejectionOf(client.evals.runs.get(RUN, {}, { query: { score_floor: Number.NaN } }));
    expect((named as Error).message).toContain('score_floor');
    expect(backend.api.requests).toEqual([]);
  });

  it('a bad defaultQuery is an AymaraInputError at construction', () => {
    for (const defaultQuery of [{ n: Number.NaN }, { o: {} }, 'a=b', [1]]) {
      expect(
        () => new AymaraAI({ apiKey: KEY, baseURL: backend.baseURL, defaultQuery: defaultQuery as Record<string, QueryValue> }),
        JSON.stringify(defaultQuery),
      ).toThrow(AymaraInputError);
    }
    expect(() => new AymaraAI({ apiKey: KEY, baseURL: backend.baseURL, defaultQuery: { ok: 'yes' } }).withOptions({ defaultQuery: { n: Number.NaN } })).toThrow(
      AymaraInputError,
    );
  });
});
