// The network bench's API server: HTTPS (TLS 1.3 only, HTTP/1.1, keep-alive) on 127.0.0.1, serving
// GET /v2/eval-runs/{run}/responses?limit=100&offset=N as `{items, count}` pages from memory, each page
// precompressed once (brotli and gzip) so that a request costs the server a lookup. It answers with brotli when
// the request's accept-encoding allows it, else gzip, else the plain JSON, as CDNs in front of APIs do.
//
// Started by bench/network.mjs with fork(): arguments --cert, --key (the TLS key file), --responses,
// --page-size, --run, --api-key. It sends {type: 'listening', port, sizes, perPage} once listening; on
// {type: 'stats'} it answers with the counts since the last {type: 'reset'}: requests, requests per
// content-encoding and body bytes. It exits when its parent goes.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { parseArgs } from 'node:util';
import { buildPages } from './data.mjs';

const { values: args } = parseArgs({
  options: {
    cert: { type: 'string' },
    key: { type: 'string' },
    responses: { type: 'string', default: '10000' },
    'page-size': { type: 'string', default: '100' },
    run: { type: 'string', default: 'bench-run' },
    'api-key': { type: 'string', default: 'bench-key' },
  },
});
const total = Number(args.responses);
const pageSize = Number(args['page-size']);
const runPath = `/v2/eval-runs/${encodeURIComponent(args.run)}/responses`;
const { pages, itemBytes } = buildPages(total, pageSize);

let stats;
function reset() {
  stats = { requests: 0, encodings: {}, bodyBytes: 0 };
}
reset();

/** The encoding to send: brotli if allowed, else gzip, else none. A q=0 entry forbids its coding. */
function chooseEncoding(header) {
  if (!header) return 'identity';
  const allowed = new Set();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    allowed.add(name.trim());
  }
  if (allowed.has('br')) return 'br';
  if (allowed.has('gzip') || allowed.has('x-gzip')) return 'gzip';
  return 'identity';
}

function send(res, status, body, encoding, requestId) {
  const headers = { 'content-type': 'application/json', 'content-length': body.length, vary: 'accept-encoding', 'x-request-id': requestId };
  if (encoding !== 'identity') headers['content-encoding'] = encoding;
  res.writeHead(status, headers);
  res.end(body);
}

function error(status, code, message) {
  return Buffer.from(JSON.stringify({ error: { code, message, details: {} }, request_id: `bench-${status}` }));
}

const server = createServer({ key: readFileSync(args.key), cert: readFileSync(args.cert), minVersion: 'TLSv1.3', keepAliveTimeout: 65_000 }, (req, res) => {
  stats.requests++;
  const requestId = `req_${String(stats.requests).padStart(6, '0')}`;
  const q = req.url.indexOf('?');
  const path = q === -1 ? req.url : req.url.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : req.url.slice(q + 1));
  if (req.headers['x-api-key'] !== args['api-key']) return send(res, 401, error(401, 'auth.invalid_key', 'Invalid API key'), 'identity', requestId);
  if (req.method !== 'GET' || path !== runPath)
    return send(res, 404, error(404, 'resource.not_found', `No route ${req.method} ${path}`), 'identity', requestId);
  const limit = query.has('limit') ? Number(query.get('limit')) : 100;
  const offset = query.has('offset') ? Number(query.get('offset')) : 0;
  const page = limit === pageSize ? pages.get(Math.min(offset, total)) : undefined;
  if (!page)
    return send(
      res,
      400,
      error(400, 'validation.invalid_request', `this bench server serves limit=${pageSize} at multiples of it only`),
      'identity',
      requestId,
    );
  const encoding = chooseEncoding(req.headers['accept-encoding']);
  const body = page[encoding];
  stats.encodings[encoding] = (stats.encodings[encoding] ?? 0) + 1;
  stats.bodyBytes += body.length;
  send(res, 200, body, encoding, requestId);
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

server.listen(0, '127.0.0.1', () => {
  const sizes = { identity: 0, gzip: 0, br: 0, pages: 0, itemBytes: Math.round(itemBytes) };
  const perPage = { identity: [], gzip: [], br: [] };
  for (const [offset, page] of pages) {
    if (offset >= total) continue;
    sizes.pages++;
    for (const encoding of ['identity', 'gzip', 'br']) {
      sizes[encoding] += page[encoding].length;
      perPage[encoding].push(page[encoding].length);
    }
  }
  process.send({ type: 'listening', port: server.address().port, sizes, perPage });
});

process.on('message', (message) => {
  if (message?.type === 'reset') {
    reset();
    process.send({ type: 'reset' });
  } else if (message?.type === 'stats') process.send({ type: 'stats', stats });
});
process.on('disconnect', () => process.exit(0));
