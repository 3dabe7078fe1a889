import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockFixtures } from './fixtures.js';
import { MockAymaraAPI, type MockFault, type MockRequest } from './mock-api.js';

export interface MockServerOptions {
  fixtures: MockFixtures;
  faults?: readonly MockFault[];
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
}

/** A running mock Aymara API on loopback. */
export interface MockServer {
  /** `http://127.0.0.1:PORT`: pass it as `baseURL`. */
  readonly url: string;
  readonly port: number;
  /** The mock behind the server: its requests, and `inject()` for faults. */
  readonly api: MockAymaraAPI;
  close(): Promise<void>;
}

function toMockRequest(req: IncomingMessage, base: string): MockRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return { method: req.method ?? 'GET', url: new URL(req.url ?? '/', base), headers };
}

/**
 * Starts the mock Aymara API on 127.0.0.1: a real HTTP server, so it exercises the SDK's default transport.
 *
 * @example
 * ```ts
 * const server = await startMockServer({ fixtures: { apiKey: 'test', runs: { run1: { responses } } } });
 * const client = new AymaraAI({ apiKey: 'test', baseURL: server.url });
 * // ...
 * await server.close();
 * ```
 */
export async function startMockServer(options: MockServerOptions): Promise<MockServer> {
  const api = new MockAymaraAPI(options.fixtures, options.faults);
  let base = 'http://127.0.0.1';
  const server: Server = createServer((req, res) => {
    const request = toMockRequest(req, base);
    const fault = api.takeFault(request);
    const respond = () => {
      if (fault?.reset) {
        req.socket.destroy();
        return;
      }
      const answer = api.answer(request, fault);
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
    };
    if (fault?.latencyMs) setTimeout(respond, fault.latencyMs);
    else respond();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    port,
    api,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
