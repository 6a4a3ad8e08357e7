import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service';
import type { NotificationRow } from '../notifications/notification.types';
import type { SearchPosition } from './search.cursor';

export interface SearchFilter {
  by: 'cardholderId' | 'cardLast4';
  value: string;
  from: Date;
  to: Date;
}

/** A found alert and its position for the next page's cursor (microseconds: a Date keeps only ms). */
export type SearchRow = NotificationRow & { position_at: string };

const COLUMN = { cardholderId: 'cardholder_id', cardLast4: 'card_last4' } as const;
const POSITION = `to_char(authorised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Support search, newest authorisation first, by keyset: (authorised_at, id) descending, so each page is
 * one index range whatever the page number, and rows arriving meanwhile never shift a page.
 */
@Injectable()
export class SearchRepository {
  constructor(private readonly db: Database) {}

  async page(filter: SearchFilter, after: SearchPosition | null, limit: number): Promise<SearchRow[]> {
    const column = COLUMN[filter.by];
    const params: unknown[] = [filter.value, filter.from, filter.to, limit];
    const keyset = after ? `AND (authorised_at, id) < ($5::timestamptz, $6::uuid)` : '';
    if (after) params.push(after.at, after.id);
    return this.db.query<SearchRow>(
      `SELECT *, ${POSITION} AS position_at FROM notifications
       WHERE ${column} = $1 AND authorised_at >= $2 AND authorised_at < $3 ${keyset}
       ORDER BY authorised_at DESC, id DESC LIMIT $4`,
      params,
    );
  }
}
