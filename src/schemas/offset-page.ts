import * as z from 'zod/mini';

const EXACT = 'expected an integer of at most 2^53 - 1 in size (a larger count cannot be exact)';

/**
 * A list's total: a whole number that a double holds exactly. Offsets are computed from it, so a count past 2^53 - 1
 * (which JSON can carry but a double only approximates) would page to the wrong places: it is refused, naming the
 * field. Its sign is not checked: a negative count means there are no further pages.
 */
const count = () => z.number().check(z.refine(Number.isSafeInteger, EXACT));

/**
 * The body of one page of every limit/offset list: the page's `items` and the list's total `count` (not the
 * page's). Unknown top-level fields are kept.
 */
export const offsetPageSchema = <Item extends z.core.$ZodType>(item: Item) =>
  z.looseObject({
    /** The items of this page. */
    items: z.array(item),
    /** The number of items in the whole list, over all pages. */
    count: count(),
  });
