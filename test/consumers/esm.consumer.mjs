// An ESM consumer of the packed package: run by run.mjs from a fresh folder outside the repo, on Node 22/24/26,
// Bun and Deno. It imports only the published entry points, as a user's app would.
import assert from 'node:assert/strict';
import AymaraAIDefault, { AymaraAI, NotFoundError, VERSION } from 'aymara-ai';
import { generateResponses, startMockServer } from 'aymara-ai/testing';
import { checkRepeatedParses } from './repeated-parses.cjs';

const RUN = '3f1c9a52-consumer-esm';
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

const distinctConnections = (requests) => new Set(requests.map((request) => request.connection)).size;

const server = await startMockServer({ fixtures: { apiKey: 'consumer-key', runs: { [RUN]: { responses: generateResponses(TOTAL) } } } });
try {
  assert.equal(AymaraAIDefault, AymaraAI, 'the default export is the AymaraAI class');
  assert.match(VERSION, /^\d+\.\d+\.\d+/);
  const client = new AymaraAI({ apiKey: 'consumer-key', baseURL: server.url, maxRetries: 0 });
  // Wrapped after the client was made: the SDK looks the global fetch up at each request, so it sees them all.
  const globalFetch = countGlobalFetch();

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
  globalFetch.restore();
  const requests = server.api.requests.length;
  const connections = distinctConnections(server.api.requests);

  // On Node, a dispatcher the app brings from its own undici carries the requests instead of the global fetch.
  let dispatcher;
  if (runtime.startsWith('node ')) {
    const { Agent } = await import('undici');
    const agent = new Agent();
    const viaAgent = new AymaraAI({ apiKey: 'consumer-key', baseURL: server.url, maxRetries: 0, dispatcher: agent });
    const watched = countGlobalFetch();
    let iterated = 0;
    for await (const response of viaAgent.evals.runs.listResponses(RUN, { limit: 100 })) if (response.prompt_uuid) iterated++;
    watched.restore();
    await viaAgent.close();
    await agent.close(); // the client leaves a dispatcher it was given open
    dispatcher = { iterated, requests: server.api.requests.length - requests, globalFetchCalls: watched.calls };
  }
  // The same pages parsed again and again, as zod's compiled parser takes over: nothing may change.
  const repeatedParses = await checkRepeatedParses(AymaraAI, server, RUN);
  console.log(
    JSON.stringify({
      consumer: 'esm',
      runtime,
      version: VERSION,
      firstPage: page.items.length,
      count: page.count,
      iterated: seen.size,
      requests,
      globalFetchCalls: globalFetch.calls,
      connections,
      dispatcher,
      repeatedParses,
    }),
  );
} finally {
  await server.close();
}
