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
    // Correction alerts have a transaction_id of their own (correction:<id>) that no bank lists.
    const where = `n.authorised_at >= $1 AND n.authorised_at < $2 AND n.kind = 'ALERT'
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

  /**
   * Reversals dated in the window that did not become a correction on its way to the cardholder, by why:
   * still WAITING_FOR_ORIGINAL, the skip or refusal reason, or the correction's own FAILED / EXPIRED /
   * UNDELIVERED. Each with the exact count and the first `limit` original transactionIds.
   */
  async reversalsWithoutCorrection(
    window: ReconciliationWindow,
    limit: number,
    tx: Queryable,
  ): Promise<Array<{ why: string; count: number; ids: string[] }>> {
    const { rows } = await tx.query<{ why: string; count: number; ids: string[] }>(
      `WITH missing AS (
         SELECT r.transaction_id, r.reversed_at,
                CASE WHEN r.state = 'WAITING_FOR_ORIGINAL' THEN r.state
                     WHEN r.state IN ('SKIPPED', 'REFUSED') THEN COALESCE(r.reason, r.state)
                     ELSE n.status END AS why
         FROM reversals r JOIN notifications n ON n.id = r.notification_id
         WHERE r.reversed_at >= $1 AND r.reversed_at < $2
           AND (r.state <> 'QUEUED' OR n.status IN ('FAILED', 'EXPIRED', 'UNDELIVERED')))
       SELECT why, count(*)::int AS count,
              (array_agg(transaction_id ORDER BY reversed_at, transaction_id))[1:$3] AS ids
       FROM missing GROUP BY why ORDER BY why`,
      [window.from, window.to, limit],
    );
    return rows;
  }
}
