type Undici = typeof import('undici');

// Not a string literal on purpose: bundlers leave `import(specifier)` alone, so a serverless bundle does not carry
// undici (nor break on its CommonJS requires in an ESM bundle). It is loaded only for a `dispatcher` or a proxy.
const UNDICI = 'undici';

let loading: Promise<Undici | undefined> | undefined;

/** npm undici, or undefined where it cannot be loaded (a bundle deployed without node_modules, an edge runtime). */
export function loadUndici(): Promise<Undici | undefined> {
  return (loading ??= import(/* webpackIgnore: true */ /* @vite-ignore */ UNDICI).then(
    (undici: Undici) => (typeof undici.fetch === 'function' && typeof undici.EnvHttpProxyAgent === 'function' ? undici : undefined),
    () => undefined,
  ));
}
