import { makeAPIError, makeRedirectError } from './errors.js';
import type { AymaraRequest, AymaraResponse } from './pipeline.js';

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Sends `request` and follows same-origin redirects (at most 5), each through `send` like the first request. Resolves
 * to a 2xx response; an error status becomes its error. A redirect elsewhere is not followed at all: the key is only
 * ever sent to `origin`. `secrets` are redacted from any error, should a server echo them.
 */
export async function sendFollowingRedirects(
  request: AymaraRequest,
  send: (request: AymaraRequest) => Promise<AymaraResponse>,
  origin: string,
  secrets: readonly string[],
): Promise<AymaraResponse> {
  for (let redirects = 0; ; redirects++) {
    const response = await send(request);
    const { status, headers } = response;
    if (status >= 200 && status < 300) return response;
    const location = headers.location;
    const target = REDIRECT_STATUSES.has(status) && location ? parseURL(location, request.url) : undefined;
    if (!target) throw makeAPIError(status, headers, response.body, secrets);
    if (target.origin !== origin) throw makeRedirectError(status, headers, { kind: 'other-origin', origin: target.origin }, secrets);
    if (target.username || target.password) throw makeRedirectError(status, headers, { kind: 'credentials' }, secrets);
    if (redirects >= MAX_REDIRECTS) throw makeRedirectError(status, headers, { kind: 'too-many', limit: MAX_REDIRECTS }, secrets);
    request = { ...request, url: target.href };
  }
}

function parseURL(location: string, base: string): URL | undefined {
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}
