/**
 * The SDK's default (undici) transport behind a real nginx reverse proxy: the key reaches the upstream, and
 * nginx's own HTML error pages (502 when the upstream is down, 504 when it is too slow) are retried and end
 * in a short, HTML-free InternalServerError (SPEC 5 and 6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, AymaraAI, InternalServerError, ServiceUnavailableError, type ClientOptions } from 'aymara-ai';
import { generateResponses, startMockServer, type MockServer } from 'aymara-ai/testing';
import { rejectionOf } from '../helpers/server.js';
import { clearProxyEnv, collectingLogger, freePort, startNginx, startStallingServer, waitFor, type Nginx, type StallingServer } from './helpers.js';

const KEY = 'nginx-test-key';
const RUN = 'run-1';
const PATH = `/v2/eval-runs/${RUN}/responses`;
/** Per attempt; far above nginx's 1 s upstream timeout, so nginx always answers first. */
const CLIENT_TIMEOUT_MS = 15_000;

let restoreEnv: () => void;
let mock: MockServer;
let stalling: StallingServer;
let inFrontOfMock: Nginx;
let inFrontOfNothing: Nginx;
let inFrontOfStalling: Nginx;

beforeAll(async () => {
  restoreEnv = clearProxyEnv();
  mock = await startMockServer({ fixtures: { apiKey: KEY, runs: { [RUN]: { responses: generateResponses(3) } } } });
  stalling = await startStallingServer();
  const closedPort = await freePort();
  [inFrontOfMock, inFrontOfNothing, inFrontOfStalling] = await Promise.all([
    startNginx({ upstream: `127.0.0.1:${mock.port}`, upstreamTimeoutSeconds: 1 }),
    startNginx({ upstream: `127.0.0.1:${closedPort}`, upstreamTimeoutSeconds: 1 }),
    startNginx({ upstream: stalling.hostPort, upstreamTimeoutSeconds: 1 }),
  ]);
});

afterAll(async () => {
  await Promise.all([inFrontOfMock?.stop(), inFrontOfNothing?.stop(), inFrontOfStalling?.stop()]);
  await Promise.all([mock?.close(), stalling?.close()]);
  restoreEnv?.();
});

function client(nginx: Nginx, options: ClientOptions = {}): AymaraAI {
  return new AymaraAI({ apiKey: KEY, baseURL: nginx.url, timeout: CLIENT_TIMEOUT_MS, ...options });
}

/** Access-log lines for our path with this status; nginx writes the line just after the response, so poll for it. */
async function loggedRequests(nginx: Nginx, status: number, expected: number): Promise<string[]> {
  const matching = () => nginx.accessLog().filter((line) => line.startsWith(`${status} GET ${PATH}`));
  await waitFor(`${expected} "${status} GET ${PATH}" lines in nginx's access log`, () => matching().length >= expected, 3_000).catch(() => undefined);
  return matching();
}

describe('nginx in front of the mock API', () => {
  it('lists responses through nginx, the key reaching the upstream', async () => {
    await using c = client(inFrontOfMock, { maxRetries: 0 });
    const before = mock.api.requests.length;
    const page = await c.evals.runs.listResponses(RUN);
    expect(page.items).toHaveLength(3);
    expect(page.count).toBe(3);

    const seen = mock.api.requests.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url.pathname).toBe(PATH);
    expect(seen[0]?.headers['x-api-key']).toBe(KEY);
    // Set by our nginx config: the request really came through nginx.
    expect(seen[0]?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(await loggedRequests(inFrontOfMock, 200, 1)).toHaveLength(1);
  });

  it("passes the API's own error envelope through untouched (a wrong key is a 401 AuthenticationError)", async () => {
    await using c = client(inFrontOfMock, { apiKey: 'wrong-key', maxRetries: 2 });
    const error = await rejectionOf(c.evals.runs.listResponses(RUN));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'auth.invalid_key' });
    expect(String((error as Error).message)).not.toContain('wrong-key');
    // 401 is never retried.
    expect(await loggedRequests(inFrontOfMock, 401, 1)).toHaveLength(1);
  });
});

describe("nginx's own error pages", () => {
  it('upstream down: nginx 502 HTML page, retried, ends in an HTML-free InternalServerError naming 502', async () => {
    const { warnings, logger } = collectingLogger();
    await using c = client(inFrontOfNothing, { maxRetries: 2, logger });
    const error = await rejectionOf(c.evals.runs.listResponses(RUN));

    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).not.toBeInstanceOf(ServiceUnavailableError);
    const apiError = error as InternalServerError;
    expect(apiError.status).toBe(502);
    expect(apiError.code).toBeUndefined();
    expect(apiError.headers.get('server')).toMatch(/^nginx/);
    expect(apiError.headers.get('content-type')).toMatch(/^text\/html/);
    expect(apiError.message).toContain('502');
    expect(apiError.message).not.toMatch(/[<>]|Bad Gateway|<html|center/i);

    // maxRetries 2: three requests reached nginx, and the client logged two retries.
    expect(await loggedRequests(inFrontOfNothing, 502, 3)).toHaveLength(3);
    expect(warnings.filter((w) => w.includes('(502)') && w.includes('retrying'))).toHaveLength(2);
    expect(inFrontOfNothing.errorLog()).toMatch(/connect\(\) failed \(111: Connection refused\)/);
  });

  it('slow upstream: nginx 504 after its 1 s proxy_read_timeout, retried, ends in InternalServerError naming 504', async () => {
    const before = stalling.requests.length;
    const started = Date.now();
    await using c = client(inFrontOfStalling, { maxRetries: 1, logger: collectingLogger().logger });
    const error = await rejectionOf(c.evals.runs.listResponses(RUN));
    const elapsed = Date.now() - started;

    expect(error).toBeInstanceOf(InternalServerError);
    const apiError = error as InternalServerError;
    expect(apiError.status).toBe(504);
    expect(apiError.headers.get('server')).toMatch(/^nginx/);
    expect(apiError.message).toContain('504');
    expect(apiError.message).not.toMatch(/[<>]|Gateway Time-out|<html/i);

    // Two attempts, each held about 1 s by nginx, none cut short by the client's own 15 s timeout.
    expect(stalling.requests.length - before).toBe(2);
    expect(stalling.requests[before]?.headers['x-api-key']).toBe(KEY);
    expect(await loggedRequests(inFrontOfStalling, 504, 2)).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(CLIENT_TIMEOUT_MS);
    expect(inFrontOfStalling.errorLog()).toMatch(/upstream timed out/);
  });
});
