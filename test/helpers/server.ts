import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export interface TestServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Every request the server received, in order. */
  requests: SeenRequest[];
  /** How many TCP connections the server has accepted so far (keep-alive reuse keeps this low). */
  readonly connections: number;
  /** The underlying node:http server, for tests that need its events or to stop and restart listening. */
  server: Server;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 for tests where the network is the point (the default undici transport,
 * timeouts, resets, redirects). The handler gets Node's own req/res, so it can stall, reset or misbehave.
 */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse, seen: SeenRequest[]) => void): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res, requests);
  });
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get connections() {
      return connections;
    },
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers JSON with a status and optional headers. */
export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A minimal valid scored response. */
export function response(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { prompt_uuid: `p-${i}`, ...extra };
}

/** `http://127.0.0.1:PORT` of a port that was free a moment ago and has nothing listening: connections are refused. */
export async function closedPortURL(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** What a promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject, but it resolved');
}
