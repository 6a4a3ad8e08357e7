import { Injectable } from '@nestjs/common';
import { Queryable } from '../database/database.service';
import { NotificationStatus } from '../notifications/notification-status';
import { childFloor, idMonths, monthBefore } from '../notifications/alert-id';
import { ProviderMessageStatus } from '../providers/provider.interface';
import {
  BATCH,
  COPY,
  inAlertMonths,
  messageLockKey,
  notStoredBefore,
  ON_CONFLICT,
  replayFloorOf,
  STORED_KEY,
  WAS_STORED,
} from './receipts.sql';

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

export { messageLockKey } from './receipts.sql';

/** What a receipt's message id is known as: its month and the alert it was sent for. */
interface MessageRef {
  month: string;
  notificationId: string;
}

/** The batch's receipts as the statements' $1-$8 (BATCH), and the plan-time bounds of its months. */
function batchValues(receipts: readonly ReceiptInput[], refs: ReadonlyArray<MessageRef | null>) {
  const known = refs.filter((r): r is MessageRef => r !== null);
  // The message's month, or the month before the receipt's for a message id not known (receipts.sql.ts).
  const floors = refs.map((r, i) => r?.month ?? monthBefore(receipts[i].receivedAt));
  return {
    values: [
      receipts.map((r) => r.provider),
      receipts.map((r) => r.providerMessageId),
      receipts.map((r) => r.status),
      receipts.map((r) => r.providerStatus),
      receipts.map((r) => r.errorCode ?? null),
      receipts.map((r) => r.receivedAt),
      refs.map((r) => r?.notificationId ?? null),
      floors,
    ],
    floor: floors.length ? [...floors].sort()[0] : null,
    // No alert to touch: an empty list, which plans no partition at all.
    alertMonths: known.length ? idMonths(known.map((r) => r.notificationId)) : [],
  };
}

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
    const batch = batchValues(receipts, await this.refsOf(receipts, db));
    const { rows } = await db.query<FinalReceiptRow>({
      // Not a named (prepared) statement: its cached plan would keep the sequential scans chosen while the
      // tables were small (a fresh database) until the next ANALYZE; planned per batch, it follows them.
      text: `WITH m AS (
         SELECT u.*, CASE WHEN u.status = 'DELIVERED' THEN 'DELIVERED' ELSE 'UNDELIVERED' END AS target,
                row_number() OVER (PARTITION BY u.notification_id ORDER BY u.idx) AS nth,
                ${COPY} AS copy
         FROM ${BATCH}
       ), todo AS (
         SELECT * FROM m WHERE notification_id IS NULL OR nth = 1
       ), stored AS (
         -- A replay (already stored, or an earlier copy in this batch) is not inserted and, below, moves
         -- nothing and writes no history line.
         INSERT INTO receipts (provider, provider_message_id, status, provider_status, error_code, notification_id, received_at)
         SELECT provider, message_id, status, provider_status, error_code, notification_id, received_at
         FROM todo
         WHERE copy = 1 AND ${notStoredBefore('todo.provider', 'todo.message_id', 'todo.provider_status', 'todo.error_code', 'todo.replay_floor', '$11')}
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
         WHERE n.id = t.notification_id AND ${inAlertMonths('$12')}
           AND CASE WHEN t.target = 'DELIVERED' THEN n.status = ANY($9::text[])
                    ELSE n.status = ANY($10::text[])
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
         ON n.id = m.notification_id AND m.nth = 1 AND ${inAlertMonths('$12')}
       ORDER BY m.idx`,
      values: [...batch.values, rules.deliveredFrom, rules.undeliveredFrom, batch.floor, batch.alertMonths],
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
    const batch = batchValues(receipts, await this.refsOf(receipts, db));
    const { rows } = await db.query<{ fresh: boolean }>(
      `WITH u AS (
         SELECT u.*, ${COPY} AS copy FROM ${BATCH}
       ), stored AS (
         INSERT INTO receipts (provider, provider_message_id, status, provider_status, error_code, notification_id, received_at)
         SELECT u.provider, u.message_id, u.status, u.provider_status, u.error_code, u.notification_id, u.received_at
         FROM u
         WHERE u.copy = 1 AND ${notStoredBefore('u.provider', 'u.message_id', 'u.provider_status', 'u.error_code', 'u.replay_floor', '$9')}
         ${ON_CONFLICT}
         ${STORED_KEY}
       )
       SELECT ${WAS_STORED} AS fresh FROM u t ORDER BY t.idx`,
      [...batch.values, batch.floor],
    );
    return rows.map((r) => r.fresh);
  }

  /** One receipt; false when it is a replay of a stored one (nothing written). */
  async insert(receipt: ReceiptInput, notificationId: string | null, db: Queryable): Promise<boolean> {
    const { rowCount } = await db.query(
      `INSERT INTO receipts (provider, provider_message_id, status, provider_status, error_code, notification_id, received_at)
       SELECT $1, $2, $3, $4, $5::text, $6::uuid, $7::timestamptz
       WHERE ${notStoredBefore('$1', '$2', '$4', '$5::text', replayFloorOf('$7::timestamptz'), 'NULL')}
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

  /**
   * What each receipt's message id is known as, from provider_message_months (one unpartitioned index):
   * read first so that the receipt statement is planned with its months. A row written before the map
   * held the alert (migration 1795580000000) finds it in its attempt, in the month the map names.
   */
  private async refsOf(receipts: readonly ReceiptInput[], db: Queryable): Promise<Array<MessageRef | null>> {
    const { rows } = await db.query<{ idx: string; month: string; notification_id: string | null }>(
      `SELECT u.idx, to_char(m.created_month, 'YYYY-MM-DD') AS month, m.notification_id
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(provider, message_id, idx)
       JOIN provider_message_months m ON m.provider = u.provider AND m.provider_message_id = u.message_id`,
      [receipts.map((r) => r.provider), receipts.map((r) => r.providerMessageId)],
    );
    const legacy = rows.filter((r) => r.notification_id === null);
    if (legacy.length) {
      const { rows: found } = await db.query<{ idx: string; notification_id: string }>(
        `SELECT DISTINCT ON (u.idx) u.idx, a.notification_id
         FROM unnest($1::text[], $2::text[], $3::date[], $4::bigint[]) AS u(provider, message_id, month, idx)
         JOIN delivery_attempts a ON a.provider = u.provider AND a.provider_message_id = u.message_id
                                 AND a.created_month = u.month AND a.created_month = ANY($3::date[])
         ORDER BY u.idx, a.started_at`,
        [
          legacy.map((r) => receipts[Number(r.idx) - 1].provider),
          legacy.map((r) => receipts[Number(r.idx) - 1].providerMessageId),
          legacy.map((r) => r.month),
          legacy.map((r) => r.idx),
        ],
      );
      const byIdx = new Map(found.map((f) => [f.idx, f.notification_id]));
      for (const r of legacy) r.notification_id = byIdx.get(r.idx) ?? null;
    }
    const refs: Array<MessageRef | null> = receipts.map(() => null);
    for (const r of rows) {
      if (r.notification_id) refs[Number(r.idx) - 1] = { month: r.month, notificationId: r.notification_id };
    }
    return refs;
  }

  /** Receipts that arrived before we knew the message id; matched now, in arrival order. */
  async claimUnmatched(
    provider: string,
    providerMessageId: string,
    notificationId: string,
    db: Queryable,
  ): Promise<ReceiptRow[]> {
    const { rows } = await db.query<ReceiptRow>(
      // A receipt for this alert's message came after the alert: from its id's month on (childFloor),
      // planned over those partitions only.
      `UPDATE receipts SET notification_id = $3
       WHERE provider = $1 AND provider_message_id = $2 AND notification_id IS NULL
         AND status IN ('DELIVERED', 'UNDELIVERED', 'FAILED')
         AND ($4::date IS NULL OR created_month >= $4::date)
       RETURNING *`,
      [provider, providerMessageId, notificationId, childFloor([notificationId])],
    );
    return rows.sort((a, b) => Number(a.id) - Number(b.id));
  }
}
