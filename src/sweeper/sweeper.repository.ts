import { Injectable } from '@nestjs/common';
import { Database, Queryable, RunLockOutcome } from '../database/database.service';
import { NotificationStatus } from '../notifications/notification-status';

// One fixed key for the whole deployment: every dispatcher competes for the same run.
const SWEEP_LOCK_KEY = 'alertline:sweeper';

export interface StuckAlert {
  id: string;
  status: NotificationStatus.QUEUED | NotificationStatus.SENDING;
  updated_at: Date;
}

export interface AwaitingReceipt {
  id: string;
  provider: string | null;
  provider_message_id: string | null;
  /** Sealed (DataCipher): opened only for a provider whose status lookup needs the number. */
  data_key_id: string | null;
  wrapped_key: Buffer | null;
  phone_enc: Buffer | null;
  phone_e164: string | null;
  accepted_at: Date;
  overdue: boolean;
}

export interface StuckCursor {
  updatedAt: Date;
  id: string;
}

@Injectable()
export class SweeperRepository {
  constructor(private readonly db: Database) {}

  /** One sweep at a time across dispatchers (Database.withSessionLock). */
  withRunLock<T>(work: () => Promise<T>): Promise<RunLockOutcome<T>> {
    return this.db.withSessionLock(SWEEP_LOCK_KEY, () => work());
  }

  /**
   * One page of alerts that should have a live queue job: QUEUED for longer than the grace period, or
   * SENDING with a lapsed lease (its dispatcher died). Oldest first, keyset-paged on (updated_at, id).
   */
  async stuckPage(
    status: NotificationStatus.QUEUED | NotificationStatus.SENDING,
    olderThan: Date,
    now: Date,
    after: StuckCursor | null,
    limit: number,
  ): Promise<StuckAlert[]> {
    return this.db.query<StuckAlert>(
      `SELECT id, status, updated_at FROM notifications
       WHERE status = $1 AND updated_at < $2
         AND ($1 = 'QUEUED' OR lease_until IS NULL OR lease_until < $3)
         AND ($4::timestamptz IS NULL OR (updated_at, id) > ($4::timestamptz, $5::uuid))
       ORDER BY updated_at, id
       LIMIT $6`,
      [status, olderThan, now, after?.updatedAt ?? null, after?.id ?? null, limit],
    );
  }

  /** SENT alerts accepted before `acceptedBefore` that nobody asked the provider about since `checkedBefore`. */
  async awaitingReceipt(
    acceptedBefore: Date,
    checkedBefore: Date,
    limit: number,
  ): Promise<AwaitingReceipt[]> {
    return this.db.query<AwaitingReceipt>(
      `SELECT id, provider, provider_message_id, data_key_id, wrapped_key, phone_enc, phone_e164, accepted_at, overdue
       FROM notifications
       WHERE status = 'SENT' AND accepted_at < $1 AND (status_checked_at IS NULL OR status_checked_at < $2)
       ORDER BY accepted_at
       LIMIT $3`,
      [acceptedBefore, checkedBefore, limit],
    );
  }

  async markChecked(id: string, now: Date, db: Queryable = this.db.pool): Promise<void> {
    await db.query(`UPDATE notifications SET status_checked_at = $2 WHERE id = $1`, [id, now]);
  }

  /** Flags a still-SENT alert OVERDUE; true only the first time, so its history gets one OVERDUE event. */
  async flagOverdue(id: string, now: Date, db: Queryable): Promise<boolean> {
    const { rowCount } = await db.query(
      `UPDATE notifications SET overdue = true, status_checked_at = $2, updated_at = $2
       WHERE id = $1 AND status = 'SENT' AND NOT overdue`,
      [id, now],
    );
    return (rowCount ?? 0) > 0;
  }

  async countOverdue(): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notifications WHERE status = 'SENT' AND overdue`,
    );
    return rows[0].n;
  }
}
