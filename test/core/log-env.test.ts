/**
 * A typo in AYMARA_AI_LOG must not break production: the constructor does not throw, warns once (through the
 * `logger` option, or console) and logs at the default level, `warn`.
 *
 * The warning is once per process, so each test loads a fresh copy of the SDK (`vi.resetModules()`), as a new
 * process would.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMockServer, type MockServer } from 'aymara-ai/testing';
import { KEY } from './backends.js';

const RUN = 'run-log';

function recordingLogger() {
  return { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() };
}

/** A fresh copy of the SDK, with its once-per-process state new. */
async function freshSDK(): Promise<typeof import('aymara-ai')> {
  vi.resetModules();
  return import('aymara-ai');
}

describe('AYMARA_AI_LOG', () => {
  let server: MockServer;

  beforeEach(async () => {
    server = await startMockServer({ fixtures: { apiKey: KEY, runs: { [RUN]: { responses: [] } } } });
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    await server.close();
  });

  /** One call that is retried once: a `warn` line at the retry; `info` lines per attempt if the level allows. */
  async function callWithOneRetry(client: import('aymara-ai').AymaraAI): Promise<void> {
    server.api.inject({ status: 503, headers: { 'retry-after-ms': '0' }, times: 1 });
    await client.evals.runs.get(RUN);
    expect(server.api.requests).toHaveLength(2);
  }

  it('a bad value (verbose): the constructor does not throw, the logger gets one warning, and the level is warn', async () => {
    vi.stubEnv('AYMARA_AI_LOG', 'verbose');
    const { AymaraAI } = await freshSDK();
    const logger = recordingLogger();
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logger });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    const [warning] = logger.warn.mock.calls[0] as [string];
    expect(warning).toContain('AYMARA_AI_LOG');
    expect(warning).toContain('"verbose"');
    // It says what it does instead.
    expect(warning).toMatch(/using '?warn'?/i);

    // More clients, a derived one included: no more warnings.
    const second = new AymaraAI({ apiKey: KEY, baseURL: server.url, logger });
    const derived = client.withOptions({ timeout: 5_000 });
    expect(logger.warn).toHaveBeenCalledTimes(1);

    // At `warn`: the retry's warning is logged, the per-attempt `info` lines and `debug` headers are not.
    await callWithOneRetry(client);
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(logger.warn.mock.calls[1]?.[0]).toMatch(/retrying/);
    expect(logger.info).not.toHaveBeenCalled();
    expect(logger.debug).not.toHaveBeenCalled();
    expect(logger.error).not.toHaveBeenCalled();
    await Promise.all([client.close(), second.close(), derived.close()]);
  });

  it('without a logger the one warning goes to console.warn', async () => {
    vi.stubEnv('AYMARA_AI_LOG', 'LOUD');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { AymaraAI } = await freshSDK();
    const clients = [new AymaraAI({ apiKey: KEY, baseURL: server.url }), new AymaraAI({ apiKey: KEY, baseURL: server.url })];
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('AYMARA_AI_LOG');
    await Promise.all(clients.map((c) => c.close()));
  });

  it('a good value is honoured (so the fallback above is a real choice): info logs each attempt, error hides the retry warning', async () => {
    vi.stubEnv('AYMARA_AI_LOG', ' Info ');
    let { AymaraAI } = await freshSDK();
    const atInfo = recordingLogger();
    const chatty = new AymaraAI({ apiKey: KEY, baseURL: server.url, logger: atInfo });
    await callWithOneRetry(chatty);
    expect(atInfo.info).toHaveBeenCalled();
    expect(atInfo.warn).toHaveBeenCalledTimes(1);
    expect(atInfo.warn.mock.calls[0]?.[0]).toMatch(/retrying/);
    await chatty.close();

    server.api.reset();
    vi.stubEnv('AYMARA_AI_LOG', 'error');
    ({ AymaraAI } = await freshSDK());
    const atError = recordingLogger();
    const quiet = new AymaraAI({ apiKey: KEY, baseURL: server.url, logger: atError });
    await callWithOneRetry(quiet);
    expect(atError.warn).not.toHaveBeenCalled();
    expect(atError.info).not.toHaveBeenCalled();
    await quiet.close();
  });

  it('the logLevel option wins over a bad AYMARA_AI_LOG, with no warning', async () => {
    vi.stubEnv('AYMARA_AI_LOG', 'verbose');
    const { AymaraAI } = await freshSDK();
    const logger = recordingLogger();
    const client = new AymaraAI({ apiKey: KEY, baseURL: server.url, logger, logLevel: 'info' });
    expect(logger.warn).not.toHaveBeenCalled();
    await client.evals.runs.get(RUN);
    expect(logger.info).toHaveBeenCalled();
    await client.close();
  });

  it('a bad logLevel option (code, not the environment) is still an AymaraInputError at construction', async () => {
    const { AymaraAI, AymaraInputError } = await freshSDK();
    expect(() => new AymaraAI({ apiKey: KEY, baseURL: server.url, logLevel: 'verbose' as never })).toThrow(AymaraInputError);
  });
});
