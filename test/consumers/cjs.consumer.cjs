// A CommonJS consumer of the packed package: `require()` of the main entry and of `aymara-ai/testing`.
// Run by run.mjs from a fresh folder outside the repo on Node 22/24/26, Bun and Deno.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS consumer is the point of this file */
const assert = require('node:assert/strict');
const aymara = require('aymara-ai');
const { generateResponses, startMockServer } = require('aymara-ai/testing');
const { checkRepeatedParses } = require('./repeated-parses.cjs');

const { AymaraAI, NotFoundError, VERSION } = aymara;
const RUN = '3f1c9a52-consumer-cjs';
const TOTAL = 250;
const runtime = globalThis.Bun ? `bun ${globalThis.Bun.version}` : globalThis.Deno ? `deno ${globalThis.Deno.version.deno}` : `node ${process.versions.node}`;

/** Wraps the global fetch, as msw or nock do, and counts the calls that go through it. */
function countGlobalFetch() {
  const realFetch = globalThis.fetch;
  const counter = { calls: 0, restore: () => (globalThis.fetch = realFetch) };
  globalThis.fetch = (input, init) => {
    counter.calls += 1;
    return realFetch(input, init);
  };
  return counter;
}

async function main() {
  assert.equal(typeof AymaraAI, 'function');
  assert.equal(aymara.default, AymaraAI, 'the default export is the AymaraAI class');
  assert.ok(require.resolve('aymara-ai').endsWith('index.cjs'), 'require() resolves to the CommonJS build');
  const server = await startMockServer({ fixtures: { apiKey: 'consumer-key', runs: { [RUN]: { responses: generateResponses(TOTAL) } } } });
  try {
    const client = new AymaraAI({ apiKey: 'consumer-key', baseURL: server.url, maxRetries: 0 });
    // Wrapped after the client was made: the SDK looks the global fetch up at each request, so it sees them all.
    const globalFetch = countGlobalFetch();
    const page = await client.evals.runs.listResponses(RUN, { limit: 100 });
    assert.equal(page.items.length, 100);
    assert.equal(page.count, TOTAL);

    const seen = new Set();
    for await (const response of client.evals.runs.listResponses(RUN, { limit: 100 })) seen.add(response.prompt_uuid);
    assert.equal(seen.size, TOTAL);

    await assert.rejects(client.evals.runs.listResponses('no-such-run'), (error) => error instanceof NotFoundError && error.status === 404);
    await client.close();
    globalFetch.restore();
    const connections = new Set(server.api.requests.map((request) => request.connection)).size;
    const requests = server.api.requests.length;

    // The same pages parsed again and again, as zod's compiled parser takes over: nothing may change.
    const repeatedParses = await checkRepeatedParses(AymaraAI, server, RUN);
    console.log(
      JSON.stringify({
        consumer: 'cjs',
        runtime,
        version: VERSION,
        firstPage: page.items.length,
        count: page.count,
        iterated: seen.size,
        requests,
        globalFetchCalls: globalFetch.calls,
        connections,
        repeatedParses,
      }),
    );
  } finally {
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
