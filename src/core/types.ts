// Types that several core modules share, kept apart so none of them has to import another for a type.

/** What the `fetch` option accepts: the global `fetch`, or anything shaped like it. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * How requests leave, decided from the proxy variables as they are when the client is created:
 * - `'default'`: the runtime's global fetch;
 * - `'proxy'`: proxy variables are set and the base URL is not loopback, so through an `EnvHttpProxyAgent`;
 * - `'direct'`: proxy variables are set, the base URL is loopback, and the runtime's own fetch would send it
 *   through the proxy (Node's `NODE_USE_ENV_PROXY=1` or `--use-env-proxy`, with no `NO_PROXY` entry for the host),
 *   so over a connection of the client's own: the key never crosses a proxy in clear text.
 */
export type ProxyRoute = 'default' | 'proxy' | 'direct';
