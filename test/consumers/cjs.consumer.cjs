// A CommonJS consumer of the packed package: `require()` of the main entry and of `aymara-ai/testing`.
// Run by run.mjs from a fresh folder outside the repo on Node 22/24/26, Bun and Deno.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS consumer is the point of this file */
const assert = require('node:assert/strict');
const aymara = require('aymara-ai');
const { generateResponses, startMockServer } = require('aymara-ai/testing');

const { AymaraAI, NotFoundError, VERSION } = aymara;
const RUN = '3f1c9a52-consumer-cjs';
const TOTAL = 250;
const runtime = globalThis.Bun ? `bun ${globalThis.Bun.version}` : globalThis.Deno ? `deno ${globalThis.Deno.version.deno}` : `node ${process.versions.node}`;

// Node's built-in fetch sends `sec-fetch-mode`; undici's `dispatcher.request()` (the SDK's default transport on
// Node, loaded from node_modules) does not. Counted so run.mjs can check that undici really carried requests.
function undiciRequests(server) {
  return server.api.requests.filter((request) => !('sec-fetch-mode' in request.headers)).length;
}

async function main() {
  assert.equal(typeof AymaraAI, 'function');
  assert.equal(aymara.default, AymaraAI, 'the default export is the AymaraAI class');
  assert.ok(require.resolve('aymara-ai').endsWith('index.cjs'), 'require() resolves to the CommonJS build');
  const server = await startMockServer({ fixtures: { apiKey: 'consumer-key', runs: { [RUN]: { responses: generateResponses(TOTAL) } } } });
  try {
    const client = new AymaraAI({ apiKey: 'consumer-key', baseURL: server.url, maxRetries: 0 });
    const page = await client.evals.runs.listResponses(RUN, { limit: 100 });
    assert.equal(page.items.length, 100);
    assert.equal(page.count, TOTAL);

    const seen = new Set();
    for await (const response of client.evals.runs.listResponses(RUN, { limit: 100 })) seen.add(response.prompt_uuid);
    assert.equal(seen.size, TOTAL);

    await assert.rejects(client.evals.runs.listResponses('no-such-run'), (error) => error instanceof NotFoundError && error.status === 404);
    await client.close();
    console.log(JSON.stringify({ consumer: 'cjs', runtime, version: VERSION, firstPage: page.items.length, count: page.count, iterated: seen.size, undiciRequests: undiciRequests(server), requests: server.api.requests.length }));
  } finally {
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
