/**
 * A body is decoded as its `content-encoding` says, whether or not the client asked for that encoding: a proxy
 * or CDN may compress anyway. The server here ignores `accept-encoding` entirely.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AymaraAI } from 'aymara-ai';
import { within } from '../helpers/fault-server.js';
import { startServer } from '../helpers/server.js';
import { stubNoProxyEnv } from './helpers.js';

const KEY = 'encoding-test-key';
const ITEMS = Array.from({ length: 500 }, (_, i) => ({
  prompt_uuid: `p-${i}`,
  response_uuid: `r-${i}`,
  content: `answer number ${i}`,
  is_passed: i % 3 !== 0,
}));
const PAGE = JSON.stringify({ items: ITEMS, count: ITEMS.length });

beforeEach(stubNoProxyEnv);
afterEach(() => {
  vi.unstubAllEnvs();
});

const ENCODINGS = [
  { encoding: 'gzip', encode: gzipSync },
  { encoding: 'deflate', encode: deflateSync },
  { encoding: 'br', encode: brotliCompressSync },
] as const;

describe.concurrent('a compressed body sent without being asked for is decoded', () => {
  for (const { encoding, encode } of ENCODINGS) {
    for (const framing of ['content-length', 'chunked'] as const) {
      it(`${encoding}, ${framing}: parses on call 1 and call 2`, async (ctx) => {
        const body = encode(Buffer.from(PAGE));
        const server = await startServer((_req, res) => {
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-encoding': encoding,
            ...(framing === 'content-length' ? { 'content-length': body.length } : {}),
          });
          // Chunked: the compressed bytes arrive in two pieces, so decoding has to carry state across chunks.
          if (framing === 'chunked') res.write(body.subarray(0, body.length >> 1));
          res.end(framing === 'chunked' ? body.subarray(body.length >> 1) : body);
        });
        const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off' });
        ctx.onTestFinished(async () => {
          await client.close();
          await server.close();
        });
        for (const call of [1, 2]) {
          const page = await within(client.evals.runs.listResponses('run-1', { limit: 500 }), 5_000, `call ${call}`);
          ctx
            .expect(
              page.items.map((item) => item.prompt_uuid),
              `call ${call}`,
            )
            .toEqual(ITEMS.map((item) => item.prompt_uuid));
          ctx.expect(page.count).toBe(ITEMS.length);
        }
        ctx.expect(server.requests).toHaveLength(2);
      });
    }
  }

  it('a gzip error body is decoded too: the envelope is read', async (ctx) => {
    const body = gzipSync(Buffer.from(JSON.stringify({ error: { code: 'resource.not_found', message: 'No such run' }, request_id: 'req-gz' })));
    const server = await startServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length });
      res.end(body);
    });
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off' });
    ctx.onTestFinished(async () => {
      await client.close();
      await server.close();
    });
    for (const call of [1, 2]) {
      const error = (await within(
        client.evals.runs.listResponses('run-1').then(
          () => undefined,
          (e: unknown) => e,
        ),
        5_000,
        `call ${call}`,
      )) as { code?: string; requestId?: string } | undefined;
      ctx.expect(error?.code, `call ${call}`).toBe('resource.not_found');
      ctx.expect(error?.requestId, `call ${call}`).toBe('req-gz');
    }
  });
});

it('the request asks for an encoding the runtime can decode (gzip at least)', async (ctx) => {
  const server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(PAGE);
  });
  const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off' });
  ctx.onTestFinished(async () => {
    await client.close();
    await server.close();
  });
  await within(client.evals.runs.listResponses('run-1'), 5_000, 'call 1');
  await within(client.evals.runs.listResponses('run-1'), 5_000, 'call 2');
  for (const request of server.requests) expect(request.headers['accept-encoding']).toMatch(/\bgzip\b/);
});

describe('the Response of .asResponse() and .withResponse() after a gzip body', () => {
  /**
   * Its body is the decoded text, so headers describing the encoded bytes would lie: a caller forwarding it (a proxy
   * route returning it as is) would have the next client gunzip plain JSON, or cut it at the compressed length.
   */
  async function gzipServer(ctx: { onTestFinished(fn: () => Promise<void>): void }) {
    const body = gzipSync(Buffer.from(PAGE));
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length, 'x-request-id': 'req-gzip-1' });
      res.end(body);
    });
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'off' });
    ctx.onTestFinished(async () => {
      await client.close();
      await server.close();
    });
    return client;
  }

  /** What a caller forwarding the Response relies on: no content-encoding or content-length, the rest kept, the body decoded. */
  async function expectDecodedResponse(response: Response): Promise<void> {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding'), 'content-encoding on a decoded body').toBeNull();
    expect(response.headers.get('content-length'), 'the compressed content-length on a decoded body').toBeNull();
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-request-id')).toBe('req-gzip-1');
    expect(await response.text()).toBe(PAGE);
  }

  it('.asResponse(): no content-encoding, no content-length, the decoded JSON as its body', async (ctx) => {
    const client = await gzipServer(ctx);
    await expectDecodedResponse(await within(client.evals.runs.listResponses('run-1').asResponse(), 5_000, '.asResponse()'));
    const again = await within(client.evals.runs.listResponses('run-1').asResponse(), 5_000, '.asResponse() again');
    expect(await again.json()).toEqual(JSON.parse(PAGE));
  });

  it('.withResponse(): the same Response headers and body, and the data parsed', async (ctx) => {
    const client = await gzipServer(ctx);
    const { data, response, requestId } = await within(client.evals.runs.listResponses('run-1').withResponse(), 5_000, '.withResponse()');
    expect(data.items.map((item) => item.prompt_uuid)).toEqual(ITEMS.map((item) => item.prompt_uuid));
    expect(requestId).toBe('req-gzip-1');
    await expectDecodedResponse(response);
  });
});
