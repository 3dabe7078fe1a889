/**
 * Every AymaraInputError the CLI can meet, made by the SDK itself (so a change of its wording shows here), as the
 * CLI tells it: in flags and environment variables, never the SDK's option names.
 */
import { AymaraAI, AymaraInputError } from 'aymara-ai';
import { describe, expect, it } from 'vitest';
import { baseURLSource, inCliTerms } from '../src/cli/sdk-messages.js';

/** The message of the AymaraInputError `make` throws or rejects with. */
async function sdkMessage(make: () => unknown): Promise<string> {
  try {
    await make();
  } catch (error) {
    expect(error).toBeInstanceOf(AymaraInputError);
    return (error as Error).message;
  }
  throw new Error('expected an AymaraInputError');
}

// (`eval_run_uuid` is the CLI's own name of the operand too.)
const SDK_NAMES = /`|\b(baseURL|apiKey|allowInsecureHTTP|timeout|maxRetries|limit|workspace_uuid)\b/;

describe('inCliTerms', () => {
  const client = () => new AymaraAI({ apiKey: 'k', baseURL: 'http://127.0.0.1:1', maxRetries: 0 });

  it.each<[string, () => unknown, string]>([
    ['an invalid base URL', () => new AymaraAI({ apiKey: 'k', baseURL: 'not a url' }), '--base-url is not a valid URL: "not a url"'],
    ['a base URL that is not http(s)', () => new AymaraAI({ apiKey: 'k', baseURL: 'ftp://x.example' }), '--base-url must be an http(s) URL; got ftp:'],
    ['credentials in the base URL', () => new AymaraAI({ apiKey: 'k', baseURL: 'https://u:p@x.example' }), '--base-url must not contain credentials'],
    ['a query in the base URL', () => new AymaraAI({ apiKey: 'k', baseURL: 'https://x.example/?q' }), '--base-url must not contain a query or fragment'],
    [
      'plain http to a host that is not loopback',
      () => new AymaraAI({ apiKey: 'k', baseURL: 'http://x.example' }),
      '--base-url http://x.example is not https: the CLI sends your key only over https; http only to a loopback host (localhost, 127.0.0.1, ::1)',
    ],
    ['a key with a line break', () => new AymaraAI({ apiKey: 'a\nb', baseURL: 'https://x.example' }), 'AYMARA_AI_API_KEY must not contain CR or LF'],
    [
      'a key HTTP cannot carry',
      () => new AymaraAI({ apiKey: 'a\u0001b', baseURL: 'https://x.example' }),
      'AYMARA_AI_API_KEY has characters HTTP does not allow in a header value',
    ],
    ['a run UUID of ..', () => client().evals.runs.get('..'), 'a run UUID (<eval_run_uuid>, <baseline_run>, <candidate_run>) must not be ".."'],
    ['an eval UUID of ..', () => client().evals.get('..'), 'the eval_uuid of a run, as the API gave it, must not be ".."'],
    ['a page size of 0', () => client().evals.runs.listResponses('r', { limit: 0 }), '--page-size must be an integer >= 1 (got 0)'],
    ['an empty workspace', () => client().evals.runs.listResponses('r', { workspace_uuid: '' }), '--workspace must be a non-empty string (got "")'],
  ])('%s', async (_name, make, expected) => {
    const message = await sdkMessage(make);
    const shown = inCliTerms(message, '--base-url');
    expect(shown).toBe(expected);
    expect(shown).not.toMatch(SDK_NAMES);
  });

  it('names the variable when the base URL came from it', async () => {
    const message = await sdkMessage(() => new AymaraAI({ apiKey: 'k', baseURL: 'http://x.example' }));
    expect(inCliTerms(message, 'AYMARA_AI_BASE_URL')).toMatch(/^AYMARA_AI_BASE_URL http:\/\/x\.example is not https: /);
    expect(baseURLSource('https://a.example', 'https://b.example')).toBe('--base-url');
    expect(baseURLSource(undefined, 'https://b.example')).toBe('AYMARA_AI_BASE_URL');
    expect(baseURLSource(undefined, '')).toBe('the default base URL');
  });

  it('a port fetch refuses names where the port came from', () => {
    const sdk = 'Request not sent: fetch refuses to connect to port 9 (a port the Fetch standard blocks); use another port in the base URL';
    expect(inCliTerms(sdk, 'AYMARA_AI_BASE_URL')).toBe(
      'Request not sent: fetch refuses to connect to port 9 (a port the Fetch standard blocks); use another port in AYMARA_AI_BASE_URL',
    );
  });
});
