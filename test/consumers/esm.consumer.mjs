// An ESM consumer of the packed package: run by run.mjs from a fresh folder outside the repo, on Node 22/24/26,
// Bun and Deno. It imports only the published entry points, as a user's app would.
import assert from 'node:assert/strict';
import AymaraAIDefault, { AymaraAI, NotFoundError, VERSION } from 'aymara-ai';
import { generateResponses, startMockServer } from 'aymara-ai/testing';

const RUN = '3f1c9a52-consumer-esm';
const TOTAL = 250;
const runtime = globalThis.Bun ? `bun ${globalThis.Bun.version}` : globalThis.Deno ? `deno ${globalThis.Deno.version.deno}` : `node ${process.versions.node}`;

// Node's built-in fetch sends `sec-fetch-mode`; undici's `dispatcher.request()` (the SDK's default transport on
// Node, loaded from node_modules) does not. Counted so run.mjs can check that undici really carried requests.
function undiciRequests(server) {
  return server.api.requests.filter((request) => !('sec-fetch-mode' in request.headers)).length;
}

const server = await startMockServer({ fixtures: { apiKey: 'consumer-key', runs: { [RUN]: { responses: generateResponses(TOTAL) } } } });
try {
  assert.equal(AymaraAIDefault, AymaraAI, 'the default export is the AymaraAI class');
  assert.match(VERSION, /^\d+\.\d+\.\d+/);
  const client = new AymaraAI({ apiKey: 'consumer-key', baseURL: server.url, maxRetries: 0 });

  const page = await client.evals.runs.listResponses(RUN, { limit: 100 });
  assert.equal(page.items.length, 100);
  assert.equal(page.count, TOTAL);
  assert.equal(typeof page.items[0]?.prompt_uuid, 'string');

  const seen = new Set();
  for await (const response of client.evals.runs.listResponses(RUN, { limit: 100 })) seen.add(response.prompt_uuid);
  assert.equal(seen.size, TOTAL);

  await assert.rejects(client.evals.runs.listResponses('no-such-run'), (error) => error instanceof NotFoundError && error.status === 404);
  assert.equal(server.api.requests.length, 5, 'one page, three pages, one 404');
  await client.close();
  console.log(JSON.stringify({ consumer: 'esm', runtime, version: VERSION, firstPage: page.items.length, count: page.count, iterated: seen.size, undiciRequests: undiciRequests(server), requests: server.api.requests.length }));
} finally {
  await server.close();
}
