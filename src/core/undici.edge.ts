// The edge build's stand-in for undici.ts (export conditions workerd, edge-light, browser). Edge runtimes have neither
// proxy variables nor undici dispatchers, and some bundlers for them (Miniflare's) refuse any computed `import()`,
// even one that never runs, so this build has none.
export function loadUndici(): Promise<undefined> {
  return Promise.resolve(undefined);
}
