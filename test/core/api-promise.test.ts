/**
 * What every call returns: an APIPromise. `await` gives the parsed data, `.withResponse()` the data with the HTTP
 * response and request id, `.asResponse()` the raw response with its body unread and unparsed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AymaraResponseValidationError, NotFoundError, OffsetPage, type AymaraAI } from 'aymara-ai';
import { generateResponses } from 'aymara-ai/testing';
import { BACKENDS, rejectionOf, type Backend } from './backends.js';

const RUN = 'run-api-promise';
const WORKSPACE = 'ws-api-promise';
const RESPONSES = generateResponses(30, 41);

describe.each(BACKENDS)('APIPromise against the $name', ({ start }) => {
  let backend: Backend;
  let client: AymaraAI;

  beforeAll(async () => {
    backend = await start({ apiKey: 'core-key', runs: { [RUN]: { workspace_uuid: WORKSPACE, status: 'finished', responses: RESPONSES } } });
    client = backend.client({ maxRetries: 0 });
  });
  afterEach(() => backend.api.reset());
  afterAll(() => backend.close());

  describe('runs.get', () => {
    it('await gives the parsed run', async () => {
      const run = await client.evals.runs.get(RUN, { workspace_uuid: WORKSPACE });
      expect(run).toMatchObject({ eval_run_uuid: RUN, status: 'finished', workspace_uuid: WORKSPACE, num_prompts: 30 });
      expect(backend.api.requests).toHaveLength(1);
    });

    it('.withResponse() gives the data, a WHATWG Response with readable headers, and the request id', async () => {
      const { data, response, requestId } = await client.evals.runs.get(RUN).withResponse();
      expect(data).toMatchObject({ eval_run_uuid: RUN, status: 'finished' });
      expect(response).toBeInstanceOf(Response);
      expect(response.status).toBe(200);
      expect(response.ok).toBe(true);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(requestId).toMatch(/^req_mock_\d+$/);
      expect(response.headers.get('x-request-id')).toBe(requestId);
    });

    it('.asResponse() gives the raw response, body unread, which the caller can read as JSON', async () => {
      const response = await client.evals.runs.get(RUN).asResponse();
      expect(response).toBeInstanceOf(Response);
      expect(response.status).toBe(200);
      expect(response.bodyUsed).toBe(false);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ eval_run_uuid: RUN, status: 'finished', num_prompts: 30 });
    });

    it('.asResponse() does not parse: a body that breaks the schema comes back as sent, while await rejects it', async () => {
      const broken = JSON.stringify({ eval_run_uuid: 42, status: ['not', 'a', 'string'], extra: true });
      backend.api.inject({ body: broken, times: 2, match: { route: 'run' } });
      const response = await client.evals.runs.get(RUN).asResponse();
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(broken);
      expect(await rejectionOf(client.evals.runs.get(RUN))).toBeInstanceOf(AymaraResponseValidationError);
    });

    it('one call sends one request, however many ways it is read', async () => {
      const call = client.evals.runs.get(RUN);
      const data = await call;
      const withResponse = await call.withResponse();
      const raw = await call.asResponse();
      expect(withResponse.data).toEqual(data);
      expect(((await raw.json()) as { eval_run_uuid: string }).eval_run_uuid).toBe(RUN);
      expect(backend.api.requests).toHaveLength(1);
    });

    it('the body is parsed once: await and .withResponse() give the same object, in either order, and again', async () => {
      const first = client.evals.runs.get(RUN);
      const data = await first;
      expect((await first.withResponse()).data).toBe(data);
      expect(await first).toBe(data);
      const second = client.evals.runs.get(RUN);
      const { data: viaResponse } = await second.withResponse();
      expect(await second).toBe(viaResponse);
      expect(await second.withResponse()).toBe(await second.withResponse());
    });

    it('an error status rejects await, .withResponse() and .asResponse() alike', async () => {
      const call = client.evals.runs.get('no-such-run');
      expect(await rejectionOf(call)).toBeInstanceOf(NotFoundError);
      expect(await rejectionOf(call.withResponse())).toBeInstanceOf(NotFoundError);
      expect(await rejectionOf(call.asResponse())).toBeInstanceOf(NotFoundError);
      expect(backend.api.requests).toHaveLength(1);
    });
  });

  describe('listResponses', () => {
    it('await gives the first page', async () => {
      const page = await client.evals.runs.listResponses(RUN, { limit: 10 });
      expect(page).toBeInstanceOf(OffsetPage);
      expect(page.items.map((r) => r.prompt_uuid)).toEqual(RESPONSES.slice(0, 10).map((r) => r.prompt_uuid));
      expect(page.count).toBe(30);
    });

    it('.withResponse() gives the page, a WHATWG Response with readable headers, and the request id', async () => {
      const { data, response, requestId } = await client.evals.runs.listResponses(RUN, { limit: 5, offset: 5 }).withResponse();
      expect(data.items.map((r) => r.prompt_uuid)).toEqual(RESPONSES.slice(5, 10).map((r) => r.prompt_uuid));
      expect(data.offset).toBe(5);
      expect(response).toBeInstanceOf(Response);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      expect(requestId).toMatch(/^req_mock_\d+$/);
      expect(response.headers.get('x-request-id')).toBe(requestId);
    });

    it('.asResponse() gives the raw page, body unread: the items exactly as the API sent them', async () => {
      const response = await client.evals.runs.listResponses(RUN, { limit: 3 }).asResponse();
      expect(response.bodyUsed).toBe(false);
      expect(await response.json()).toEqual({ items: RESPONSES.slice(0, 3), count: 30 });
    });

    it('.asResponse() does not parse: a page that breaks the schema comes back as sent, while await rejects it', async () => {
      const broken = { items: [{ prompt_uuid: 7, is_passed: 'yes' }], count: 'many', next_cursor: null };
      backend.api.inject({ body: JSON.stringify(broken), times: 2, match: { route: 'responses' } });
      const response = await client.evals.runs.listResponses(RUN).asResponse();
      expect(await response.json()).toEqual(broken);
      const error = await rejectionOf(client.evals.runs.listResponses(RUN));
      expect(error).toBeInstanceOf(AymaraResponseValidationError);
    });

    it('.withResponse() on a list keeps working as a list: the page it gives walks on to the next', async () => {
      const { data } = await client.evals.runs.listResponses(RUN, { limit: 20 }).withResponse();
      expect(data.hasNextPage()).toBe(true);
      const next = await data.getNextPage();
      expect(next.items.map((r) => r.prompt_uuid)).toEqual(RESPONSES.slice(20).map((r) => r.prompt_uuid));
    });
  });
});
