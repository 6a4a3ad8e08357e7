import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service';
import { NotificationStatus } from '../notifications/notification-status';
import type { ReversalState } from './corrections.types';

/** One reversal as support sees it beside an alert (both directions of the link). */
export interface ReversalLinkRow {
  reversal_id: string;
  transaction_id: string;
  kind: string;
  amount_minor: string;
  currency: string;
  reversed_at: Date;
  state: ReversalState;
  reason: string | null;
  notification_id: string;
  notification_status: NotificationStatus;
  original_id: string | null;
  original_status: NotificationStatus | null;
}

/** The links between alerts and their corrections, for support (SQL stays in a repository). */
@Injectable()
export class CorrectionLinksRepository {
  constructor(private readonly db: Database) {}

  private readonly select = `
    SELECT r.reversal_id, r.transaction_id, r.kind, r.amount_minor, r.currency, r.reversed_at, r.state, r.reason,
           r.notification_id, c.status AS notification_status, o.id AS original_id, o.status AS original_status
    FROM reversals r
    JOIN notifications c ON c.id = r.notification_id
    LEFT JOIN notifications o ON o.transaction_id = r.transaction_id AND o.kind = 'ALERT'`;

  /** The reversals of an alert's transaction (waiting ones included), oldest first. */
  async ofOriginal(transactionId: string): Promise<ReversalLinkRow[]> {
    return this.db.query<ReversalLinkRow>(
      `${this.select} WHERE r.transaction_id = $1 ORDER BY r.received_at, r.source_offset, r.reversal_id LIMIT 100`,
      [transactionId],
    );
  }

  /** The reversal a correction alert was made for. */
  async ofCorrection(notificationId: string): Promise<ReversalLinkRow | null> {
    const rows = await this.db.query<ReversalLinkRow>(`${this.select} WHERE r.notification_id = $1`, [
      notificationId,
    ]);
    return rows[0] ?? null;
  }
}
