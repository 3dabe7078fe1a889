import { z } from 'zod';

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

/** The body the API sends with an error status: `{ error: { code, message, details }, request_id }`. */
export const ErrorEnvelopeSchema = z.looseObject({
  error: z.looseObject({
    code: z.string() as z.ZodType<ErrorCode>,
    message: z.string(),
    details: z.record(z.string(), z.unknown()).default({}),
  }),
  request_id: z.string().default(''),
});

/** The parsed error body of a failed API call. */
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;
