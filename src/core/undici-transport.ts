import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { AymaraRequest, AymaraResponse } from './pipeline.js';
import { connectionError, type ClosableTransport } from './transport.js';

type Undici = typeof import('undici');

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

// Not a string literal on purpose: bundlers leave `import(specifier)` alone, so a serverless bundle does not carry
// undici (or break on its CommonJS requires in an ESM bundle); at run time it is used when it can be found.
const UNDICI = 'undici';

function proxyConfigured(): boolean {
  return typeof process !== 'undefined' && PROXY_VARIABLES.some((name) => !!process.env[name]);
}

async function loadUndici(): Promise<Undici | undefined> {
  try {
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ UNDICI)) as Undici;
  } catch {
    return undefined;
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined> | IncomingHttpHeaders): Record<string, string> {
  for (const value of Object.values(headers)) {
    if (typeof value === 'string') continue;
    // Rare (set-cookie, repeated headers): only then pay for a copy.
    const out: Record<string, string> = {};
    for (const [name, v] of Object.entries(headers)) if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
    return out;
  }
  return headers as Record<string, string>;
}

/** Sends a request with `dispatcher.request()`: the hot path, close to a bare `undici.request`. */
async function dispatch(dispatcher: Dispatcher, request: AymaraRequest): Promise<AymaraResponse> {
  const { url } = request;
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  try {
    const response = await dispatcher.request({
      origin: slash === -1 ? url : url.slice(0, slash),
      path: slash === -1 ? '/' : url.slice(slash),
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers,
      signal: request.signal,
    });
    const body = await response.body.text();
    return { status: response.statusCode, headers: flattenHeaders(response.headers), body };
  } catch (error) {
    throw connectionError(request, error);
  }
}

/**
 * One request over Node's own http(s) module on a connection of its own (`agent: false`), closed when the
 * answer is read: nothing to load but what Node already has, and nothing left open for `close()` to find.
 */
async function once(request: AymaraRequest): Promise<AymaraResponse> {
  try {
    const { request: send } = await (request.url.startsWith('https:') ? import('node:https') : import('node:http'));
    return await new Promise<AymaraResponse>((resolve, reject) => {
      const req = send(request.url, { method: request.method, headers: request.headers, agent: false, signal: request.signal }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: flattenHeaders(res.headers), body }));
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('the connection closed before the body ended'));
        });
      });
      req.on('error', reject);
      req.end();
    });
  } catch (error) {
    throw connectionError(request, error);
  }
}

/**
 * The default transport on Node: undici over a keep-alive pool of `maxConnections` per origin, or
 * `EnvHttpProxyAgent` when proxy variables are set when the client is created (HTTPS_PROXY, HTTP_PROXY;
 * NO_PROXY is read by undici on every request).
 *
 * undici is paid for only when it is needed. A `dispatcher` you pass is used at once. Otherwise the first
 * request of a client goes over Node's own http module (nothing to load: what a serverless cold start wants)
 * and undici is loaded for the requests after it (what a long iteration wants). When undici cannot be
 * loaded (a bundle shipped without node_modules), Node's http module carries on.
 */
export function undiciTransport(options: { dispatcher?: Dispatcher | undefined; maxConnections: number }): ClosableTransport {
  const { dispatcher } = options;
  // Read once, when the client is created, like the rest of its configuration.
  const viaProxy = proxyConfigured();
  let own: Dispatcher | undefined;
  let loading: Promise<Dispatcher | undefined> | undefined;
  let sent = 0;

  const createPool = async (): Promise<Dispatcher | undefined> => {
    const undici = await loadUndici();
    if (!undici) return undefined;
    const pool = viaProxy ? new undici.EnvHttpProxyAgent({ connections: options.maxConnections }) : new undici.Agent({ connections: options.maxConnections });
    // Bun answers `import('undici')` with a built-in stand-in whose Agent cannot send: Node's http module serves then.
    if (typeof pool.request !== 'function') return undefined;
    own = pool;
    return own;
  };

  const send = async (request: AymaraRequest): Promise<AymaraResponse> => {
    if (dispatcher) return dispatch(dispatcher, request);
    if (own) return dispatch(own, request);
    // The first request of a client skips undici, unless a proxy needs it.
    if (sent++ === 0 && !viaProxy) return once(request);
    const pool = await (loading ??= createPool());
    return pool ? dispatch(pool, request) : once(request);
  };

  return Object.assign(send, {
    async close() {
      const pool = own;
      own = undefined;
      loading = undefined;
      sent = 0;
      await pool?.close();
    },
  });
}
