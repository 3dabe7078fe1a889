// A TypeScript consumer of the packed package. run.mjs copies it into a fresh folder outside the repo as
// main.ts (ESM) and main.cts (CommonJS), type-checks it with `moduleResolution` node16 and bundler against the
// published .d.ts/.d.cts files (skipLibCheck off), and runs the emitted JavaScript on Node 22, 24 and 26.
// Inside the repo, `npm run typecheck` checks it against src/ through the tsconfig paths.
import assert from 'node:assert/strict';
import AymaraAIDefault, {
  AymaraAI,
  AymaraAPIError,
  AymaraError,
  AymaraInputError,
  EvalScoredResponseSchema,
  NotFoundError,
  OffsetPage,
  VERSION,
  type ClientOptions,
  type ErrorCode,
  type EvalScoredResponse,
  type EvalScoredResponsesPage,
  type FileReference,
  type ListResponsesParams,
  type Middleware,
  type RequestOptions,
} from 'aymara-ai';
import { summarizeResponses, type ResponsesSummary } from 'aymara-ai/analysis';
import { generateResponses, startMockServer, type MockFixtures, type MockServer } from 'aymara-ai/testing';

const RUN = '3f1c9a52-consumer-ts';
const WORKSPACE = 'b6a1e7d0-consumer-ws';
const TOTAL = 250;

function describeContent(response: EvalScoredResponse): string {
  const content = response.content;
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '(no content)';
  const file: FileReference = content;
  return file.remote_file_path ?? file.file_uuid ?? '(file)';
}

/** Compile-time checks of the published types as a strict consumer meets them (see test/types for the full set). */
function typeChecks(page: EvalScoredResponsesPage, response: EvalScoredResponse, error: AymaraAPIError): unknown[] {
  return [
    // @ts-expect-error a misspelt field is a compile error, not an `unknown`
    response.is_pased,
    response.manually_updated satisfies boolean | null | undefined,
    response.update_history?.[0]?.answer_history_uuid satisfies string | undefined,
    page.body.items satisfies EvalScoredResponse[],
    error.headers.get('content-type') satisfies string | null,
  ];
}

function describeError(error: unknown): string {
  if (error instanceof NotFoundError) {
    const code: ErrorCode | undefined = error.code;
    return `not found: ${error.status} ${code ?? '-'}`;
  }
  if (error instanceof AymaraAPIError) return `API error ${error.status}`;
  if (error instanceof AymaraError) return error.name;
  return String(error);
}

async function main(): Promise<void> {
  const fixtures: MockFixtures = { apiKey: 'consumer-key', runs: { [RUN]: { workspace_uuid: WORKSPACE, responses: generateResponses(TOTAL) } } };
  const server: MockServer = await startMockServer({ fixtures });
  try {
    assert.equal(AymaraAIDefault, AymaraAI);
    const traced: string[] = [];
    const trace: Middleware = async (request, next) => {
      traced.push(request.url);
      return next({ ...request, headers: { ...request.headers, 'x-consumer': 'ts' } });
    };
    const options: ClientOptions = { apiKey: 'consumer-key', baseURL: server.url, maxRetries: 0, middleware: [trace] };
    const client = new AymaraAI(options);
    // Wrapped after the client was made, as msw or nock do: the SDK looks the global fetch up at each request.
    const realFetch = globalThis.fetch;
    let globalFetchCalls = 0;
    globalThis.fetch = (input, init) => {
      globalFetchCalls += 1;
      return realFetch(input, init);
    };
    const params: ListResponsesParams = { limit: 100, workspace_uuid: WORKSPACE };
    const requestOptions: RequestOptions = { timeout: 10_000, signal: AbortSignal.timeout(30_000), headers: { 'x-trace-id': 'consumer' } };

    // The exported page type is the type of `await listResponses()`, a generic OffsetPage.
    const page: EvalScoredResponsesPage = await client.evals.runs.listResponses(RUN, params, requestOptions);
    const asPage: OffsetPage<EvalScoredResponse> = page;
    assert.equal(asPage.items.length, 100);
    assert.equal(asPage.count, TOTAL);
    assert.equal(page.body.count, TOTAL);
    const first: EvalScoredResponse | undefined = page.items[0];
    assert.ok(first);
    assert.ok(describeContent(first).length > 0);
    assert.equal(EvalScoredResponseSchema.parse(first).prompt_uuid, first.prompt_uuid);

    let iterated = 0;
    for await (const response of client.evals.runs.listResponses(RUN, params)) {
      const passed: boolean | null | undefined = response.is_passed;
      if (passed !== undefined) iterated++;
    }
    assert.equal(iterated, TOTAL);

    const summary: ResponsesSummary = await summarizeResponses(client.evals.runs.listResponses(RUN, params));
    assert.equal(summary.total, TOTAL);

    const notFound = await client.evals.runs.listResponses('no-such-run').then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.equal(describeError(notFound), 'not found: 404 resource.not_found');
    assert.ok(notFound instanceof AymaraAPIError);
    const [, , , bodyItems, contentType] = typeChecks(page, first, notFound);
    assert.equal((bodyItems as unknown[]).length, 100);
    assert.match(String(contentType), /^application\/json/);
    assert.throws(() => new AymaraAI({ apiKey: '' }), AymaraInputError);
    assert.ok(traced.length >= 1 + 3 + 3 + 1);
    await client.close();
    globalThis.fetch = realFetch;
    const connections = new Set(server.api.requests.map((request) => request.connection)).size;
    console.log(
      JSON.stringify({
        consumer: 'ts',
        runtime: `node ${process.versions.node}`,
        version: VERSION,
        firstPage: page.items.length,
        count: page.count,
        iterated,
        requests: server.api.requests.length,
        globalFetchCalls,
        connections,
      }),
    );
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
