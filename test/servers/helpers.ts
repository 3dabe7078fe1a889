/**
 * Private instances of real third-party servers from Debian (nginx, tinyproxy) for the `npm run test:servers`
 * suite. Each instance runs as the current user (root in CI) from its own config in a fresh temp dir, listens on
 * a free 127.0.0.1 port, and is stopped by `stop()`. Nothing here touches system services, /etc or /var.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer as createHTTPServer, type IncomingMessage } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** Children still running, killed if the test process exits without stopping them (a crash, a failed hook). */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * The absolute path of a Debian-installed binary. nginx lives in /usr/sbin, which a non-root PATH may lack.
 * A missing binary fails the suite with the install command: these tests must never be skipped silently.
 */
export function requireBinary(name: string, debianPackage: string = name): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'].filter(Boolean);
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  throw new Error(
    `\`${name}\` was not found (looked in PATH, /usr/sbin, /sbin). npm run test:servers needs the Debian package ` +
      `\`${debianPackage}\`: apt-get install -y nginx tinyproxy`,
  );
}

/** A TCP port on 127.0.0.1 that was free a moment ago (listen on 0, read the port, close). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` until it returns true; throws with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'] as const;

/**
 * Removes every proxy variable from process.env (a CI machine may set them; undici would then send our
 * loopback traffic elsewhere) and returns a function that puts the original values back.
 */
export function clearProxyEnv(): () => void {
  const saved = new Map(PROXY_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of PROXY_VARIABLES) Reflect.deleteProperty(process.env, name);
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  };
}

/** A spawned server: its process, its output so far, and a clean stop. */
interface Instance {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** The temp dir holding the config, logs and pid file; removed by `stop()`. */
  readonly dir: string;
  readonly pid: number;
  /** SIGTERM, wait for exit (SIGKILL after 5 s), remove the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Spawns `bin args` (args built for a given port), waits until the port accepts connections. If the process dies
 * first (say the port was taken between freePort() and bind), tries again on another port, up to 3 times.
 */
async function spawnListening(
  name: string,
  dir: string,
  bin: string,
  argsFor: (port: number) => string[],
  logs: () => string,
): Promise<Omit<Instance, 'url' | 'dir'>> {
  let lastFailure = '';
  for (let tries = 0; tries < 3; tries++) {
    const port = await freePort();
    const child = spawn(bin, argsFor(port), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let output = '';
    const collect = (chunk: Buffer) => {
      if (output.length < 64_000) output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
    });
    child.once('exit', () => running.delete(child));

    const alive = () => child.exitCode === null && child.signalCode === null && spawnError === undefined;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (alive() && Date.now() < deadline && !(await accepts(port))) await new Promise((resolve) => setTimeout(resolve, 25));

    if (alive() && Date.now() < deadline) {
      let stopped = false;
      return {
        port,
        pid: child.pid as number,
        async stop() {
          if (stopped) return;
          stopped = true;
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
            await exited;
            clearTimeout(timer);
          }
        },
      };
    }
    if (alive()) {
      child.kill('SIGKILL');
      await exited;
    }
    lastFailure =
      `${name} (${bin} ${argsFor(port).join(' ')}) ` +
      (spawnError
        ? `could not start: ${spawnError.message}`
        : alive()
          ? `did not accept connections within ${START_TIMEOUT_MS} ms`
          : `exited with ${child.exitCode ?? child.signalCode}`) +
      `\n--- output ---\n${output}\n--- logs ---\n${logs()}`;
    // Bind races are worth another port; anything else (bad config, missing module) is not.
    if (!/Address already in use|EADDRINUSE|Could not create listening socket/i.test(output + logs())) break;
  }
  throw new Error(lastFailure);
}

function readIfExists(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** nginx config strings are quoted: a temp dir could hold spaces. */
const q = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;

export interface NginxOptions {
  /** `127.0.0.1:PORT` of the upstream nginx proxies to. */
  upstream: string;
  /** nginx's proxy_read_timeout (and connect/send timeouts), in seconds: a slower upstream gets nginx's own 504. */
  upstreamTimeoutSeconds?: number;
}

export interface Nginx extends Instance {
  /** The access log so far, one line per request: `STATUS METHOD URI upstream_status=...`. */
  accessLog(): string[];
  errorLog(): string;
}

/**
 * nginx as a reverse proxy in front of `upstream`, from its own config in a temp dir
 * (`nginx -c CONF -p DIR -e DIR/error.log -g 'daemon off;'`), as a child process of the test.
 */
export async function startNginx(options: NginxOptions): Promise<Nginx> {
  const bin = requireBinary('nginx');
  const dir = await mkdtemp(join(tmpdir(), 'aymara-nginx-'));
  const conf = join(dir, 'nginx.conf');
  const accessLogPath = join(dir, 'access.log');
  const errorLogPath = join(dir, 'error.log');
  const timeout = `${options.upstreamTimeoutSeconds ?? 1}s`;
  // As root the master would hand workers to a compiled-in user (www-data) that cannot write our temp dir;
  // `user` is only meaningful (and only accepted without a warning) when the master runs as root.
  const isRoot = process.getuid?.() === 0;
  const config = (port: number) => `
${isRoot ? 'user root;' : ''}
worker_processes 1;
pid ${q(join(dir, 'nginx.pid'))};
lock_file ${q(join(dir, 'nginx.lock'))};
error_log ${q(errorLogPath)} notice;
events { worker_connections 64; }
http {
  log_format counted '$status $request_method $request_uri upstream_status=$upstream_status';
  access_log ${q(accessLogPath)} counted;
  client_body_temp_path ${q(join(dir, 'client_body'))};
  proxy_temp_path ${q(join(dir, 'proxy'))};
  fastcgi_temp_path ${q(join(dir, 'fastcgi'))};
  uwsgi_temp_path ${q(join(dir, 'uwsgi'))};
  scgi_temp_path ${q(join(dir, 'scgi'))};
  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    location / {
      proxy_pass http://${options.upstream};
      proxy_connect_timeout ${timeout};
      proxy_read_timeout ${timeout};
      proxy_send_timeout ${timeout};
      proxy_next_upstream off;
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }
}
`;
  try {
    const started = await spawnListening(
      'nginx',
      dir,
      bin,
      (port) => {
        writeFileSync(conf, config(port));
        return ['-c', conf, '-p', `${dir}/`, '-e', errorLogPath, '-g', 'daemon off;'];
      },
      () => readIfExists(errorLogPath),
    );
    return {
      ...started,
      url: `http://127.0.0.1:${started.port}`,
      dir,
      accessLog: () => readIfExists(accessLogPath).split('\n').filter(Boolean),
      errorLog: () => readIfExists(errorLogPath),
      async stop() {
        await started.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface TinyproxyOptions {
  /** Require HTTP Basic authentication from clients (tinyproxy's `BasicAuth user password`): others get a 407. */
  basicAuth?: { user: string; password: string };
}

export interface Tinyproxy extends Instance {
  /** The Via name tinyproxy puts in the `via` header it adds to forwarded requests. */
  readonly viaName: string;
  /** The log so far. */
  log(): string;
}

/**
 * tinyproxy as a forward HTTP proxy on 127.0.0.1 (`tinyproxy -d -c CONF`), allowing only 127.0.0.1 clients, logging
 * every request line. As root, tinyproxy 1.11 runs without `User`/`Group` (it warns "You SHOULD set a UserName" and
 * keeps the current user), so the log file in our temp dir stays writable; none is set.
 */
export async function startTinyproxy(options: TinyproxyOptions = {}): Promise<Tinyproxy> {
  const bin = requireBinary('tinyproxy');
  const dir = await mkdtemp(join(tmpdir(), 'aymara-tinyproxy-'));
  const conf = join(dir, 'tinyproxy.conf');
  const logPath = join(dir, 'tinyproxy.log');
  const viaName = 'aymara-test-tinyproxy';
  const config = (port: number) =>
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Allow 127.0.0.1',
      `LogFile ${q(logPath)}`,
      'LogLevel Info',
      'MaxClients 20',
      'Timeout 30',
      `ViaProxyName ${q(viaName)}`,
      ...(options.basicAuth ? [`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`] : []),
      '',
    ].join('\n');
  try {
    const started = await spawnListening(
      'tinyproxy',
      dir,
      bin,
      (port) => {
        writeFileSync(conf, config(port));
        return ['-d', '-c', conf];
      },
      () => readIfExists(logPath),
    );
    return {
      ...started,
      url: `http://127.0.0.1:${started.port}`,
      dir,
      viaName,
      log: () => readIfExists(logPath),
      async stop() {
        await started.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface StallingServer {
  /** `127.0.0.1:PORT`, for nginx's `upstream`. */
  readonly hostPort: string;
  /** Requests received (none is ever answered). */
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

/** A node:http upstream on 127.0.0.1 that reads each request and never answers it. */
export async function startStallingServer(): Promise<StallingServer> {
  const requests: IncomingMessage[] = [];
  const sockets = new Set<Socket>();
  const server = createHTTPServer((req) => {
    requests.push(req);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hostPort: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A collecting logger for the client: what it warned about (retries), without printing. */
export function collectingLogger(): { warnings: string[]; logger: { error(m: string): void; warn(m: string): void; info(): void; debug(): void } } {
  const warnings: string[] = [];
  return {
    warnings,
    logger: {
      error: (m) => warnings.push(m),
      warn: (m) => warnings.push(m),
      info: () => undefined,
      debug: () => undefined,
    },
  };
}

/**
 * A host that is not loopback to the SDK, so proxy variables apply to it (loopback base URLs always go direct), yet
 * never leaves the machine: the unspecified address 0.0.0.0, which Linux connects over loopback. The page server
 * listens on 127.0.0.1 and is named by this host in its URL. Tests send nothing to any other address.
 */
export const NOT_LOOPBACK_HOST = '0.0.0.0';

export interface PageServer {
  /** `http://HOST:PORT` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Every request received, with its headers. */
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

/** A node:http server on `host` that answers every request with the same valid page of `items` prompt UUIDs. */
export async function startPageServer(host: string, items = 2): Promise<PageServer> {
  // 0.0.0.0 names this machine: listen on loopback, never on every interface.
  const listenHost = host === NOT_LOOPBACK_HOST ? '127.0.0.1' : host;
  const body = JSON.stringify({ items: Array.from({ length: items }, (_, i) => ({ prompt_uuid: `p-${i}` })), count: items });
  const requests: IncomingMessage[] = [];
  const sockets = new Set<Socket>();
  const server = createHTTPServer((req, res) => {
    requests.push(req);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, listenHost, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    host,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
