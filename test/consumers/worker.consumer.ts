// A Cloudflare Worker that uses the packed package. run.mjs bundles it with esbuild under the export conditions
// workerd/worker/browser (so it gets the edge build: global fetch, no undici, no node: modules), runs it in
// workerd through Miniflare against the loopback mock API, and type-checks it without @types/node.
import { AymaraAI, NotFoundError, VERSION } from 'aymara-ai';

export interface Env {
  API_KEY: string;
  BASE_URL: string;
  RUN: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const client = new AymaraAI({ apiKey: env.API_KEY, baseURL: env.BASE_URL, maxRetries: 0 });
    const page = await client.evals.runs.listResponses(env.RUN, { limit: 100 });
    let iterated = 0;
    for await (const response of client.evals.runs.listResponses(env.RUN, { limit: 100 })) if (response.prompt_uuid) iterated++;
    const notFound = await client.evals.runs.listResponses('no-such-run').then(
      () => 'resolved',
      (error: unknown) => (error instanceof NotFoundError ? `${error.status} ${error.code ?? ''}` : String(error)),
    );
    await client.close();
    return Response.json({
      version: VERSION,
      url: new URL(request.url).pathname,
      count: page.count,
      firstPage: page.items.length,
      first: page.items[0]?.prompt_uuid,
      iterated,
      notFound,
      hasProcess: typeof (globalThis as { process?: unknown }).process !== 'undefined',
      userAgent: typeof navigator === 'undefined' ? null : navigator.userAgent,
    });
  },
};
