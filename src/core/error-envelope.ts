import * as z from 'zod/mini';
import type { Agrees, Assert } from '../internal/type-check.js';

/** Error codes the API documents. New codes may appear: `ErrorCode` stays open to any string. */
export const KNOWN_ERROR_CODES = [
  'auth.invalid_key',
  'auth.expired_key',
  'auth.insufficient_permissions',
  'validation.invalid_request',
  'validation.invalid_format',
  'resource.not_found',
  'resource.conflict',
  'quota.limit_exceeded',
  'server.internal_error',
] as const;

/** A documented error code. */
export type KnownErrorCode = (typeof KNOWN_ERROR_CODES)[number];

/** The `code` of an API error: a documented code, or a newer one this version does not know. */
export type ErrorCode = KnownErrorCode | (string & {});

/**
 * The body the API sends with an error status: `{ error: { code, message, details }, request_id }`.
 * Unknown fields are kept at run time.
 */
export type ErrorEnvelope = {
  /** What went wrong. */
  error: {
    /** What kind of failure: `resource.not_found`, `auth.invalid_key`... */
    code: ErrorCode;
    /** What went wrong, in words. */
    message: string;
    /** More about the failure (`{}` when the API sent none). */
    details: Record<string, unknown>;
  };
  /** The id to quote to Aymara support (`''` when the API sent none). */
  request_id: string;
};

/** Parses an {@link ErrorEnvelope}, filling `details` (`{}`) and `request_id` (`''`). Unknown fields are kept. */
export const ErrorEnvelopeSchema = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    // A loose object with no named field: any object, every key kept (a `z.record` would bring more of zod into every bundle).
    details: z._default(z.looseObject({}), () => ({})),
  }),
  request_id: z._default(z.string(), ''),
});

type _Checks = Assert<Agrees<z.output<typeof ErrorEnvelopeSchema>, ErrorEnvelope>>;
