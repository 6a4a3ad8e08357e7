import { Injectable } from '@nestjs/common';
import { Queryable } from '../database/database.service';
import { NotificationStatus } from '../notifications/notification-status';
import { ProviderMessageStatus } from '../providers/provider.interface';

export interface ReceiptInput {
  provider: string;
  providerMessageId: string;
  status: ProviderMessageStatus;
  providerStatus: string;
  errorCode?: string | null;
  receivedAt: Date;
}

export interface ReceiptRow {
  id: string;
  provider: string;
  provider_message_id: string;
  status: ProviderMessageStatus;
  provider_status: string;
  error_code: string | null;
  notification_id: string | null;
  received_at: Date;
}

/** What one final receipt of a batch came to, in the order the receipts were given. */
export interface FinalReceiptRow {
  /** null: no attempt has this message id (yet); the receipt is stored unmatched. */
  notification_id: string | null;
  /** Its alert already had a receipt earlier in this batch: nothing was written for this one. */
  deferred: boolean;
  /** The status the alert moved to, or null (a RECEIPT history line was written instead). */
  moved: NotificationStatus | null;
  authorised_at: Date | null;
  /** The same receipt (message id, vendor status, error code) is already stored: nothing was written. */
  duplicate: boolean;
}

/** The statuses an alert may leave on a final receipt (ReceiptApplier's rules, passed in, not restated). */
export interface FinalReceiptRules {
  deliveredFrom: readonly NotificationStatus[];
  undeliveredFrom: readonly NotificationStatus[];
}

export const messageLockKey = (provider: string, providerMessageId: string) =>
  `${provider}:${providerMessageId}`;

/**
 * What makes two receipts the same one: what the provider sent (its message id, its own status word and
 * error code, as its ParsedReceipt carries them). receipts_dedupe_idx is on exactly this plus the month
 * partition (a unique index of a partitioned table must hold its key), so copies written in one month,
 * concurrent ones included, meet in the index; NOT_STORED_BEFORE refuses a copy of a receipt stored in an
 * earlier month (a replay that late is never concurrent with its original). `copy` numbers the repeats of
 * one receipt inside a batch (only the first is offered to the INSERT).
 */
/**
 * The attempt a receipt's message id belongs to (alias `a`), found in its own month: the month comes from
 * provider_message_months, and `a.created_month = m.created_month` inside a LATERAL (a nested loop per
 * receipt, m's one row outside) lets PostgreSQL prune at run time to that partition instead of asking
 * every month's index; as a plain join of the batch it was planned as a hash join over every month.
 */
const ATTEMPT_OF_MESSAGE = `LEFT JOIN LATERAL (
           SELECT a.notification_id, m.created_month AS message_month FROM provider_message_months m
           JOIN delivery_attempts a ON a.provider = m.provider AND a.provider_message_id = m.provider_message_id
                                   AND a.created_month = m.created_month
           WHERE m.provider = u.provider AND m.provider_message_id = u.message_id
         ) a ON true`;
const ON_CONFLICT = `ON CONFLICT (provider, provider_message_id, provider_status, (COALESCE(error_code, '')), created_month) DO NOTHING`;
// No receipt comes before its message: earlier copies are looked for from the message's month on, which
// PostgreSQL prunes at run time to one or two partitions instead of asking every month's index. `month` is
// the month ATTEMPT_OF_MESSAGE found (a batch's rows) or, for one receipt, provider_message_months'; a
// message id it does not know (trimmed, or never ours) is looked for in every month.
const notStoredBefore = (
  provider: string,
  messageId: string,
  status: string,
  errorCode: string,
  month: string,
) =>
  `NOT EXISTS (SELECT 1 FROM receipts s WHERE s.provider = ${provider} AND s.provider_message_id = ${messageId}
     AND s.provider_status = ${status} AND COALESCE(s.error_code, '') = COALESCE(${errorCode}, '')
     AND s.created_month >= COALESCE(${month}, '-infinity'::date))`;
/**
 * The month partition of the alert `id` (a UUIDv7's UTC month, as alert-id.ts mints and inserts it), as
 * bounds on created_month that PostgreSQL prunes with at run time; an older random (v4) id bounds nothing.
 */
const inAlertMonth = (id: string) => {
  const month = `CASE WHEN substr(${id}::text, 15, 1) = '7' THEN (date_trunc('month',
      to_timestamp(('x' || substr(replace(${id}::text, '-', ''), 1, 12))::bit(48)::bigint / 1000.0)
      AT TIME ZONE 'UTC'))::date END`;
  return `n.created_month BETWEEN COALESCE(${month}, '-infinity'::date) AND COALESCE(${month}, 'infinity'::date)`;
};
const MONTH_OF_MESSAGE = `(SELECT pm.created_month FROM provider_message_months pm
                           WHERE pm.provider = $1 AND pm.provider_message_id = $2)`;
const COPY = `row_number() OVER (PARTITION BY u.provider, u.message_id, u.provider_status, COALESCE(u.error_code, '') ORDER BY u.idx)`;
const STORED_KEY = `RETURNING provider, provider_message_id, provider_status, COALESCE(error_code, '') AS error_key`;
/** True for a batch row (alias `t`) whose INSERT went through (`stored` is that INSERT's RETURNING). */
const WAS_STORED = `t.copy = 1 AND (t.provider, t.message_id, t.provider_status, COALESCE(t.error_code, ''))
  IN (SELECT provider, provider_message_id, provider_status, error_key FROM stored)`;

@Injectable()
export class ReceiptsRepository {
  /**
   * Serialises everything about one provider message id (its SENT record and its receipts) for the rest
   * of the transaction, so a receipt that races the SENT write is matched by whichever commits second.
   */
  async lockMessage(provider: string, providerMessageId: string, db: Queryable): Promise<void> {
    await this.lockMessages([messageLockKey(provider, providerMessageId)], db);
  }

  /**
   * lockMessage for many messages in one statement, ordered by the hash: every batch (final receipts, the
   * dispatcher's SENT writes, a multi-part message's parts) takes its locks through here, so two
   * transactions taking overlapping sets take them in one order and cannot deadlock.
   */
  async lockMessages(keys: readonly string[], db: Queryable): Promise<void> {
    await db.query({
      text: `SELECT pg_advisory_xact_lock(h)
             FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY 1) s`,
      values: [keys],
    });
  }

  /**
   * ReceiptsService.record's transaction for many final receipts in one statement, under their message
   * locks: match the attempt, store the receipt, move the alert forward, write its history line. An alert
   * takes one receipt per statement (every part of the statement sees the same snapshot, so a second
   * one would be judged against the state before the first): later ones come back `deferred`, unwritten.
   */
  async recordFinalMany(
    receipts: readonly ReceiptInput[],
    rules: FinalReceiptRules,
    db: Queryable,
  ): Promise<FinalReceiptRow[]> {
    const { rows } = await db.query<FinalReceiptRow>({
      // Not a named (prepared) statement: its cached plan would keep the sequential scans chosen while the
      // tables were small (a fresh database) until the next ANALYZE; planned per batch, it follows them.
      text: `WITH u AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
           WITH ORDINALITY AS u(provider, message_id, status, provider_status, error_code, received_at, idx)
       ), m AS (
         SELECT u.*, a.notification_id, a.message_month,
                CASE WHEN u.status = 'DELIVERED' THEN 'DELIVERED' ELSE 'UNDELIVERED' END AS target,
                row_number() OVER (PARTITION BY a.notification_id ORDER BY u.idx) AS nth,
                ${COPY} AS copy
         FROM u ${ATTEMPT_OF_MESSAGE}
       ), todo AS (
         SELECT * FROM m WHERE notification_id IS NULL OR nth = 1
       ), stored AS (
         -- A replay (already stored, or an earlier copy in this batch) is not inserted and, below, moves
         -- nothing and writes no history line.
         INSERT INTO receipts (provider, provider_message_id, status, provider_status, error_code, notification_id, received_at)
         SELECT provider, message_id, status, provider_status, error_code, notification_id, received_at
         FROM todo
         WHERE copy = 1 AND ${notStoredBefore('todo.provider', 'todo.message_id', 'todo.provider_status', 'todo.error_code', 'todo.message_month')}
         ORDER BY idx
         ${ON_CONFLICT}
         ${STORED_KEY}
       ), fresh AS (
         -- In the select list (OFFSET 0 keeps it there) the IN is a hashed lookup; as a WHERE clause it was
         -- planned as a nested-loop semi join, quadratic in the batch size.
         SELECT * FROM (SELECT t.*, ${WAS_STORED} AS was_stored FROM todo t OFFSET 0) f WHERE was_stored
       ), moved AS (
         -- NotificationsRepository.transition's SET; its WHERE is re-checked on a row another transaction
         -- changed meanwhile, so what moved is read from here, never from the snapshot.
         UPDATE notifications n
         SET status = t.target,
             last_error_code = CASE WHEN t.target = 'DELIVERED' THEN n.last_error_code
                                    ELSE COALESCE(t.error_code, n.last_error_code) END,
             last_error_detail = CASE WHEN t.target = 'DELIVERED' THEN n.last_error_detail
                                      ELSE COALESCE(t.provider_status, n.last_error_detail) END,
             final_at = t.received_at, lease_until = NULL, updated_at = t.received_at
         FROM fresh t
         WHERE n.id = t.notification_id AND ${inAlertMonth('t.notification_id')}
           AND CASE WHEN t.target = 'DELIVERED' THEN n.status = ANY($7::text[])
                    ELSE n.status = ANY($8::text[])
                         AND n.provider = t.provider AND n.provider_message_id = t.message_id END
         RETURNING t.idx
       ), history AS (
         -- "IN (SELECT idx FROM moved)" is a hashed lookup; a join on moved was planned as a nested loop
         -- (an UPDATE's output is estimated at one row), quadratic in the batch size.
         INSERT INTO notification_events (notification_id, at, type, status, provider, provider_message_id, error_code, detail)
         SELECT notification_id, received_at, CASE WHEN did_move THEN target ELSE 'RECEIPT' END,
                CASE WHEN did_move THEN target END, provider, message_id, error_code, provider_status
         FROM (SELECT t.*, t.idx IN (SELECT idx FROM moved) AS did_move
               FROM fresh t WHERE t.notification_id IS NOT NULL) t
         ORDER BY idx
       )
       SELECT m.notification_id, (m.notification_id IS NOT NULL AND m.nth > 1) AS deferred,
              CASE WHEN m.idx IN (SELECT idx FROM moved) THEN m.target END AS moved, n.authorised_at,
              (m.notification_id IS NULL OR m.nth = 1) AND m.idx NOT IN (SELECT idx FROM fresh) AS duplicate
       FROM m LEFT JOIN notifications n
         ON n.id = m.notification_id AND m.nth = 1 AND ${inAlertMonth('m.notification_id')}
       ORDER BY m.idx`,
      values: [
        receipts.map((r) => r.provider),
        receipts.map((r) => r.providerMessageId),
        receipts.map((r) => r.status),
        receipts.map((r) => r.providerStatus),
        receipts.map((r) => r.errorCode ?? null),
        receipts.map((r) => r.receivedAt),
        rules.deliveredFrom,
        rules.undeliveredFrom,
      ],
    });
    if (rows.length !== receipts.length) {
      throw new Error(`final receipts batch: ${receipts.length} receipts, ${rows.length} results`);
    }
    return rows;
  }

  /**
   * Intermediate receipts, many at once: notification_id from the attempt when SENT is already recorded,
   * otherwise left empty (the SENT write claims only final receipts, the ones that can move an alert).
   * One flag per receipt, in order: false for a replay, which wrote nothing.
   */
  async insertIntermediateMany(receipts: readonly ReceiptInput[], db: Queryable): Promise<boolean[]> {
    const { rows } = await db.query<{ fresh: boolean }>(
      `WITH u AS (
         SELECT u.*, ${COPY} AS copy
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
           WITH ORDINALITY AS u(provider, message_id, status, provider_status, error_code, received_at, idx)
       ), stored AS (
         INSERT INTO receipts (provider, provider_message_id, status, provider_status, error_code, notification_id, received_at)
         SELECT u.provider, u.message_id, u.status, u.provider_status, u.error_code, a.notification_id, u.received_at
         FROM u ${ATTEMPT_OF_MESSAGE}
         WHERE u.copy = 1 AND ${notStoredBefore('u.provider', 'u.message_id', 'u.provider_status', 'u.error_code', 'a.message_month')}
         ${ON_CONFLICT}
         ${STORED_KEY}
       )
       SELECT ${WAS_STORED} AS fresh FROM u t ORDER BY t.idx`,
      [
        receipts.map((r) => r.provider),
        receipts.map((r) => r.providerMessageId),
        receipts.map((r) => r.status),
        receipts.map((r) => r.providerStatus),
        receipts.map((r) => r.errorCode ?? null),
        receipts.map((r) => r.receivedAt),
      ],
    );
    return rows.map((r) => r.fresh);
  }

  /** One receipt; false when it is a replay of a stored one (nothing written). */
  async insert(receipt: ReceiptInput, notificationId: string | null, db: Queryable): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO receipts (provider, provider_message_id, status, provider_status, error_code, notification_id, received_at)
       SELECT $1, $2, $3, $4, $5::text, $6::uuid, $7::timestamptz
       WHERE ${notStoredBefore('$1', '$2', '$4', '$5::text', MONTH_OF_MESSAGE)}
       ${ON_CONFLICT}`,
      [
        receipt.provider,
        receipt.providerMessageId,
        receipt.status,
        receipt.providerStatus,
        receipt.errorCode ?? null,
        notificationId,
        receipt.receivedAt,
      ],
    );
    return rowCount === 1;
  }

  /** Receipts that arrived before we knew the message id; matched now, in arrival order. */
  async claimUnmatched(
    provider: string,
    providerMessageId: string,
    notificationId: string,
    db: Queryable,
  ): Promise<ReceiptRow[]> {
    const { rows } = await db.query<ReceiptRow>(
      `UPDATE receipts SET notification_id = $3
       WHERE provider = $1 AND provider_message_id = $2 AND notification_id IS NULL
         AND status IN ('DELIVERED', 'UNDELIVERED', 'FAILED')
       RETURNING *`,
      [provider, providerMessageId, notificationId],
    );
    return rows.sort((a, b) => Number(a.id) - Number(b.id));
  }
}
