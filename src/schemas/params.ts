// Query parameters the endpoints share, checked before anything is sent. Each is optional: only those given are sent.
import * as z from 'zod/mini';

const NON_EMPTY = 'must be a non-empty string';

// The bounds are refinements rather than zod's `gte`/`minLength` checks: the SDK needs `refine` anyway (for
// well-formed Unicode), and each further kind of check is more of zod in every bundle, a CommonJS one above all,
// which cannot drop unused exports.

/** An optional integer of at least `min`. */
const intAtLeast = (min: number) => {
  const message = `must be an integer >= ${min}`;
  return z.optional(z.number(message).check(z.refine((value: number) => Number.isSafeInteger(value) && value >= min, message)));
};

/** An id (a workspace's, an eval's): a non-empty string that can be percent-encoded (no unpaired surrogate). */
export const idParam = () =>
  z.optional(
    z.string(NON_EMPTY).check(
      z.refine((value: string) => value.length > 0, NON_EMPTY),
      z.refine((value: string) => value.isWellFormed(), 'must be well-formed Unicode (it has an unpaired surrogate)'),
    ),
  );

/** The parameters of a call that reads one thing: the `workspace_uuid` it belongs to. Strict. */
export const getParamsSchema = () =>
  z.strictObject({
    /** The workspace the thing belongs to. */
    workspace_uuid: idParam(),
  });

/**
 * The parameters of every limit/offset list: `limit` (>= 1), `offset` (>= 0), `workspace_uuid`, and the list's own
 * filters. Strict: an unknown name is an input error.
 */
export const listParamsSchema = <Filters extends z.core.$ZodLooseShape = Record<never, never>>(filters?: Filters) =>
  z.strictObject({
    ...(filters as Filters),
    /** Items per page, at least 1 (the API may cap it). */
    limit: intAtLeast(1),
    /** How many items to skip, at least 0. */
    offset: intAtLeast(0),
    /** The workspace to list. */
    workspace_uuid: idParam(),
  });
