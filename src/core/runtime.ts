/** The runtime and its version for the user-agent (`node/24.21.0`, `bun/1.3.0`, `deno/2.5.0`, `workerd`), so the API's logs tell them apart. */
export function runtimeName(): string {
  const g = globalThis as {
    Bun?: { version?: string };
    Deno?: { version?: { deno?: string } };
    navigator?: { userAgent?: string };
    process?: { versions?: { node?: string } };
  };
  if (g.Bun?.version) return `bun/${g.Bun.version}`;
  if (g.Deno?.version?.deno) return `deno/${g.Deno.version.deno}`;
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd';
  if (g.process?.versions?.node) return `node/${g.process.versions.node}`;
  return 'unknown-runtime';
}
