/**
 * Node's own proxy support (`NODE_USE_ENV_PROXY=1` or `--use-env-proxy`) makes the runtime's global fetch follow
 * HTTP_PROXY, loopback targets included unless NO_PROXY names them. A loopback `http://` base URL must still never
 * go through a proxy (the key would cross it in clear text), so in that case the client sends over a connection of
 * its own. The client runs in a child process: Node reads those settings at start-up.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { startServer } from '../helpers/server.js';

const CHILD = fileURLToPath(new URL('./env-proxy-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = JSON.stringify({ items: [{ prompt_uuid: 'p-1' }], count: 1 });

/** A proxy that tunnels CONNECT to 127.0.0.1 only and records the request heads it carries (or is sent). */
async function startRecordingProxy(): Promise<{ url: string; heads: string[]; close: () => Promise<void> }> {
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    client.once('data', (first: Buffer) => {
      const head = first.toString('latin1').split('\r\n\r\n')[0] ?? '';
      heads.push(head);
      const target = /^CONNECT 127\.0\.0\.1:(\d+) /.exec(head);
      if (!target) return void client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
      const upstream = createConnection({ host: '127.0.0.1', port: Number(target[1]) });
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      upstream.on('connect', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        client.on('data', (chunk: Buffer) => heads.push(chunk.toString('latin1').split('\r\n\r\n')[0] ?? ''));
        client.pipe(upstream);
        upstream.pipe(client);
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    heads,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function runChild(baseURL: string, env: Record<string, string>): Promise<{ sdk: string; plain: string }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(https?_proxy|no_proxy|all_proxy|node_use_env_proxy)$/i.test(name)));
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, baseURL], {
    cwd: REPO,
    env: { ...inherited, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  await once(child, 'exit');
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as { sdk: string; plain: string };
  } catch {
    throw new Error(`the child gave no report; stdout: ${stdout.slice(0, 2_000)}\nstderr: ${stderr.slice(0, 4_000)}`);
  }
}

it('with NODE_USE_ENV_PROXY=1 and HTTP_PROXY set, a loopback base URL still goes direct: the proxy never sees the key', { timeout: 60_000 }, async (ctx) => {
  const api = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(PAGE);
  });
  const proxy = await startRecordingProxy();
  ctx.onTestFinished(async () => {
    await api.close();
    await proxy.close();
  });

  const report = await runChild(api.url, { NODE_USE_ENV_PROXY: '1', HTTP_PROXY: proxy.url });
  expect(report.sdk).toBe('ok');
  expect(report.plain).toBe('ok');
  // The runtime's fetch did go through the proxy (so the setting is live in the child) ...
  expect(proxy.heads.some((head) => /x-plain-fetch/i.test(head))).toBe(true);
  // ... and the SDK's request did not: the proxy never saw the key, the API saw it once.
  expect(proxy.heads.join('\n')).not.toContain('env-proxy-test-key');
  expect(api.requests.filter((r) => r.headers['x-api-key'] === 'env-proxy-test-key')).toHaveLength(1);
});
