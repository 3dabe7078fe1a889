import { ErrorEnvelopeSchema, type ErrorCode, type ErrorEnvelope, type KnownErrorCode } from './error-envelope.js';
import { SECRET_HEADERS, withoutUserinfo } from './headers.js';

/**
 * The root of everything the SDK throws. `catch (e) { if (e instanceof AymaraError) ... }` catches them all.
 * `JSON.stringify(error)` gives its `name`, `message` and fields (never a cause, a stack or a credential).
 */
export class AymaraError extends Error {
  /** The class's name, as a stack trace and `JSON.stringify(error)` show it. */
  override name = 'AymaraError';

  /** What `JSON.stringify` shows: `name`, `message`, then the error's own fields. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) if (!(key in out) && key !== 'cause' && key !== 'stack') out[key] = value;
    return out;
  }
}

/** A bad argument or client option, caught before anything was sent. */
export class AymaraInputError extends AymaraError {
  /** @inheritDoc */
  override name = 'AymaraInputError';
}

/** The request could not be completed: refused, reset, DNS failure, TLS failure. */
export class AymaraConnectionError extends AymaraError {
  /** @inheritDoc */
  override name = 'AymaraConnectionError';
}

/** An attempt took longer than `timeout` (connect, headers and body together). */
export class AymaraTimeoutError extends AymaraConnectionError {
  /** @inheritDoc */
  override name = 'AymaraTimeoutError';
}

/** The caller's `AbortSignal` fired, or the client was closed. Never retried. */
export class AymaraAbortError extends AymaraError {
  /** @inheritDoc */
  override name = 'AymaraAbortError';
}

/** One problem found in a response body. */
export interface ValidationIssue {
  /** Where, as a JSON path: `$.items[3].prompt_uuid`; `$` for the whole body. */
  path: string;
  /** What is wrong there: `missing (expected string)`, `expected number, got string`. */
  message: string;
}

/** A response body that is not valid JSON, does not match the documented schema, or is larger than `maxResponseSize`. */
export class AymaraResponseValidationError extends AymaraError {
  /** @inheritDoc */
  override name = 'AymaraResponseValidationError';
  /** Where in the body the first problem is, as a JSON path (`$.items[3].prompt_uuid`); `$` for the whole body. */
  readonly path: string;
  /** The HTTP status of the response whose body failed (a 2xx). */
  readonly status: number;
  /** The response's `x-request-id`, if it had one: quote it to Aymara support. */
  readonly requestId: string | undefined;
  /** The first few problems (at most 5), however many the body has. */
  readonly issues: readonly ValidationIssue[];
  /** How many problems the body has in all. */
  readonly issueCount: number;

  constructor(
    message: string,
    init: { path: string; status: number; requestId: string | undefined; cause?: unknown; issues?: readonly ValidationIssue[]; issueCount?: number },
  ) {
    super(message, { cause: init.cause });
    this.path = init.path;
    this.status = init.status;
    this.requestId = init.requestId;
    this.issues = init.issues ?? [];
    this.issueCount = init.issueCount ?? this.issues.length;
  }
}

/** Response headers as the pipeline carries them (lower-case names), or a WHATWG `Headers`. */
export type HeadersLike = Headers | Readonly<Record<string, string>>;

/** What an `AymaraAPIError` is made of (the SDK makes them; exported for tests that build one). */
export interface APIErrorInit {
  /** See {@link AymaraAPIError.status}. */
  status: number;
  /** See {@link AymaraAPIError.code}. */
  code: ErrorCode | undefined;
  /** The error's message. */
  message: string;
  /** See {@link AymaraAPIError.details}. */
  details: Record<string, unknown>;
  /** See {@link AymaraAPIError.requestId}. */
  requestId: string | undefined;
  /** The response headers, made a `Headers` for {@link AymaraAPIError.headers}. */
  headers: HeadersLike;
  /** The parsed body, or its text (see `AymaraAPIError.body`). */
  body?: unknown;
}

/** The API answered with an error status. Subclasses name the kind of failure; see `makeAPIError`. */
export class AymaraAPIError extends AymaraError {
  /** @inheritDoc */
  override name = 'AymaraAPIError';
  /** The HTTP status the server (or a proxy in front of it) answered with. */
  readonly status: number;
  /** The envelope's `code`, when the body was the API's error envelope. */
  readonly code: ErrorCode | undefined;
  /** The envelope's `details` (`{}` when absent). */
  readonly details: Record<string, unknown>;
  /** The body's `request_id`, else the `x-request-id` header: quote it to Aymara support. */
  readonly requestId: string | undefined;
  /** The response headers: `error.headers.get('retry-after')`. */
  readonly headers: Headers;
  /**
   * The response body: the parsed JSON when it was JSON (an {@link ErrorEnvelope} when the API sent its envelope),
   * else its text, cut to 64 KiB.
   */
  readonly body: unknown;

  constructor(init: APIErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId;
    this.headers = toHeaders(init.headers);
    this.body = init.body;
  }

  /** Adds the headers (credentials redacted) and the body when it was JSON; a text body (an HTML page, say) is left out. */
  override toJSON(): Record<string, unknown> {
    const headers: Record<string, string> = {};
    for (const [name, value] of this.headers) headers[name] = SECRET_HEADERS.has(name) ? '[redacted]' : value;
    const { body, ...rest } = super.toJSON();
    return { ...rest, headers, ...(typeof body === 'string' ? {} : { body }) };
  }
}

export class BadRequestError extends AymaraAPIError {
  /** @inheritDoc */
  override name = 'BadRequestError';
}
export class AuthenticationError extends AymaraAPIError {
  /** @inheritDoc */
  override name = 'AuthenticationError';
}
export class PermissionDeniedError extends AymaraAPIError {
  /** @inheritDoc */
  override name = 'PermissionDeniedError';
}
export class NotFoundError extends AymaraAPIError {
  /** @inheritDoc */
  override name = 'NotFoundError';
}
export class ConflictError extends AymaraAPIError {
  /** @inheritDoc */
  override name = 'ConflictError';
}
/** A 422. Its own class, not a `BadRequestError`. */
export class UnprocessableEntityError extends AymaraAPIError {
  /** @inheritDoc */
  override name = 'UnprocessableEntityError';
}
export class RateLimitError extends AymaraAPIError {
  /** @inheritDoc */
  override name = 'RateLimitError';
}
export class InternalServerError extends AymaraAPIError {
  /** @inheritDoc */
  override name = 'InternalServerError';
}
export class ServiceUnavailableError extends InternalServerError {
  /** @inheritDoc */
  override name = 'ServiceUnavailableError';
}

type APIErrorClass = new (init: APIErrorInit) => AymaraAPIError;

/** A known code decides the class; otherwise the status does. */
function classFor(code: ErrorCode | undefined, status: number): APIErrorClass {
  // A code this version does not know falls through to the status.
  switch (code as KnownErrorCode | undefined) {
    case 'auth.invalid_key':
    case 'auth.expired_key':
      return AuthenticationError;
    case 'auth.insufficient_permissions':
      return PermissionDeniedError;
    case 'validation.invalid_request':
    case 'validation.invalid_format':
      return status === 422 ? UnprocessableEntityError : BadRequestError;
    case 'resource.not_found':
      return NotFoundError;
    case 'resource.conflict':
      return ConflictError;
    case 'quota.limit_exceeded':
      return RateLimitError;
    case 'server.internal_error':
      return InternalServerError;
  }
  switch (status) {
    case 400:
      return BadRequestError;
    case 401:
      return AuthenticationError;
    case 403:
      return PermissionDeniedError;
    case 404:
      return NotFoundError;
    case 409:
      return ConflictError;
    case 422:
      return UnprocessableEntityError;
    case 429:
      return RateLimitError;
    case 503:
      return ServiceUnavailableError;
  }
  return status >= 500 && status <= 599 ? InternalServerError : AymaraAPIError;
}

/** How much of a body that is not JSON an error keeps. */
const MAX_BODY_TEXT_BYTES = 64 * 1024;

/** The text cut to at most 64 KiB of UTF-8, never in the middle of a character. */
function cutText(text: string): string {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most bodies need no encoding to know they fit.
  if (text.length * 3 <= MAX_BODY_TEXT_BYTES) return text;
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= MAX_BODY_TEXT_BYTES) return text;
  return new TextDecoder().decode(bytes.subarray(0, MAX_BODY_TEXT_BYTES)).replace(/\uFFFD$/, '');
}

/**
 * Shorter than this, a "secret" is a test's placeholder (`'k'`), not a credential, and redacting it would mangle every
 * word it occurs in.
 */
const MIN_SECRET_LENGTH = 8;

/** Each secret in the text replaced by `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  for (const secret of secrets) if (secret.length >= MIN_SECRET_LENGTH && text.includes(secret)) text = text.split(secret).join('[redacted]');
  return text;
}

/**
 * A `Headers` from the pipeline's record; a value HTTP could not carry (none should come from a response) is left
 * out, and a secret a server echoed back is redacted.
 */
function toHeaders(headers: HeadersLike, secrets: readonly string[] = []): Headers {
  const out = new Headers();
  for (const [name, value] of headers instanceof Headers ? headers : Object.entries(headers)) {
    try {
      out.append(name, withoutUserinfo(name, redact(value, secrets)));
    } catch {
      // Not a valid header: nothing a caller could use.
    }
  }
  return out;
}

/** The body as the error keeps it, and the envelope when it is one. */
function readBody(text: string): { body: unknown; envelope: ErrorEnvelope | undefined } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { body: cutText(text), envelope: undefined };
  }
  const result = ErrorEnvelopeSchema.safeParse(json);
  return result.success ? { body: result.data, envelope: result.data } : { body: json, envelope: undefined };
}

/**
 * Turns an error response into its typed error. The only place that maps statuses and codes to classes.
 * `secrets` (the API key) are redacted from the body and headers kept on the error, should a server echo them.
 */
export function makeAPIError(status: number, headersInit: HeadersLike, text: string, secrets: readonly string[] = []): AymaraAPIError {
  const headers = toHeaders(headersInit, secrets);
  text = redact(text, secrets);
  const { body, envelope } = readBody(text);
  const code = envelope?.error.code;
  const requestId = envelope?.request_id || headers.get('x-request-id') || undefined;
  const ErrorClass = classFor(code, status);
  let message: string;
  if (envelope) message = `${status} ${envelope.error.code}: ${envelope.error.message}`;
  // A proxy between the client and the API wants credentials: they go in the proxy URL.
  else if (status === 407)
    message = '407 Proxy Authentication Required: the proxy asked for credentials (put them in the proxy URL: http://user:password@host:port)';
  else message = `${status} status code (${describeBody(headers, text)})`;
  return new ErrorClass({ status, code, message, details: envelope?.error.details ?? {}, requestId, headers, body });
}

function describeBody(headers: Headers, text: string): string {
  if (text.length === 0) return 'no body';
  const type = headers.get('content-type')?.split(';')[0]?.trim();
  return type ? `${type} body, not the API's error envelope` : `body is not the API's error envelope`;
}

/** Why a redirect was not followed. */
export type UnfollowedRedirect = { kind: 'other-origin'; origin: string } | { kind: 'too-many'; limit: number } | { kind: 'credentials' };

/**
 * A redirect the client did not follow: to another origin (the key stays home), one too many, or to a URL with
 * credentials in it (fetch cannot send one, and they must not end up in errors or logs). A secret the server echoed
 * back is redacted, as in any API error.
 */
export function makeRedirectError(status: number, headersInit: HeadersLike, why: UnfollowedRedirect, secrets: readonly string[] = []): AymaraAPIError {
  const headers = toHeaders(headersInit, secrets);
  const message =
    why.kind === 'too-many'
      ? `${status} redirect not followed: more than ${why.limit} redirects`
      : why.kind === 'credentials'
        ? `${status} redirect not followed: its target has credentials`
        : `${status} redirect to another origin (${why.origin}) not followed: the API key is only sent to the configured base URL`;
  return new AymaraAPIError({ status, code: undefined, message, details: {}, requestId: headers.get('x-request-id') || undefined, headers, body: '' });
}
