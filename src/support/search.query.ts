import { z } from 'zod';

export const SEARCH_PAGE_DEFAULT = 100;
export const SEARCH_PAGE_MAX = 500;
const DAY_MS = 86_400_000;

const window = { from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) };
const page = {
  limit: z.coerce.number().int().min(1).max(SEARCH_PAGE_MAX).optional(),
  cursor: z.string().min(1).max(200).optional(),
};

/** The three ways to look alerts up; the OpenAPI document derives its query parameters from these. */
export const searchVariants = {
  byTransaction: z.object({ transactionId: z.string().min(1).max(64) }).strict(),
  byCardholder: z.object({ cardholderId: z.string().min(1).max(64), ...window, ...page }).strict(),
  byCardLast4: z.object({ cardLast4: z.string().regex(/^\d{4}$/), ...window, ...page }).strict(),
};

export const searchQuery = z.union(
  [searchVariants.byTransaction, searchVariants.byCardholder, searchVariants.byCardLast4],
  {
    error:
      'use ?transactionId=, or ?cardholderId=&from=&to=, or ?cardLast4=&from=&to= (from/to ISO 8601 with offset)',
  },
);
export type SearchQuery = z.infer<typeof searchQuery>;

/**
 * A windowed search reads every alert of its window: the window is bounded (SUPPORT_SEARCH_MAX_WINDOW_DAYS)
 * so one request cannot sweep a year of a busy card-last-4, and answers come a page at a time.
 */
export function boundedSearchQuery(maxWindowDays: number) {
  return searchQuery.superRefine((q, ctx) => {
    if ('transactionId' in q) return;
    const span = Date.parse(q.to) - Date.parse(q.from);
    if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (span > maxWindowDays * DAY_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `the window spans ${(span / DAY_MS).toFixed(1)} days; at most ${maxWindowDays} (search again with a shorter one)`,
      });
    }
  });
}
