import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import AymaraAIDefault, { AymaraAI, VERSION } from 'aymara-ai';
import { json, response, startServer, type TestServer } from './helpers/server.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

describe('VERSION', () => {
  it("equals package.json's version", () => {
    expect(VERSION).toBe(pkg.version);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  });

  describe('on the wire', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer((_req, res) => json(res, 200, { items: [response(1)], count: 1 }));
    });
    afterAll(() => server.close());

    it('the user-agent names the package and this version', async () => {
      await using client = new AymaraAI({ apiKey: 'k', baseURL: server.url, logLevel: 'off' });
      await client.evals.runs.listResponses('run');
      const userAgent = server.requests[0]?.headers['user-agent'] ?? '';
      expect(userAgent).toContain('aymara-ai');
      expect(userAgent).toContain(pkg.version);
    });
  });

  it('the default export is the client class', () => {
    expect(AymaraAIDefault).toBe(AymaraAI);
  });
});
