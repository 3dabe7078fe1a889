/**
 * The two ways users run the SDK against the mock Aymara API, for tests that must pass on both:
 * the loopback server (`startMockServer`, real HTTP over 127.0.0.1) and msw (`setupServer(...handlers)`
 * intercepting the global fetch). Both give a default client: only `apiKey` and `baseURL`, no `fetch` option.
 */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { AymaraAI, type ClientOptions } from 'aymara-ai';
import { startMockServer, type MockAymaraAPI, type MockFixtures } from 'aymara-ai/testing';
import { mockAymaraHandlers } from 'aymara-ai/testing/msw';

export const KEY = 'core-key';

export interface Backend {
  /** The mock behind the backend: `requests` it received, `inject()`, `setRunStatus()`. */
  api: MockAymaraAPI;
  baseURL: string;
  /** A default client (only `apiKey` and `baseURL`, plus what the test adds), closed with the backend. */
  client(options?: ClientOptions): AymaraAI;
  close(): Promise<void>;
}

export interface BackendKind {
  name: string;
  /** Whether the backend is a real server that records which TCP connection carried each request. */
  loopback: boolean;
  start(fixtures: MockFixtures): Promise<Backend>;
}

function tracked(baseURL: string, api: MockAymaraAPI, closeServer: () => Promise<void> | void): Backend {
  const clients: AymaraAI[] = [];
  return {
    api,
    baseURL,
    client(options = {}) {
      const client = new AymaraAI({ apiKey: KEY, baseURL, ...options });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await closeServer();
    },
  };
}

export const BACKENDS: BackendKind[] = [
  {
    name: 'loopback mock server',
    loopback: true,
    async start(fixtures) {
      const server = await startMockServer({ fixtures });
      return tracked(server.url, server.api, () => server.close());
    },
  },
  {
    name: 'msw handlers',
    loopback: false,
    async start(fixtures) {
      const { handlers, api, baseURL } = mockAymaraHandlers({ fixtures, baseURL: 'https://api.aymara.core.test' });
      const server = setupServer(...handlers);
      // Anything the handlers do not serve is a test failure, not a real request to the internet.
      server.listen({ onUnhandledFrame: 'error' });
      return tracked(baseURL, api, () => server.close());
    },
  },
];

export { rejectionOf } from '../helpers/server.js';

/** Every item's prompt_uuid, in the order iteration yields them. */
export async function uuidsOf(iterable: AsyncIterable<{ prompt_uuid: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item.prompt_uuid);
  return out;
}

/**
 * For a `describe.each(BACKENDS)` block: starts the backend with the fixtures before its tests, forgets faults and
 * recorded requests after each, and closes it (and its clients) at the end. Tests read `backend` and `client` (a
 * default client without retries) from what it returns.
 */
export function useBackend(kind: BackendKind, fixtures: () => MockFixtures): { readonly backend: Backend; readonly client: AymaraAI } {
  let backend: Backend | undefined;
  let client: AymaraAI | undefined;
  beforeAll(async () => {
    backend = await kind.start(fixtures());
    client = backend.client({ maxRetries: 0 });
  });
  afterEach(() => backend?.api.reset());
  afterAll(() => backend?.close());
  return {
    get backend() {
      return backend as Backend;
    },
    get client() {
      return client as AymaraAI;
    },
  };
}
