import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Where a page ended: the last alert's authorisation time (to the microsecond, as stored) and id. */
export interface SearchPosition {
  at: string;
  id: string;
}

const position = z.tuple([z.iso.datetime({ precision: 6 }), z.uuid(), z.string().regex(/^[0-9a-f]{16}$/)]);

/** Ties a cursor to its search, so a cursor pasted into another search is refused rather than misread. */
function searchTag(search: string): string {
  return createHash('sha256').update(search).digest('hex').slice(0, 16);
}

/** Opaque to clients: base64url of the position and its search's tag. */
export function encodeCursor(p: SearchPosition, search: string): string {
  return Buffer.from(JSON.stringify([p.at, p.id, searchTag(search)])).toString('base64url');
}

/** The position, or a reason the cursor is not one this search handed out. */
export function decodeCursor(cursor: string, search: string): SearchPosition | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return { error: 'not a cursor this API returned' };
  }
  const result = position.safeParse(parsed);
  if (!result.success) return { error: 'not a cursor this API returned' };
  const [at, id, tag] = result.data;
  if (tag !== searchTag(search))
    return { error: 'belongs to another search (same filter and window needed)' };
  return { at, id };
}
