import type { Dispatcher } from 'undici';
import type { AymaraResponse } from './pipeline.js';
import { connectionError, type ClosableTransport } from './transport.js';

type Undici = typeof import('undici');

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

function proxyConfigured(): boolean {
  return typeof process !== 'undefined' && PROXY_VARIABLES.some((name) => !!process.env[name]);
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  for (const value of Object.values(headers)) {
    if (typeof value === 'string') continue;
    // Rare (set-cookie, repeated headers): only then pay for a copy.
    const out: Record<string, string> = {};
    for (const [name, v] of Object.entries(headers)) if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
    return out;
  }
  return headers as Record<string, string>;
}

/**
 * The default transport on Node: `undici.request` over a keep-alive pool, or `EnvHttpProxyAgent` when proxy
 * variables are set (so HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured). undici is loaded on the first
 * request, not at import, so a cold start that never sends pays nothing for it.
 */
export function undiciTransport(options: { dispatcher?: Dispatcher | undefined; maxConnections: number }): ClosableTransport {
  let undici: Undici | undefined;
  let own: Dispatcher | undefined;

  const dispatcherFor = (u: Undici): Dispatcher => {
    if (options.dispatcher) return options.dispatcher;
    own ??= proxyConfigured()
      ? new u.EnvHttpProxyAgent({ connections: options.maxConnections })
      : new u.Agent({ connections: options.maxConnections });
    return own;
  };

  const send = async (request: Parameters<ClosableTransport>[0]): Promise<AymaraResponse> => {
    try {
      undici ??= await import('undici');
      const response = await undici.request(request.url, {
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers,
        signal: request.signal,
        dispatcher: dispatcherFor(undici),
      });
      const body = await response.body.text();
      return { status: response.statusCode, headers: flattenHeaders(response.headers), body };
    } catch (error) {
      throw connectionError(request, error);
    }
  };

  return Object.assign(send, {
    async close() {
      const pool = own;
      own = undefined;
      await pool?.close();
    },
  });
}
