import { z } from 'zod';

const window = { from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) };
const limit = z.coerce.number().int().min(1).max(500).optional();

/** The three ways to look alerts up; the OpenAPI document derives its query parameters from these. */
export const searchVariants = {
  byTransaction: z.object({ transactionId: z.string().min(1).max(64) }).strict(),
  byCardholder: z.object({ cardholderId: z.string().min(1).max(64), ...window, limit }).strict(),
  byCardLast4: z.object({ cardLast4: z.string().regex(/^\d{4}$/), ...window, limit }).strict(),
};

export const searchQuery = z.union(
  [searchVariants.byTransaction, searchVariants.byCardholder, searchVariants.byCardLast4],
  {
    error:
      'use ?transactionId=, or ?cardholderId=&from=&to=, or ?cardLast4=&from=&to= (from/to ISO 8601 with offset)',
  },
);
export type SearchQuery = z.infer<typeof searchQuery>;
