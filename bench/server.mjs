// The bench's page server, run in its own process so that its work never lands on the client's core.
//
//   node bench/server.mjs --responses 10000 --page-size 100 --latency 25 [--run UUID] [--port 0]
//
// Serves GET /v2/eval-runs/{run}/responses?limit=&offset= like the real API ({items, count}; limit defaults
// to 100 and is capped at 500). Every page body of --page-size (and of the default limit, 100) is serialized
// once at start, keyed by offset/limit, so a request costs the server a map lookup; any other offset/limit is
// built from pre-serialized items on first use and cached. --latency delays every answer by that many ms.
// Prints its port on stdout once listening, and exits when its stdin closes (its parent is gone).
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { generateResponses } from 'aymara-ai/testing';

const { values: args } = parseArgs({
  options: {
    responses: { type: 'string', default: '1000' },
    'page-size': { type: 'string', default: '100' },
    latency: { type: 'string', default: '0' },
    run: { type: 'string', default: 'bench-run' },
    port: { type: 'string', default: '0' },
  },
});
const total = Number(args.responses);
const pageSize = Number(args['page-size']);
const latency = Number(args.latency);
const runPath = `/v2/eval-runs/${encodeURIComponent(args.run)}/responses`;

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

// Each item serialized once; the objects themselves are dropped.
const items = generateResponses(total).map((item) => JSON.stringify(item));

const pages = new Map();
function page(offset, limit) {
  const key = `${offset}/${limit}`;
  let body = pages.get(key);
  if (!body) {
    body = Buffer.from(`{"items":[${items.slice(offset, offset + limit).join(',')}],"count":${total}}`);
    pages.set(key, body);
  }
  return body;
}
for (const size of new Set([pageSize, DEFAULT_LIMIT])) for (let offset = 0; offset < total; offset += size) page(offset, size);
page(total, pageSize); // past the end: {items: [], count}

function error(status, code, message) {
  return Buffer.from(JSON.stringify({ error: { code, message, details: {} }, request_id: `bench-${status}` }));
}

function integer(value, fallback) {
  if (value === null) return fallback;
  return /^\d+$/.test(value) ? Number(value) : NaN;
}

let requestCount = 0;
const server = createServer((req, res) => {
  const q = req.url.indexOf('?');
  const path = q === -1 ? req.url : req.url.slice(0, q);
  const query = new URLSearchParams(q === -1 ? '' : req.url.slice(q + 1));
  let status = 200;
  let body;
  if (req.method !== 'GET' || path !== runPath) {
    status = 404;
    body = error(404, 'resource.not_found', `No route ${req.method} ${path}`);
  } else {
    const limit = integer(query.get('limit'), DEFAULT_LIMIT);
    const offset = integer(query.get('offset'), 0);
    if (!(limit >= 1) || !(offset >= 0)) {
      status = 422;
      body = error(422, 'validation.invalid_request', 'limit must be an integer >= 1 and offset an integer >= 0');
    } else {
      body = page(Math.min(offset, total), Math.min(limit, MAX_LIMIT));
    }
  }
  const headers = { 'content-type': 'application/json', 'content-length': body.length, 'x-request-id': `bench-${++requestCount}` };
  const answer = () => {
    res.writeHead(status, headers);
    res.end(body);
  };
  if (latency > 0) setTimeout(answer, latency);
  else answer();
});
server.keepAliveTimeout = 65_000;

server.listen(Number(args.port), '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
