/**
 * A mock of the few GitHub REST API endpoints `--pr-comment` uses (list, create and update a pull request's issue
 * comments), on loopback. It checks the token and the headers GitHub asks for, answers 403 to a token without write
 * permission, and records every request and comment.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MockComment {
  id: number;
  body: string;
  user: { login: string; type: string };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface MockGitHub {
  url: string;
  repository: string;
  /** Comments by pull request number. */
  comments: Map<number, MockComment[]>;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface MockGitHubOptions {
  repository: string;
  /** Tokens the API accepts, with what they may do. */
  tokens: Record<string, 'write' | 'read'>;
  /** Comments already on pull requests: by number, how many unrelated ones (to make the list several pages long). */
  existing?: Record<number, number>;
}

export async function startMockGitHub(options: MockGitHubOptions): Promise<MockGitHub> {
  const comments = new Map<number, MockComment[]>();
  let nextId = 1000;
  for (const [number, count] of Object.entries(options.existing ?? {})) {
    comments.set(
      Number(number),
      Array.from({ length: count }, (_, i) => ({ id: nextId++, body: `a reviewer's comment ${i}`, user: { login: 'reviewer', type: 'User' } })),
    );
  }
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      };
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const grant = token === undefined ? undefined : options.tokens[token];
      if (grant === undefined) return send(401, { message: 'Bad credentials' });
      if (req.headers.accept !== 'application/vnd.github+json' || req.headers['x-github-api-version'] !== '2022-11-28') {
        return send(400, { message: 'the accept and x-github-api-version headers GitHub asks for are missing' });
      }
      const url = new URL(req.url ?? '/', 'http://mock');
      const prefix = `/repos/${options.repository}/issues/`;
      if (!url.pathname.startsWith(prefix)) return send(404, { message: 'Not Found' });
      const list = /^(\d+)\/comments$/.exec(url.pathname.slice(prefix.length));
      const one = /^comments\/(\d+)$/.exec(url.pathname.slice(prefix.length));
      if (list && req.method === 'GET') {
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        const all = comments.get(Number(list[1])) ?? [];
        return send(200, all.slice((page - 1) * perPage, page * perPage));
      }
      if ((list && req.method === 'POST') || (one && req.method === 'PATCH')) {
        if (grant !== 'write') return send(403, { message: 'Resource not accessible by integration' });
        const text = (JSON.parse(body) as { body?: unknown }).body;
        if (typeof text !== 'string') return send(422, { message: 'body is required' });
        if (list) {
          const comment = { id: nextId++, body: text, user: { login: 'github-actions[bot]', type: 'Bot' } };
          comments.set(Number(list[1]), [...(comments.get(Number(list[1])) ?? []), comment]);
          return send(201, comment);
        }
        const found = [...comments.values()].flat().find((c) => c.id === Number(one?.[1]));
        if (!found) return send(404, { message: 'Not Found' });
        found.body = text;
        return send(200, found);
      }
      return send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    repository: options.repository,
    comments,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
