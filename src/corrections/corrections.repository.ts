import { Injectable } from '@nestjs/common';
import { besidePlace, DataCipher } from '../crypto/data-cipher';
import { Database, Queryable } from '../database/database.service';
import { idMonth } from '../notifications/alert-id';
import { CorrectionSend, NewReversal, OriginalRow, ReversalRow, ReversalState } from './corrections.types';

/** The reversals table and the correction alerts' own writes; everything else about them is an alert's. */
@Injectable()
export class CorrectionsRepository {
  constructor(
    private readonly db: Database,
    private readonly cipher: DataCipher,
  ) {}

  /**
   * Records new reversals (WAITING_FOR_ORIGINAL) and their correction alerts (RECEIVED, kind CORRECTION),
   * with a first history line. A reversalId already stored is skipped: that is the dedupe. Returns the new
   * reversal ids.
   */
  async insertWaiting(rows: NewReversal[], db: Queryable): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const col = (f: (r: NewReversal) => unknown) => rows.map(f);
    const { rows: inserted } = await db.query<{ reversal_id: string }>(
      `INSERT INTO reversals (reversal_id, event_id, transaction_id, cardholder_id, card_id, card_last4, kind,
         amount_minor, currency, merchant_name, merchant_city, reversed_at, received_at, notification_id,
         source_partition, source_offset, state)
       SELECT u.*, 'WAITING_FOR_ORIGINAL'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::bigint[], $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[],
                   $14::uuid[], $15::int[], $16::bigint[]) AS u
       ON CONFLICT (reversal_id) DO NOTHING
       RETURNING reversal_id`,
      [
        col((r) => r.event.reversalId),
        col((r) => r.event.eventId),
        col((r) => r.event.transactionId),
        col((r) => r.event.cardholderId),
        col((r) => r.event.cardId),
        col((r) => r.event.cardLast4),
        col((r) => r.event.kind),
        col((r) => r.event.amountMinor),
        col((r) => r.event.currency),
        col((r) => r.event.merchantName),
        col((r) => r.event.merchantCity ?? null),
        col((r) => r.event.reversedAt),
        col((r) => r.receivedAt),
        col((r) => r.notificationId),
        col((r) => r.partition),
        col((r) => r.offset),
      ],
    );
    const fresh = new Set(inserted.map((r) => r.reversal_id));
    const created = rows.filter((r) => fresh.has(r.event.reversalId));
    if (created.length === 0) return fresh;
    // The correction's own transaction_id is synthetic (notifications keeps one row per transaction_id);
    // the original's id is on the reversal, and support finds both through the link.
    await db.query(
      `WITH n AS (
         INSERT INTO notifications (id, transaction_id, event_id, cardholder_id, card_id, card_last4, amount_minor,
           currency, merchant_name, merchant_city, authorised_at, received_at, status, kind, updated_at,
           source_partition, source_offset, created_month)
         SELECT r.notification_id, 'correction:' || r.notification_id, r.event_id, r.cardholder_id, r.card_id,
                r.card_last4, r.amount_minor, r.currency, r.merchant_name, r.merchant_city, r.reversed_at,
                r.received_at, 'RECEIVED', 'CORRECTION', r.received_at, r.source_partition, r.source_offset,
                -- The month of its UUIDv7 id (minted at received_at), as every alert's.
                date_trunc('month', r.received_at AT TIME ZONE 'UTC')::date
         FROM reversals r WHERE r.reversal_id = ANY($1)
         RETURNING id, received_at)
       INSERT INTO notification_events (notification_id, at, type, status, detail)
       SELECT id, received_at, 'RECEIVED', 'RECEIVED', NULL FROM n
       UNION ALL
       SELECT id, received_at, 'WAITING_FOR_ORIGINAL', NULL, 'a correction is sent only after its original' FROM n`,
      [created.map((r) => r.event.reversalId)],
    );
    return fresh;
  }

  /** Of these reversals, the correction alerts still QUEUED (a redelivery re-adds their jobs, Bull ignores a live one). */
  async queuedCorrections(reversalIds: string[]): Promise<string[]> {
    if (reversalIds.length === 0) return [];
    const rows = await this.db.query<{ id: string }>(
      `SELECT n.id FROM reversals r JOIN notifications n ON n.id = r.notification_id
       WHERE r.reversal_id = ANY($1) AND n.status = 'QUEUED'`,
      [reversalIds],
    );
    return rows.map((r) => r.id);
  }

  /** The original transactions with a reversal waiting, of those given (or any, oldest first, when none given). */
  async waitingTransactionIds(transactionIds: string[] | null, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ transaction_id: string }>(
      `SELECT transaction_id FROM reversals
       WHERE state = 'WAITING_FOR_ORIGINAL' AND ($1::text[] IS NULL OR transaction_id = ANY($1))
       GROUP BY transaction_id ORDER BY min(received_at) LIMIT $2`,
      [transactionIds, limit],
    );
    return rows.map((r) => r.transaction_id);
  }

  /** Waiting reversals whose original is this alert (the dispatcher's trigger after the alert moved). */
  async waitingForAlert(notificationId: string): Promise<string[]> {
    const rows = await this.db.query<{ transaction_id: string }>(
      // Asked after every alert's move: named in its id's month, it is planned over one partition, not
      // every month kept (0.1 ms against 0.5 ms of planning with 15 months, twice per alert).
      `SELECT DISTINCT r.transaction_id FROM notifications n
       JOIN reversals r ON r.transaction_id = n.transaction_id AND r.state = 'WAITING_FOR_ORIGINAL'
       WHERE n.id = $1 AND n.kind = 'ALERT' AND ($2::date IS NULL OR n.created_month = $2::date)`,
      [notificationId, idMonth(notificationId)],
    );
    return rows.map((r) => r.transaction_id);
  }

  async countWaiting(): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM reversals WHERE state = 'WAITING_FOR_ORIGINAL'`,
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Serialises decisions about one original transaction (ingest, dispatchers, the sweeper) and reads what
   * they need. The original is read FOR SHARE: a status change in flight finishes first, and none starts
   * until this decision is committed, so its own trigger (after its commit) sees what was decided here.
   */
  async lockForDecision(
    transactionId: string,
    db: Queryable,
  ): Promise<{ original: OriginalRow | null; waiting: ReversalRow[]; reversedBefore: number }> {
    await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('reversals:' || $1, 0))`, [transactionId]);
    const { rows: originals } = await db.query<OriginalRow>(
      `SELECT id, status, card_id, amount_minor, currency, merchant_name, merchant_city, authorised_at
       FROM notifications WHERE transaction_id = $1 AND kind = 'ALERT' FOR SHARE`,
      [transactionId],
    );
    const { rows: waiting } = await db.query<ReversalRow>(
      `SELECT reversal_id, transaction_id, cardholder_id, card_id, card_last4, kind, amount_minor, currency,
              received_at, state, notification_id
       FROM reversals WHERE transaction_id = $1 AND state = 'WAITING_FOR_ORIGINAL'
       ORDER BY received_at, source_partition, source_offset, reversal_id`,
      [transactionId],
    );
    const { rows: sums } = await db.query<{ total: string | null }>(
      `SELECT sum(amount_minor) AS total FROM reversals
       WHERE transaction_id = $1 AND state IN ('QUEUED', 'SKIPPED')`,
      [transactionId],
    );
    return { original: originals[0] ?? null, waiting, reversedBefore: Number(sums[0]?.total ?? 0) };
  }

  /** Links a waiting correction to its original once that alert exists. */
  async link(notificationId: string, originalId: string, db: Queryable): Promise<void> {
    await db.query(
      `UPDATE notifications SET original_notification_id = $2 WHERE id = $1 AND original_notification_id IS NULL`,
      [notificationId, originalId],
    );
  }

  /** Ends a reversal without an SMS: its correction alert becomes SKIPPED with the reason. */
  async close(
    reversal: ReversalRow,
    state: ReversalState.SKIPPED | ReversalState.REFUSED,
    reason: string,
    detail: string,
    originalId: string | null,
    at: Date,
    db: Queryable,
  ): Promise<void> {
    await db.query(
      `WITH r AS (
         UPDATE reversals SET state = $2, reason = $3, detail = $4, decided_at = $6 WHERE reversal_id = $1
         RETURNING notification_id),
       n AS (
         UPDATE notifications SET status = 'SKIPPED', skip_reason = $3, final_at = $6, updated_at = $6,
                original_notification_id = COALESCE(original_notification_id, $5)
         WHERE id = (SELECT notification_id FROM r) AND status = 'RECEIVED'
         RETURNING id)
       INSERT INTO notification_events (notification_id, at, type, status, detail)
       SELECT id, $6, $7, 'SKIPPED', $3 || ': ' || $4 FROM n`,
      [
        reversal.reversal_id,
        state,
        reason,
        detail,
        originalId,
        at,
        state === ReversalState.REFUSED ? 'REFUSED' : 'SKIPPED',
      ],
    );
  }

  /**
   * Hands a correction to the dispatcher: QUEUED with its text, number and deadline, like a new alert,
   * sealed as ingest seals one; the reversal's template (message content too) under the same data key.
   */
  async queue(
    reversal: ReversalRow,
    send: CorrectionSend,
    detail: string,
    originalId: string,
    at: Date,
    db: Queryable,
  ): Promise<void> {
    const sealed = this.cipher.seal('notifications', reversal.notification_id, {
      phone: send.phoneE164,
      body: send.body,
      params: JSON.stringify(send.template.params),
    });
    const owner = { data_key_id: sealed.keyId, wrapped_key: sealed.wrappedKey };
    const template = this.cipher.sealBeside(
      owner,
      besidePlace.reversalTemplate(reversal.reversal_id),
      JSON.stringify(send.template),
    );
    await db.query(
      `WITH r AS (
         UPDATE reversals SET state = 'QUEUED', detail = $2, decided_at = $3, template_enc = $12
         WHERE reversal_id = $1
         RETURNING notification_id),
       n AS (
         UPDATE notifications SET status = 'QUEUED', body_enc = $4, locale = $5, segments = $6, encoding = $7,
                phone_enc = $8, contact_version = $9, deadline_at = $10, original_notification_id = $11,
                data_key_id = $13, wrapped_key = $14, updated_at = $3, template_key = $15,
                template_params_enc = $16
         WHERE id = (SELECT notification_id FROM r) AND status = 'RECEIVED'
         RETURNING id)
       INSERT INTO notification_events (notification_id, at, type, status, detail)
       SELECT id, $3, 'QUEUED', 'QUEUED', $2 FROM n`,
      [
        reversal.reversal_id,
        `${send.segments} segment(s) ${send.encoding}; ${detail}`,
        at,
        sealed.body,
        send.locale,
        send.segments,
        send.encoding,
        sealed.phone,
        send.contactVersion,
        send.deadlineAt,
        originalId,
        template,
        sealed.keyId,
        sealed.wrappedKey,
        // On the alert too: template-only vendors (Aliyun, Tencent) send this, not the body.
        send.template.key,
        sealed.params,
      ],
    );
  }
}
