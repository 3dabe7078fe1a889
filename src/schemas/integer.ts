import * as z from 'zod/mini';

/**
 * A whole number of any size, as JSON carries it. zod's `z.int()` also requires a safe integer (at most 2^53 - 1);
 * the API's numbers are checked for their type only, so a larger one still parses (as the nearest double). A list's
 * `count` is the exception: offsets are computed from it (see offset-page.ts).
 */
export const integer = () => z.number().check(z.refine(Number.isInteger, 'expected an integer'));
