import * as z from 'zod/mini';
import { integer } from './integer.js';

/**
 * The body of one page of every limit/offset list: the page's `items` and the list's total `count` (not the
 * page's). Unknown top-level fields are kept.
 */
export const offsetPageSchema = <Item extends z.core.$ZodType>(item: Item) =>
  z.looseObject({
    /** The items of this page. */
    items: z.array(item),
    /** The number of items in the whole list, over all pages. */
    count: integer(),
  });
