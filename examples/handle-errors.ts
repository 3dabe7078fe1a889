/**
 * What each failure looks like, and how to tell them apart.
 *
 *   AYMARA_AI_API_KEY=... npx tsx examples/handle-errors.ts <eval_run_uuid>
 *
 * `npm run demo` runs it against the bundled mock API.
 */
import { createServer } from 'node:net';
import { AymaraAI, AymaraAPIError, AymaraConnectionError, AymaraError, AymaraInputError, AuthenticationError, NotFoundError } from 'aymara-ai';

const evalRunUUID = process.argv[2] ?? process.env.AYMARA_AI_EVAL_RUN_UUID ?? 'some-run';

async function attempt(label: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
    console.log(`${label}: ok`);
  } catch (error) {
    if (error instanceof AymaraInputError) console.log(`${label}: bad input, nothing sent: ${error.message}`);
    else if (error instanceof NotFoundError) console.log(`${label}: not found (${error.status} ${error.code}, request id ${error.requestId})`);
    else if (error instanceof AuthenticationError) console.log(`${label}: check your API key (${error.status} ${error.code})`);
    else if (error instanceof AymaraAPIError) console.log(`${label}: API error ${error.status} ${error.code ?? ''}: ${error.message}`);
    else if (error instanceof AymaraConnectionError) console.log(`${label}: network problem (${error.name}): ${error.message}`);
    else if (error instanceof AymaraError) console.log(`${label}: ${error.name}: ${error.message}`);
    else throw error;
  }
}

await using client = new AymaraAI({ maxRetries: 1 });

await attempt('A run that exists', () => client.evals.runs.listResponses(evalRunUUID, { limit: 1 }));
await attempt('A run that does not', () => client.evals.runs.listResponses('no-such-run'));
await attempt('A bad limit', () => client.evals.runs.listResponses(evalRunUUID, { limit: 0 }));
await attempt('A wrong key', async () => {
  await using other = new AymaraAI({ apiKey: 'not-the-key' });
  await other.evals.runs.listResponses(evalRunUUID);
});
/** A loopback port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

await attempt('Nobody listening', async () => {
  await using offline = new AymaraAI({ baseURL: `http://127.0.0.1:${await closedPort()}`, maxRetries: 0, timeout: 2_000 });
  await offline.evals.runs.listResponses(evalRunUUID);
});
await attempt('Aborted by the caller', () => client.evals.runs.listResponses(evalRunUUID, {}, { signal: AbortSignal.abort() }));
