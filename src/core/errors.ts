import { ErrorEnvelopeSchema, KNOWN_ERROR_CODES, type ErrorCode, type KnownErrorCode } from '../schemas/error-envelope.js';

/** Response headers as the SDK hands them around: lower-case names, one string per name. */
export type Headers = Record<string, string>;

/** The root of everything the SDK throws. `catch (e) { if (e instanceof AymaraError) ... }` catches them all. */
export class AymaraError extends Error {
  override name = 'AymaraError';
}

/** A bad argument or client option, caught before anything was sent. */
export class AymaraInputError extends AymaraError {
  override name = 'AymaraInputError';
}

/** The request could not be completed: refused, reset, DNS failure, TLS failure. */
export class AymaraConnectionError extends AymaraError {
  override name = 'AymaraConnectionError';
}

/** An attempt took longer than `timeout` (connect, headers and body together). */
export class AymaraTimeoutError extends AymaraConnectionError {
  override name = 'AymaraTimeoutError';
}

/** The caller's `AbortSignal` fired. Never retried. */
export class AymaraAbortError extends AymaraError {
  override name = 'AymaraAbortError';
}

/** A response body that is not valid JSON or does not match the documented schema. */
export class AymaraResponseValidationError extends AymaraError {
  override name = 'AymaraResponseValidationError';
  /** Where in the body the first problem is, as a JSON path (`$.items[3].prompt_uuid`); `$` for the whole body. */
  readonly path: string;
  readonly status: number;
  readonly requestId: string | undefined;

  constructor(message: string, init: { path: string; status: number; requestId: string | undefined; cause?: unknown }) {
    super(message, { cause: init.cause });
    this.path = init.path;
    this.status = init.status;
    this.requestId = init.requestId;
  }
}

interface APIErrorInit {
  status: number;
  code: ErrorCode | undefined;
  message: string;
  details: Record<string, unknown>;
  requestId: string | undefined;
  headers: Headers;
}

/** The API answered with an error status. Subclasses name the kind of failure; see `makeAPIError`. */
export class AymaraAPIError extends AymaraError {
  override name = 'AymaraAPIError';
  /** The HTTP status the server (or a proxy in front of it) answered with. */
  readonly status: number;
  /** The envelope's `code`, when the body was the API's error envelope. */
  readonly code: ErrorCode | undefined;
  /** The envelope's `details` (`{}` when absent). */
  readonly details: Record<string, unknown>;
  /** The body's `request_id`, else the `x-request-id` header: quote it to Aymara support. */
  readonly requestId: string | undefined;
  /** The response headers. */
  readonly headers: Headers;

  constructor(init: APIErrorInit) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId;
    this.headers = init.headers;
  }
}

export class BadRequestError extends AymaraAPIError {
  override name = 'BadRequestError';
}
export class AuthenticationError extends AymaraAPIError {
  override name = 'AuthenticationError';
}
export class PermissionDeniedError extends AymaraAPIError {
  override name = 'PermissionDeniedError';
}
export class NotFoundError extends AymaraAPIError {
  override name = 'NotFoundError';
}
export class ConflictError extends AymaraAPIError {
  override name = 'ConflictError';
}
/** A 422. Its own class, not a `BadRequestError`. */
export class UnprocessableEntityError extends AymaraAPIError {
  override name = 'UnprocessableEntityError';
}
export class RateLimitError extends AymaraAPIError {
  override name = 'RateLimitError';
}
export class InternalServerError extends AymaraAPIError {
  override name = 'InternalServerError';
}
export class ServiceUnavailableError extends InternalServerError {
  override name = 'ServiceUnavailableError';
}

type APIErrorClass = new (init: APIErrorInit) => AymaraAPIError;

const isKnownCode = (code: string): code is KnownErrorCode => (KNOWN_ERROR_CODES as readonly string[]).includes(code);

/** SPEC 6: a known code decides the class; otherwise the status does. */
function classFor(code: string | undefined, status: number): APIErrorClass {
  if (code !== undefined && isKnownCode(code)) {
    switch (code) {
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

function parseEnvelope(body: string) {
  try {
    const result = ErrorEnvelopeSchema.safeParse(JSON.parse(body));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/** Turns an error response into its typed error. The only place that maps statuses and codes to classes. */
export function makeAPIError(status: number, headers: Headers, body: string): AymaraAPIError {
  const envelope = parseEnvelope(body);
  const code = envelope?.error.code;
  const requestId = envelope?.request_id || headers['x-request-id'] || undefined;
  const ErrorClass = classFor(code, status);
  const message = envelope
    ? `${status} ${envelope.error.code}: ${envelope.error.message}`
    : `${status} status code (${describeBody(headers, body)})`;
  return new ErrorClass({ status, code, message, details: envelope?.error.details ?? {}, requestId, headers });
}

function describeBody(headers: Headers, body: string): string {
  if (body.length === 0) return 'no body';
  const type = headers['content-type']?.split(';')[0]?.trim();
  return type ? `${type} body, not the API's error envelope` : `body is not the API's error envelope`;
}

/** A redirect the client did not follow: to another origin (the key stays home), or one too many. */
export function makeRedirectError(status: number, headers: Headers, targetOrigin: string, tooMany: boolean): AymaraAPIError {
  const message = tooMany
    ? `${status} redirect not followed: more than 5 redirects`
    : `${status} redirect to another origin (${targetOrigin}) not followed: the API key is only sent to the configured base URL`;
  return new AymaraAPIError({ status, code: undefined, message, details: {}, requestId: headers['x-request-id'] || undefined, headers });
}
