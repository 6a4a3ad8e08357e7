import { Injectable } from '@nestjs/common';
import { Queryable } from '../database/database.service';
import { NotificationStatus, SkipReason } from '../notifications/notification-status';

/** A transactionId from the bank's list, with its alert when Alertline has one. */
export interface ListedTransaction {
  transaction_id: string;
  status: NotificationStatus | null;
  skip_reason: SkipReason | null;
  overdue: boolean | null;
  accepted_at: Date | null;
  authorised_at: Date | null;
}

export interface ReconciliationWindow {
  from: Date;
  to: Date;
}

/** PostgreSQL cancelled the statement (SQLSTATE 57014 query_canceled): here, statement_timeout. */
export function isStatementTimeout(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '57014';
}

/**
 * The bank's list goes into a temporary table chunk by chunk, so the list is never held in memory and
 * "alerts in the window that the bank did not list" is one anti-join. Everything runs in the caller's
 * transaction (the table is dropped at its end).
 */
@Injectable()
export class ReconciliationRepository {
  /**
   * Both timeouts hold for this transaction only (set_config(..., true) is SET LOCAL). The idle one backs
   * up the service's own deadline: an upload that stalls must not hold a connection open for ever.
   */
  async createScratch(tx: Queryable, timeouts: { statementMs: number; idleMs: number }): Promise<void> {
    await tx.query(
      `SELECT set_config('statement_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true)`,
      [String(timeouts.statementMs), String(timeouts.idleMs)],
    );
    await tx.query(`CREATE TEMP TABLE reconciliation_ids (transaction_id text PRIMARY KEY) ON COMMIT DROP`);
  }

  /** Adds one chunk of the list; returns each id seen for the first time, with its alert if any. */
  async addChunk(transactionIds: string[], tx: Queryable): Promise<ListedTransaction[]> {
    const { rows } = await tx.query<ListedTransaction>(
      `WITH listed AS (
         INSERT INTO reconciliation_ids (transaction_id) SELECT DISTINCT unnest($1::text[])
         ON CONFLICT DO NOTHING
         RETURNING transaction_id
       )
       SELECT l.transaction_id, n.status, n.skip_reason, n.overdue, n.accepted_at, n.authorised_at
       FROM listed l LEFT JOIN notifications n ON n.transaction_id = l.transaction_id`,
      [transactionIds],
    );
    return rows;
  }

  /** Alerts authorised in the window whose transaction is not on the bank's list: the count and the first ids. */
  async unexpected(
    window: ReconciliationWindow,
    limit: number,
    tx: Queryable,
  ): Promise<{ count: number; ids: string[] }> {
    await tx.query(`ANALYZE reconciliation_ids`);
    const where = `n.authorised_at >= $1 AND n.authorised_at < $2
      AND NOT EXISTS (SELECT 1 FROM reconciliation_ids r WHERE r.transaction_id = n.transaction_id)`;
    const { rows: counted } = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notifications n WHERE ${where}`,
      [window.from, window.to],
    );
    const { rows } = await tx.query<{ transaction_id: string }>(
      `SELECT n.transaction_id FROM notifications n WHERE ${where} ORDER BY n.authorised_at, n.transaction_id LIMIT $3`,
      [window.from, window.to, limit],
    );
    return { count: counted[0].n, ids: rows.map((r) => r.transaction_id) };
  }
}
