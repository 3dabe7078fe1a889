import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { response, startServer, type SeenRequest, type TestServer } from './server.js';

/**
 * What the fault server does with one request. Everything but `ok` is a way for the network or the
 * server to misbehave; all of them stay on 127.0.0.1.
 */
export type Fault =
  /** A valid page `{ items, count }` for the request's `limit` and `offset`. */
  | { kind: 'ok' }
  /** TCP RST before any byte of the response (`socket.resetAndDestroy()`). */
  | { kind: 'reset-before-headers' }
  /** A plain close (FIN) before any byte of the response (`socket.destroy()`). */
  | { kind: 'close-before-headers' }
  /** Status line, headers and half the body, then a TCP RST. */
  | { kind: 'reset-mid-body' }
  /** Status line, headers (full `content-length`) and half the body, then a clean close: a premature end. */
  | { kind: 'close-mid-body' }
  /** Never answers; the socket stays open until the client gives up or the server closes. */
  | { kind: 'stall-before-headers' }
  /** Status line, headers and half the body, then nothing more. */
  | { kind: 'stall-mid-body' }
  /** A valid page, one byte every `intervalMs` (default 20 ms). */
  | { kind: 'drip'; intervalMs?: number }
  /** A 200 whose JSON is cut in half; the HTTP message itself is complete (matching `content-length`). */
  | { kind: 'truncated-json' }
  /** A 200 whose body is not JSON at all. */
  | { kind: 'invalid-json' }
  /** A 200 with JSON that breaks the page schema (an item without `prompt_uuid`). */
  | { kind: 'wrong-schema' }
  /** Any status, with optional headers and body (a string is sent as is; anything else as JSON). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  /** A redirect (302 unless `status` says otherwise) to `location`. */
  | { kind: 'redirect'; location: string; status?: number };

/** Shorthands for the faults that need no parameters. */
export const F = {
  ok: { kind: 'ok' },
  resetBeforeHeaders: { kind: 'reset-before-headers' },
  closeBeforeHeaders: { kind: 'close-before-headers' },
  resetMidBody: { kind: 'reset-mid-body' },
  closeMidBody: { kind: 'close-mid-body' },
  stallBeforeHeaders: { kind: 'stall-before-headers' },
  stallMidBody: { kind: 'stall-mid-body' },
  truncatedJSON: { kind: 'truncated-json' },
  invalidJSON: { kind: 'invalid-json' },
  wrongSchema: { kind: 'wrong-schema' },
} as const satisfies Record<string, Fault>;

/** Chooses the fault for a request: `n` is the 1-based number of the request on this server. */
export type FaultPlan = (n: number, req: IncomingMessage, url: URL) => Fault | undefined;

export interface FaultServerOptions {
  /** Faults for the first requests, in order; once used up (or when it gives `undefined`), `plan` decides. */
  queue?: Fault[];
  /** Decides the fault for a request the queue does not cover; default: a valid page. */
  plan?: FaultPlan;
  /** Total responses of the run that valid pages are cut from. Default 1,000. */
  total?: number;
  /** Page size when the request has no `limit`. Default 100. */
  defaultLimit?: number;
}

export interface FaultServer extends TestServer {
  /** Faults still waiting for a request (push more at any time). */
  queue: Fault[];
  /** Replaces the plan for requests the queue does not cover. */
  setPlan(plan: FaultPlan | undefined): void;
  /** Faults served so far, in order (valid pages included, as `ok`). */
  served: Fault['kind'][];
  /** Stops accepting connections and drops the open ones: a client now meets a refused connection. */
  stopListening(): Promise<void>;
  /** Listens again on the same port. */
  startListening(): Promise<void>;
}

/** The body of a valid page for a request URL: `p-{offset}` ... up to `limit` items of `total`. */
export function pageBody(url: URL, total: number, defaultLimit = 100): string {
  const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : defaultLimit;
  const offset = url.searchParams.has('offset') ? Number(url.searchParams.get('offset')) : 0;
  const items: unknown[] = [];
  for (let i = offset; i < Math.min(offset + limit, total); i++) items.push(response(i));
  return JSON.stringify({ items, count: total });
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function halfBody(res: ServerResponse, body: string): void {
  res.writeHead(200, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(body) });
  res.flushHeaders();
  res.write(body.slice(0, Math.floor(body.length / 2)));
}

/** Sends the written bytes, then resets the connection once they are on their way. */
function resetAfterFlush(socket: Socket): void {
  // A short delay lets the partial body reach the client before the RST.
  setTimeout(() => socket.resetAndDestroy(), 30);
}

/** Serves one request according to `fault`. Bounded: every timer stops when the response closes. */
export function serveFault(fault: Fault, req: IncomingMessage, res: ServerResponse, url: URL, total: number, defaultLimit: number): void {
  const body = () => pageBody(url, total, defaultLimit);
  switch (fault.kind) {
    case 'ok': {
      const text = body();
      res.writeHead(200, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text), 'x-request-id': `req-${url.searchParams.get('offset') ?? 0}` });
      res.end(text);
      return;
    }
    case 'reset-before-headers':
      req.socket.resetAndDestroy();
      return;
    case 'close-before-headers':
      req.socket.destroy();
      return;
    case 'reset-mid-body':
      halfBody(res, body());
      resetAfterFlush(req.socket);
      return;
    case 'close-mid-body':
      halfBody(res, body());
      setTimeout(() => req.socket.destroy(), 30);
      return;
    case 'stall-before-headers':
      return;
    case 'stall-mid-body':
      halfBody(res, body());
      return;
    case 'drip': {
      const text = Buffer.from(body());
      res.writeHead(200, { ...JSON_HEADERS, 'content-length': text.length });
      res.flushHeaders();
      let sent = 0;
      const timer = setInterval(() => {
        if (sent >= text.length || res.destroyed) {
          clearInterval(timer);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(text.subarray(sent, sent + 1));
        sent += 1;
      }, fault.intervalMs ?? 20);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case 'truncated-json': {
      const text = body();
      const cut = text.slice(0, Math.floor(text.length / 2));
      res.writeHead(200, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(cut), 'x-request-id': 'req-truncated' });
      res.end(cut);
      return;
    }
    case 'invalid-json': {
      const text = '<html><body>All good!</body></html>';
      res.writeHead(200, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text), 'x-request-id': 'req-invalid' });
      res.end(text);
      return;
    }
    case 'wrong-schema': {
      const text = JSON.stringify({ items: [{ response_uuid: 'r-1' }], count: 1 });
      res.writeHead(200, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text), 'x-request-id': 'req-schema' });
      res.end(text);
      return;
    }
    case 'status': {
      const text = fault.body === undefined ? '' : typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body);
      res.writeHead(fault.status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(text), ...fault.headers });
      res.end(text);
      return;
    }
    case 'redirect':
      res.writeHead(fault.status ?? 302, { location: fault.location, 'content-length': 0 });
      res.end();
      return;
  }
}

/**
 * A loopback server (built on `startServer`) whose every answer can be a fault: a queue of faults for the
 * next requests, then a plan (a function of the request number), then valid pages.
 */
export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const queue = [...(options.queue ?? [])];
  const served: Fault['kind'][] = [];
  const total = options.total ?? 1_000;
  const defaultLimit = options.defaultLimit ?? 100;
  let plan = options.plan;
  let base = '';
  const server = await startServer((req, res, seen: SeenRequest[]) => {
    const url = new URL(req.url ?? '/', base);
    const fault = queue.shift() ?? plan?.(seen.length, req, url) ?? F.ok;
    served.push(fault.kind);
    serveFault(fault, req, res, url, total, defaultLimit);
  });
  base = server.url;
  const port = Number(new URL(server.url).port);
  const open = new Set<Socket>();
  server.server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  return Object.assign(server, {
    queue,
    served,
    setPlan(next: FaultPlan | undefined) {
      plan = next;
    },
    stopListening: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.server.close(() => resolve());
      }),
    startListening: () =>
      new Promise<void>((resolve, reject) => {
        server.server.once('error', reject);
        server.server.listen(port, '127.0.0.1', () => {
          server.server.off('error', reject);
          resolve();
        });
      }),
  });
}

/** Rejects with a plain Error when `promise` takes longer than `ms`: a hang is a test failure, never a stuck run. */
export function within<T>(promise: PromiseLike<T>, ms: number, what = 'call'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve(promise), deadline]).finally(() => clearTimeout(timer));
}
