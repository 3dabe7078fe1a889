/**
 * `--pr-comment`: the markdown report as a comment on the pull request, one per command and eval, updated in place
 * on every push, so a pull request carries one current report. Whatever goes wrong here is a warning: the exit code
 * is the gate's alone.
 */
import { readFile } from 'node:fs/promises';
import { VERSION } from 'aymara-ai';
import type { GateReport } from '../report-model.js';

/** The events whose payload names a pull request (`pull_request.number`). */
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);

/** Per request to the GitHub API: a stuck API must not hold a build for long. */
const REQUEST_TIMEOUT_MS = 10_000;

/** 100 comments a page (GitHub's maximum); a pull request with more than 5,000 comments gets a new one. */
const PAGE_SIZE = 100;
const MAX_PAGES = 50;

/** GitHub refuses a comment body over 65,536 characters; the clipped report leaves room for the marker and a note. */
const MAX_BODY = 60_000;

export interface PRCommentOptions {
  env: NodeJS.ProcessEnv;
  warn: (message: string) => void;
  /** A note on what was done (comment created or updated). */
  note: (message: string) => void;
}

/**
 * The hidden first line that finds the comment again: the command run (`compare latest` reporting the candidate
 * alone is still `compare`) and the eval, or the run when the eval could not be read. Only URL-safe characters, so
 * server text cannot close the HTML comment.
 */
export function commentMarker(report: GateReport): string {
  const command = report.command === 'summary' && report.noBaseline === undefined ? 'summary' : 'compare';
  const subject = report.eval?.eval_uuid ?? (report.command === 'summary' ? report.run.eval_run_uuid : report.candidate.eval_run_uuid);
  const safe = subject.replace(/[^\w.-]/g, (char) => `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `<!-- aymara-ai:${command}:${safe} -->`;
}

/** The comment's body: the marker, then the report, clipped at a line to fit a comment. */
export function commentBody(marker: string, markdown: string): string {
  if (markdown.length <= MAX_BODY) return `${marker}\n${markdown}`;
  const cut = markdown.lastIndexOf('\n', MAX_BODY);
  const kept = markdown.slice(0, cut > 0 ? cut : MAX_BODY);
  return `${marker}\n${kept}\n\n_The report is clipped to fit a comment: the job summary has all of it._\n`;
}

/** Where and as whom to comment, from the runner's environment; a string says why there is nowhere to. */
interface Target {
  api: string;
  repository: string;
  number: number;
  token: string;
}

async function target(env: NodeJS.ProcessEnv): Promise<Target | string> {
  const event = env.GITHUB_EVENT_NAME ?? '';
  if (!PULL_REQUEST_EVENTS.has(event)) return `this is not a pull request event (GITHUB_EVENT_NAME is ${JSON.stringify(event)})`;
  const token = env.GITHUB_TOKEN ?? '';
  if (token === '') return 'GITHUB_TOKEN is not set (give the step `env: GITHUB_TOKEN: ${{ github.token }}`)';
  // A header value with a line break or a space would be refused by fetch, in an error that quotes the token.
  if (!/^[\x21-\x7e]+$/.test(token)) return 'GITHUB_TOKEN is not a valid token';
  const repository = env.GITHUB_REPOSITORY ?? '';
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository)) return `GITHUB_REPOSITORY is not owner/repo: ${JSON.stringify(repository)}`;
  const api = apiBase(env.GITHUB_API_URL);
  if (api === undefined) return 'GITHUB_API_URL is not an https URL (or http on a loopback address)';
  let number: unknown;
  try {
    const payload = JSON.parse(await readFile(env.GITHUB_EVENT_PATH ?? '', 'utf8')) as { pull_request?: { number?: unknown } };
    number = payload.pull_request?.number;
  } catch {
    return 'the event payload (GITHUB_EVENT_PATH) could not be read';
  }
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number <= 0) return 'the event payload names no pull request';
  return { api, repository, number, token };
}

/** The API's base URL without a trailing slash (GitHub Enterprise Server's has a path, `/api/v3`); https only, but loopback. */
function apiBase(value: string | undefined): string | undefined {
  let url: URL;
  try {
    url = new URL(value || 'https://api.github.com');
  } catch {
    return undefined;
  }
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) return undefined;
  if (url.username || url.password || url.search || url.hash) return undefined;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

class GitHubError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One request to the GitHub API. The token goes only to the API's origin: paths are built here (a `Link` header
 * is not followed) and a redirect is an error, not a request elsewhere.
 */
async function gitHub(t: Target, method: 'GET' | 'POST' | 'PATCH', path: string, body?: { body: string }): Promise<unknown> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${t.token}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': `aymara-ai-cli/${VERSION}`,
  };
  if (body) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${t.api}${path}`, {
      method,
      headers,
      body: body && JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new GitHubError(0, failure(error));
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new GitHubError(response.status, `${method} ${path.replace(/\?.*/, '')} answered HTTP ${response.status}`);
  }
  return response.json();
}

/** Why a request failed, in words that cannot carry the token (fetch's own messages may quote a header). */
function failure(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${REQUEST_TIMEOUT_MS / 1000}s`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? `network error (${cause.code})` : 'network error';
}

interface IssueComment {
  id: number;
  body?: string | null;
}

/** The last comment of the pull request that starts with the marker, reading every page of its comments. */
async function findComment(t: Target, marker: string): Promise<number | undefined> {
  let found: number | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const comments = await gitHub(t, 'GET', `/repos/${t.repository}/issues/${t.number}/comments?per_page=${PAGE_SIZE}&page=${page}`);
    if (!Array.isArray(comments)) throw new GitHubError(0, 'the comments list is not a list');
    for (const comment of comments as IssueComment[]) {
      if (typeof comment.body === 'string' && comment.body.startsWith(marker) && Number.isSafeInteger(comment.id)) found = comment.id;
    }
    if (comments.length < PAGE_SIZE) break;
  }
  return found;
}

/** Posts the report on the pull request, or updates the comment an earlier run posted. Never throws. */
export async function publishPRComment(report: GateReport, markdown: string, { env, warn, note }: PRCommentOptions): Promise<void> {
  const t = await target(env);
  if (typeof t === 'string') {
    warn(`--pr-comment: no comment posted: ${t}`);
    return;
  }
  const marker = commentMarker(report);
  const body = { body: commentBody(marker, markdown) };
  try {
    const existing = await findComment(t, marker);
    if (existing === undefined) {
      await gitHub(t, 'POST', `/repos/${t.repository}/issues/${t.number}/comments`, body);
      note(`posted the report on pull request ${t.number}`);
    } else {
      await gitHub(t, 'PATCH', `/repos/${t.repository}/issues/comments/${existing}`, body);
      note(`updated the report on pull request ${t.number}`);
    }
  } catch (error) {
    const status = error instanceof GitHubError ? error.status : 0;
    const why = error instanceof GitHubError ? error.message : failure(error);
    const hint =
      status === 403 || status === 404
        ? ': the token cannot comment on this pull request (give the job `permissions: pull-requests: write`; a pull request from a fork gets a read-only token)'
        : '';
    warn(`--pr-comment: no comment posted: ${why}${hint}`);
  }
}
