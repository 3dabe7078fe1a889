import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { AddressInfo, Socket } from 'node:net';
import { headerRecord } from '../internal/headers.js';
import type { MockFixtures } from './fixtures.js';
import { acceptsGzip } from './encoding.js';
import { MockAymaraAPI, type MockFault } from './mock-api.js';

/** Options of `startMockServer()`. */
export interface MockServerOptions {
  /** The key, evals and runs to serve; validated at start (see `validateFixtures`). */
  fixtures: MockFixtures;
  /** Faults in effect from the start, first match wins; add more later with `server.api.inject()`. */
  faults?: readonly MockFault[] | undefined;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number | undefined;
  /** Serve the API under this path prefix (`/aymara`): `url` then ends with it. Default: none. */
  basePath?: string | undefined;
}

/** A running mock Aymara API on loopback. Close it when done (or `await using server = await startMockServer(...)`). */
export interface MockServer extends AsyncDisposable {
  /** `http://127.0.0.1:PORT` (plus `basePath`): pass it as `baseURL`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The mock behind the server: `requests` it received, `inject()` and `clearFaults()` for faults. */
  readonly api: MockAymaraAPI;
  /** Stops the server: closes every connection and cuts short pending latency faults. */
  close(): Promise<void>;
}

/**
 * Starts the mock Aymara API on 127.0.0.1: a real HTTP server with keep-alive and gzip (when the request asks for it),
 * so it exercises the SDK's transport as production does. A `reset` fault destroys the socket without an answer.
 *
 * @throws TypeError when the fixtures or faults are malformed.
 *
 * @example
 * ```ts
 * const server = await startMockServer({ fixtures: { apiKey: 'test', runs: { 'run-1': { responses: generateResponses(250) } } } });
 * const client = new AymaraAI({ apiKey: 'test', baseURL: server.url });
 * server.api.inject({ status: 503, times: 1 });   // the next request fails once, the SDK retries
 * // ... your code under test ...
 * await client.close();
 * await server.close();
 * ```
 */
export async function startMockServer(options: MockServerOptions): Promise<MockServer> {
  const api = new MockAymaraAPI(options.fixtures, { faults: options.faults, basePath: options.basePath });
  const closing = new AbortController();
  const connections = new WeakMap<Socket, number>();
  let connectionCount = 0;
  let origin = 'http://127.0.0.1';

  const server: Server = createServer((req, res) => {
    const request = api.describeRequest(req.method ?? 'GET', new URL(req.url ?? '/', origin), headerRecord(req.headers), connections.get(req.socket));
    api.respond(request, closing.signal).then(
      (outcome) => {
        if (res.destroyed || closing.signal.aborted) return;
        if (outcome === 'reset') {
          req.socket.destroy();
          return;
        }
        // Gzip when the client asks for it, as the real API's front end does: what goes over the wire is what users get.
        const gzip = acceptsGzip(request.headers['accept-encoding']) && outcome.body.length > 0 && !outcome.headers['content-encoding'];
        const body = gzip ? gzipSync(outcome.body) : Buffer.from(outcome.body);
        res.writeHead(outcome.status, {
          ...outcome.headers,
          ...(gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
          'content-length': body.length,
        });
        res.end(body);
      },
      (error: unknown) => {
        // A `match` predicate threw: answer 500 so the test sees it, and say why.
        if (res.destroyed) return;
        const body = JSON.stringify({ error: { code: 'server.internal_error', message: `mock API failed: ${String(error)}`, details: {} }, request_id: '' });
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      },
    );
  });
  server.on('connection', (socket: Socket) => {
    connectionCount += 1;
    connections.set(socket, connectionCount);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      closing.abort();
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  return { url: `${origin}${api.basePath}`, port, api, close, [Symbol.asyncDispose]: close };
}
