import { readFileSync } from 'node:fs';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AymaraAI, type ClientOptions } from 'aymara-ai';
import { json, response, startServer, type TestServer } from './helpers/server.js';

const API_KEY = 'wire-test-key-123';
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
const PAGE = { items: [response(1)], count: 1 };

/** What a server saw: method, raw path + query as sent on the wire, and lower-case headers. */
interface Seen {
  method: string;
  target: string;
  headers: Record<string, string>;
}

/** A way to send requests and see what arrived: the real loopback server, or msw behind `fetch`. */
interface Wire {
  /** The base URL the client gets; `prefix` adds a path under it. */
  base(prefix?: string): string;
  client(options?: ClientOptions): AymaraAI;
  seen(): Seen[];
}

function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}

function queryOf(target: string): URLSearchParams {
  return new URL(target, 'http://x').searchParams;
}

function defineWireTests(label: string, wire: () => Wire): void {
  describe(label, () => {
    let w: Wire;
    const clients: AymaraAI[] = [];
    const make = (options: ClientOptions = {}) => {
      const c = w.client({ apiKey: API_KEY, maxRetries: 0, ...options });
      clients.push(c);
      return c;
    };
    beforeEach(() => {
      w = wire();
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
    });

    it('sends GET /v2/eval-runs/{id}/responses with the key, accept and user-agent', async () => {
      const page = await make().evals.runs.listResponses('run-1');
      expect(page.items.map((r) => r.prompt_uuid)).toEqual(['p-1']);
      const [req, ...rest] = w.seen();
      expect(rest).toHaveLength(0);
      expect(req?.method).toBe('GET');
      expect(req?.target).toBe('/v2/eval-runs/run-1/responses');
      expect(req?.headers['x-api-key']).toBe(API_KEY);
      expect(req?.headers.accept).toBe('application/json');
      const ua = req?.headers['user-agent'] ?? '';
      expect(ua).toContain(PACKAGE.name);
      expect(ua).toContain(PACKAGE.version);
    });

    it.each([
      ['a/b?c', 'a%2Fb%3Fc'],
      ['a b', 'a%20b'],
      ['résumé-☃', 'r%C3%A9sum%C3%A9-%E2%98%83'],
      ['#frag%', '%23frag%25'],
    ])('percent-encodes the run id %j into one path segment', async (id, encoded) => {
      await make().evals.runs.listResponses(id);
      const [req] = w.seen();
      expect(req?.target).toBe(`/v2/eval-runs/${encoded}/responses`);
      expect(decodeURIComponent(pathOf(req?.target ?? '').split('/')[3] ?? '')).toBe(id);
    });

    it('sends no query string when no parameter is given', async () => {
      await make().evals.runs.listResponses('run-1', {});
      await make().evals.runs.listResponses('run-1', undefined);
      for (const req of w.seen()) expect(req.target).toBe('/v2/eval-runs/run-1/responses');
      expect(w.seen()).toHaveLength(2);
    });

    it('sends only the parameters given', async () => {
      await make().evals.runs.listResponses('run-1', { limit: 5 });
      const [req] = w.seen();
      const query = queryOf(req?.target ?? '');
      expect([...query.keys()]).toEqual(['limit']);
      expect(query.get('limit')).toBe('5');
    });

    it('sends limit, offset and an encoded workspace_uuid when all are given', async () => {
      await make().evals.runs.listResponses('run-1', { limit: 10, offset: 20, workspace_uuid: 'ws/1 &x=2' });
      const [req] = w.seen();
      const raw = req?.target.slice(req.target.indexOf('?') + 1) ?? '';
      // The value must not break out of its parameter: no raw '/', ' ', '&' or '=' from it on the wire.
      expect(raw).not.toContain(' ');
      expect(raw.split('&')).toHaveLength(3);
      const query = queryOf(req?.target ?? '');
      expect([...query.keys()].sort()).toEqual(['limit', 'offset', 'workspace_uuid']);
      expect(query.get('limit')).toBe('10');
      expect(query.get('offset')).toBe('20');
      expect(query.get('workspace_uuid')).toBe('ws/1 &x=2');
    });

    it('never sends request options as query parameters', async () => {
      const controller = new AbortController();
      await make().evals.runs.listResponses(
        'run-1',
        { limit: 3 },
        { timeout: 5_000, maxRetries: 1, signal: controller.signal, headers: { 'x-trace': 't-1' }, pageConcurrency: 2 },
      );
      await make().evals.runs.listResponses('run-1', undefined, { timeout: 5_000, maxRetries: 0, pageConcurrency: 1 });
      const [first, second] = w.seen();
      expect([...queryOf(first?.target ?? '').keys()]).toEqual(['limit']);
      expect(second?.target).toBe('/v2/eval-runs/run-1/responses');
    });

    it('sends defaultHeaders and per-request headers, the per-request value winning', async () => {
      const client = make({ defaultHeaders: { 'X-Team': 'evals', 'x-shared': 'default' } });
      await client.evals.runs.listResponses('run-1', undefined, { headers: { 'X-Trace-Id': 'abc', 'x-shared': 'per-request' } });
      await client.evals.runs.listResponses('run-1');
      const [withOptions, plain] = w.seen();
      expect(withOptions?.headers['x-team']).toBe('evals');
      expect(withOptions?.headers['x-trace-id']).toBe('abc');
      expect(withOptions?.headers['x-shared']).toBe('per-request');
      expect(withOptions?.headers['x-api-key']).toBe(API_KEY);
      // Per-request headers are for that call only.
      expect(plain?.headers['x-team']).toBe('evals');
      expect(plain?.headers['x-shared']).toBe('default');
      expect(plain?.headers['x-trace-id']).toBeUndefined();
    });

    it('keeps a path prefix of the baseURL, with or without a trailing slash', async () => {
      await make({ baseURL: w.base('/api/') }).evals.runs.listResponses('run-1', { limit: 2 });
      await make({ baseURL: w.base('/api') }).evals.runs.listResponses('run-1');
      const [a, b] = w.seen();
      expect(a?.target).toBe('/api/v2/eval-runs/run-1/responses?limit=2');
      expect(b?.target).toBe('/api/v2/eval-runs/run-1/responses');
    });

    it('sends the same request when iterated with for await', async () => {
      const ids: string[] = [];
      for await (const r of make().evals.runs.listResponses('a/b', { limit: 5 })) ids.push(r.prompt_uuid);
      expect(ids).toEqual(['p-1']);
      const [req] = w.seen();
      expect(req?.method).toBe('GET');
      expect(pathOf(req?.target ?? '')).toBe('/v2/eval-runs/a%2Fb/responses');
      expect(queryOf(req?.target ?? '').get('limit')).toBe('5');
      expect(req?.headers['x-api-key']).toBe(API_KEY);
    });
  });
}

// --- the default undici transport against a real loopback server ---------------------------------------
let loopback: TestServer;
beforeAll(async () => {
  loopback = await startServer((_req, res) => json(res, 200, PAGE));
});
afterAll(async () => {
  await loopback.close();
});

defineWireTests('default transport (real loopback server)', () => {
  loopback.requests.length = 0;
  return {
    base: (prefix = '') => `${loopback.url}${prefix}`,
    client: (options) => new AymaraAI({ baseURL: loopback.url, ...options }),
    seen: () =>
      loopback.requests.map((r) => ({
        method: r.method,
        target: r.url,
        headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      })),
  };
});

// --- the fetch option, seen by msw ------------------------------------------------------------------------
const MSW_BASE = 'https://api.wire.test';
const mswSeen: Seen[] = [];
const msw = setupServer(
  http.all(`${MSW_BASE}/*`, ({ request }) => {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    mswSeen.push({ method: request.method, target: `${url.pathname}${url.search}`, headers });
    return HttpResponse.json(PAGE);
  }),
);

describe('msw', () => {
  beforeAll(() => msw.listen({ onUnhandledFrame: 'error' }));
  afterAll(() => msw.close());

  defineWireTests('fetch option (msw)', () => {
    mswSeen.length = 0;
    return {
      base: (prefix = '') => `${MSW_BASE}${prefix}`,
      client: (options) => new AymaraAI({ baseURL: MSW_BASE, fetch: globalThis.fetch, ...options }),
      seen: () => mswSeen,
    };
  });
});
