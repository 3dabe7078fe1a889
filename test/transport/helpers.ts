/**
 * Servers that misbehave below HTTP (written on node:net, so they can send what node:http never would), a tiny
 * forward proxy, and small helpers shared by the transport tests. Everything listens on 127.0.0.1.
 */
import { createServer as createHTTPServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { vi } from 'vitest';

/** What a call ended with, in a form two calls can be compared by (`toEqual`). */
export type Outcome = { ok: true; data: unknown } | { ok: false; name: string; message: string };

/** Settles `promise` and describes how. */
export async function outcomeOf(promise: PromiseLike<unknown>): Promise<Outcome> {
  try {
    return { ok: true, data: await promise };
  } catch (error) {
    const e = error as { name?: unknown; message?: unknown };
    return { ok: false, name: String(e?.name), message: String(e?.message) };
  }
}

/** A server that gives every connection to `onConnection`; closes every socket it accepted on `close()`. */
export interface RawServer {
  url: string;
  port: number;
  server: Server;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startRawServer(onConnection: (socket: Socket) => void, options: { backlog?: number } = {}): Promise<RawServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client giving up mid-answer resets the socket: that is expected here, never a crash.
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: options.backlog ?? 511 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Adds live read-only counters to `target` (Object.assign would copy a getter's value once, not the getter). */
function withCounters<T extends object, C extends Record<string, () => number>>(target: T, counters: C): T & { readonly [K in keyof C]: number } {
  for (const [name, get] of Object.entries(counters)) Object.defineProperty(target, name, { get, enumerable: true });
  return target as T & { readonly [K in keyof C]: number };
}

/**
 * Calls `onRequest` for each request head (GETs carry no body) read on `socket`, in order. Returns nothing; the
 * handler writes the answer itself, byte for byte.
 */
function onRequestHeads(socket: Socket, onRequest: (head: string) => void): void {
  let buffered = '';
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
      const head = buffered.slice(0, end);
      buffered = buffered.slice(end + 4);
      onRequest(head);
    }
  });
}

/** A server that answers every request with exactly `reply` (raw bytes) and then keeps the connection open. */
export async function startReplyServer(reply: string | Buffer): Promise<RawServer & { readonly requests: number }> {
  let requests = 0;
  const server = await startRawServer((socket) =>
    onRequestHeads(socket, () => {
      requests += 1;
      socket.write(reply);
    }),
  );
  return withCounters(server, { requests: () => requests });
}

export interface IdleClosingServer extends RawServer {
  /** Requests answered. */
  readonly answered: number;
  /** Requests that arrived on a connection the server had already closed (they got no answer): the race. */
  readonly raced: number;
}

/**
 * HTTP/1.1 keep-alive the way many load balancers do it: a connection idle for `idleMs` is closed, and no
 * `Keep-Alive: timeout=` header says so beforehand. A request that arrives after the server decided to close
 * gets no answer, only a reset: the client sent it on a connection that was already dead.
 */
export async function startIdleClosingServer(idleMs: number, body: string): Promise<IdleClosingServer> {
  let answered = 0;
  let raced = 0;
  const answer = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const server = await startRawServer((socket) => {
    let closing = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        closing = true;
        socket.end();
      }, idleMs);
    };
    socket.on('close', () => clearTimeout(timer));
    socket.on('data', () => {
      // Counted before the head is parsed: a request that raced the close is never answered.
      if (closing) {
        raced += 1;
        socket.resetAndDestroy();
      }
    });
    onRequestHeads(socket, () => {
      if (closing) return;
      answered += 1;
      socket.write(answer);
      arm();
    });
    arm();
  });
  return withCounters(server, { answered: () => answered, raced: () => raced });
}

export interface ForwardProxy {
  url: string;
  /** Every request line the proxy received (`GET http://...`, `CONNECT host:443`). */
  seen: string[];
  close(): Promise<void>;
}

/**
 * A forward HTTP proxy that never forwards: it records each request (absolute-form GETs and CONNECTs) and answers
 * with `status` (502 by default; 407 with a `proxy-authenticate` challenge to ask for credentials).
 */
export async function startForwardProxy(status = 502): Promise<ForwardProxy> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const headers: Record<string, string> = status === 407 ? { 'proxy-authenticate': 'Basic realm="test proxy"' } : {};
  const reply = `HTTP/1.1 ${status} ${status === 407 ? 'Proxy Authentication Required' : 'Bad Gateway'}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}content-length: 0\r\n\r\n`;
  const server = createHTTPServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(status, { ...headers, 'content-length': 0 });
    res.end();
  });
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    seen.push(`CONNECT ${req.url}`);
    socket.end(reply);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

/**
 * Removes every proxy variable for the current test (a CI machine may set them); `vi.unstubAllEnvs()` puts
 * them back. Loopback traffic must go direct either way, but the 0.1.0 comparison runs must not depend on it.
 */
export function stubNoProxyEnv(): void {
  for (const name of PROXY_VARIABLES) vi.stubEnv(name, undefined);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it is true or `timeoutMs` has passed; returns whether it became true. */
export async function eventually(check: () => boolean, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await sleep(everyMs);
  }
  return true;
}
