/**
 * A port fetch refuses outright (the Fetch standard's bad ports: 1, 9, 6000...) fails at once, with a message that
 * says what to do, and is not retried: no attempt could succeed.
 */
import { describe, expect, it } from 'vitest';
import { AymaraAI, AymaraInputError, type Middleware } from 'aymara-ai';
import { rejectionOf } from '../helpers/server.js';

describe('a base URL on a port fetch refuses', () => {
  it.each([9, 1, 6000])('port %i: an AymaraInputError naming the port, after one attempt', async (port) => {
    let attempts = 0;
    const count: Middleware = (request, next) => {
      attempts += 1;
      return next(request);
    };
    const client = new AymaraAI({ apiKey: 'k', baseURL: `http://127.0.0.1:${port}`, maxRetries: 2, middleware: [count] });
    const error = await rejectionOf(client.evals.runs.get('run-1'));
    expect(error).toBeInstanceOf(AymaraInputError);
    expect((error as Error).message).toContain(`port ${port}`);
    expect((error as Error).message).toMatch(/another port/);
    expect(attempts).toBe(1);
    await client.close();
  });
});
