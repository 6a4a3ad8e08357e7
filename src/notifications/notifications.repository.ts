import { Injectable } from '@nestjs/common';
import { DataCipher } from '../crypto/data-cipher';
import { Database, Queryable } from '../database/database.service';
import { idMonth } from './alert-id';
import { NotificationStatus } from './notification-status';
import { NewNotification, NotificationRow } from './notification.types';

export interface StatusChange {
  status: NotificationStatus;
  provider?: string | null;
  providerMessageId?: string | null;
  errorCode?: string | null;
  errorDetail?: string | null;
  at: Date;
}

/** A claimed alert, and whether an earlier attempt is still in flight (then the provider is asked first). */
export type ClaimedRow = NotificationRow & { has_in_flight: boolean };

/**
 * Where a sending dispatcher's claim stands: `held` (its generation is current), `taken` (claimed again
 * since, or back in the queue: someone else decides now), `moved-on` (another claim already ended it).
 */
export type LeaseStanding = 'held' | 'taken' | 'moved-on';

@Injectable()
export class NotificationsRepository {
  constructor(
    private readonly db: Database,
    private readonly cipher: DataCipher,
  ) {}

  /**
   * Inserts the alerts of one Kafka chunk, the number, text and template params sealed (never stored plain). A transactionId
   * that already has an alert is skipped by the unique key in notification_transactions: that is the
   * dedupe. Returns the ids that were new.
   */
  async insertMany(rows: NewNotification[], db: Queryable): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const col = <K extends keyof NewNotification>(k: K) => rows.map((r) => r[k]);
    const sealed = rows.map((r) => {
      const params = r.templateParams ? JSON.stringify(r.templateParams) : null;
      return r.phoneE164 === null && r.body === null && params === null
        ? null
        : this.cipher.seal('notifications', r.id, { phone: r.phoneE164, body: r.body, params });
    });
    const { rows: inserted } = await db.query<{ id: string }>(
      // One alert per transactionId, ever: notification_transactions holds the key (the partitioned
      // notifications cannot have a unique index without the month), written in the same statement, so a
      // failed insert leaves no key behind. A transactionId twice in one chunk keeps its first alert.
      `WITH u AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
                   $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[],
                   $14::text[], $15::text[], $16::text[], $17::bigint[], $18::text[], $19::bytea[], $20::int[],
                   $21::text[], $22::timestamptz[], $23::int[], $24::bigint[], $25::bytea[], $26::bytea[],
                   $27::date[], $28::text[], $29::bytea[]) WITH ORDINALITY
           AS u(id, transaction_id, event_id, cardholder_id, card_id, card_last4, amount_minor, currency,
                merchant_name, merchant_city, channel, authorised_at, received_at, status, skip_reason, data_key_id,
                contact_version, locale, wrapped_key, segments, encoding, deadline_at, source_partition, source_offset,
                phone_enc, body_enc, created_month, template_key, template_params_enc, idx)
       ), fresh AS (
         INSERT INTO notification_transactions (transaction_id)
         SELECT DISTINCT transaction_id FROM u
         ON CONFLICT (transaction_id) DO NOTHING
         RETURNING transaction_id
       )
       INSERT INTO notifications (id, transaction_id, event_id, cardholder_id, card_id, card_last4, amount_minor,
         currency, merchant_name, merchant_city, channel, authorised_at, received_at, status, skip_reason,
         data_key_id, contact_version, locale, wrapped_key, segments, encoding, deadline_at, source_partition,
         source_offset, phone_enc, body_enc, final_at, updated_at, created_month, template_key, template_params_enc)
       SELECT DISTINCT ON (u.transaction_id) u.id, u.transaction_id, u.event_id, u.cardholder_id, u.card_id,
              u.card_last4, u.amount_minor, u.currency, u.merchant_name, u.merchant_city, u.channel,
              u.authorised_at, u.received_at, u.status, u.skip_reason, u.data_key_id, u.contact_version, u.locale,
              u.wrapped_key, u.segments, u.encoding, u.deadline_at, u.source_partition, u.source_offset,
              u.phone_enc, u.body_enc, CASE WHEN u.status = 'SKIPPED' THEN u.received_at END, u.received_at,
              -- The month of the (UUIDv7) id: lookups by id name it (alert-id.ts).
              COALESCE(u.created_month, (date_trunc('month', now() AT TIME ZONE 'UTC'))::date),
              u.template_key, u.template_params_enc
       FROM u WHERE u.transaction_id IN (SELECT transaction_id FROM fresh)
       ORDER BY u.transaction_id, u.idx
       RETURNING id`,
      [
        col('id'),
        col('transactionId'),
        col('eventId'),
        col('cardholderId'),
        col('cardId'),
        col('cardLast4'),
        col('amountMinor'),
        col('currency'),
        col('merchantName'),
        col('merchantCity'),
        col('channel'),
        col('authorisedAt'),
        col('receivedAt'),
        col('status'),
        col('skipReason'),
        sealed.map((x) => x?.keyId ?? null),
        col('contactVersion'),
        col('locale'),
        sealed.map((x) => x?.wrappedKey ?? null),
        col('segments'),
        col('encoding'),
        col('deadlineAt'),
        col('sourcePartition'),
        col('sourceOffset'),
        sealed.map((x) => x?.phone ?? null),
        sealed.map((x) => x?.body ?? null),
        rows.map((r) => idMonth(r.id)),
        col('templateKey'),
        sealed.map((x) => x?.params ?? null),
      ],
    );
    return new Set(inserted.map((r) => r.id));
  }

  async findStatusByTransactionIds(
    transactionIds: string[],
    db: Queryable = this.db.pool,
  ): Promise<Array<{ id: string; transaction_id: string; status: NotificationStatus }>> {
    const { rows } = await db.query<{ id: string; transaction_id: string; status: NotificationStatus }>(
      `SELECT id, transaction_id, status FROM notifications WHERE transaction_id = ANY($1)`,
      [transactionIds],
    );
    return rows;
  }

  async findById(id: string, db: Queryable = this.db.pool): Promise<NotificationRow | null> {
    const { rows } = await db.query<NotificationRow>(
      `SELECT * FROM notifications WHERE id = $1 AND ($2::date IS NULL OR created_month = $2::date)`,
      [id, idMonth(id)],
    );
    return rows[0] ?? null;
  }

  async findByTransactionId(transactionId: string): Promise<NotificationRow | null> {
    const rows = await this.db.query<NotificationRow>(
      `SELECT * FROM notifications WHERE transaction_id = $1`,
      [transactionId],
    );
    return rows[0] ?? null;
  }

  /**
   * Locks the alert for a write by the dispatcher that claimed `generation` and says whether that claim
   * still stands. The lock (the one a claim's UPDATE takes too) keeps a takeover from slipping in between.
   */
  async lockLease(id: string, generation: number, db: Queryable): Promise<LeaseStanding> {
    const { rows } = await db.query<{ lease_generation: number; status: NotificationStatus }>(
      `SELECT lease_generation, status FROM notifications
       WHERE id = $1 AND ($2::date IS NULL OR created_month = $2::date) FOR NO KEY UPDATE`,
      [id, idMonth(id)],
    );
    const row = rows[0];
    if (row?.lease_generation === generation) return 'held';
    const open = [NotificationStatus.SENDING, NotificationStatus.QUEUED];
    return !row || open.includes(row.status) ? 'taken' : 'moved-on';
  }

  /**
   * Moves an alert forward. `from` lists the statuses it may leave: a late or repeated update whose
   * precondition no longer holds changes nothing and returns false.
   */
  async transition(
    id: string,
    from: NotificationStatus[],
    change: StatusChange,
    db: Queryable,
  ): Promise<boolean> {
    const final = [
      NotificationStatus.DELIVERED,
      NotificationStatus.UNDELIVERED,
      NotificationStatus.FAILED,
      NotificationStatus.EXPIRED,
    ].includes(change.status);
    const { rowCount } = await db.query(
      `UPDATE notifications SET status = $3,
              provider = COALESCE($4, provider), provider_message_id = COALESCE($5, provider_message_id),
              last_error_code = COALESCE($6, last_error_code), last_error_detail = COALESCE($7, last_error_detail),
              accepted_at = CASE WHEN $3 = 'SENT' THEN $8 ELSE accepted_at END,
              final_at = CASE WHEN $9 THEN $8 ELSE final_at END,
              lease_until = CASE WHEN $3 = 'SENDING' THEN lease_until END,
              updated_at = $8
       WHERE id = $1 AND status = ANY($2) AND ($10::date IS NULL OR created_month = $10::date)`,
      [
        id,
        from,
        change.status,
        change.provider ?? null,
        change.providerMessageId ?? null,
        change.errorCode ?? null,
        change.errorDetail ?? null,
        change.at,
        final,
        idMonth(id),
      ],
    );
    return (rowCount ?? 0) > 0;
  }
}
