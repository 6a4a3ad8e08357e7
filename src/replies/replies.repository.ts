import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { Database } from '../database/database.service';
import type { ReplyClassification } from './reply-classifier';

/** A reply as stored: the text and the number are personal data and leave this class only as typed rows. */
export interface ReplyRow {
  id: string;
  provider: string;
  provider_message_id: string;
  phone_e164: string;
  to_number: string;
  text: string;
  classification: ReplyClassification;
  keyword: string | null;
  notification_id: string | null;
  notification_kind: string | null;
  transaction_id: string | null;
  cardholder_id: string | null;
  card_last4: string | null;
  alert_sent_at: Date | null;
  received_at: Date;
}

export interface NewReply {
  provider: string;
  providerMessageId: string;
  from: string;
  to: string;
  text: string;
  classification: ReplyClassification;
  keyword: string | null;
  receivedAt: Date;
  /** Alerts accepted after this instant (and not after receivedAt) may be the one replied to. */
  linkSince: Date;
}

/** An outbox entry with its reply, as the publisher sends it. */
export interface OutboxRow extends ReplyRow {
  outbox_id: string;
}

const COLUMNS = `id, provider, provider_message_id, phone_e164, to_number, text, classification, keyword,
  notification_id, notification_kind, transaction_id, cardholder_id, card_last4, alert_sent_at, received_at`;

// One publisher at a time across every dispatcher: the others' rounds find the lock taken and skip.
const PUBLISH_LOCK = 'alertline:reply-outbox';

/**
 * Every read and write of replies and their outbox (docs/design.md, "The cardholder's reply"). The only
 * place a cardholder is looked up by phone number.
 */
@Injectable()
export class RepliesRepository {
  constructor(private readonly db: Database) {}

  /**
   * Links, stores and queues one reply in one statement (so in one transaction): the latest alert accepted
   * for this number within the window, among the cardholders whose contact has the number, that was sent to
   * the number; the reply; its outbox row; a REPLY_RECEIVED line in the alert's history. Null when the
   * provider had delivered this message id before (nothing written).
   */
  async record(reply: NewReply): Promise<ReplyRow | null> {
    const rows = await this.db.query<ReplyRow>(
      `WITH alert AS (
         SELECT n.id, n.kind, n.transaction_id, n.cardholder_id, n.card_last4, n.accepted_at
         FROM notifications n
         WHERE n.cardholder_id IN (SELECT cardholder_id FROM contacts WHERE phone_e164 = $4)
           AND n.phone_e164 = $4 AND n.accepted_at > $10 AND n.accepted_at <= $9
         ORDER BY n.accepted_at DESC, n.id DESC
         LIMIT 1
       ), stored AS (
         INSERT INTO replies (${COLUMNS})
         SELECT $1::uuid, $2, $3, $4, $5, $6, $7, $8, a.id, a.kind, a.transaction_id, a.cardholder_id, a.card_last4,
                a.accepted_at, $9::timestamptz
         FROM (SELECT 1) one LEFT JOIN alert a ON true
         ON CONFLICT (provider, provider_message_id) DO NOTHING
         RETURNING ${COLUMNS}
       ), queued AS (
         INSERT INTO reply_outbox (reply_id, created_at) SELECT id, received_at FROM stored
       ), history AS (
         INSERT INTO notification_events (notification_id, at, type, provider, provider_message_id, detail)
         SELECT notification_id, received_at, 'REPLY_RECEIVED', provider, provider_message_id, classification
         FROM stored WHERE notification_id IS NOT NULL
       )
       SELECT * FROM stored`,
      [
        randomUUID(),
        reply.provider,
        reply.providerMessageId,
        reply.from,
        reply.to,
        reply.text,
        reply.classification,
        reply.keyword,
        reply.receivedAt,
        reply.linkSince,
      ],
    );
    return rows[0] ?? null;
  }

  /** The replies linked to one alert, oldest first (support's timeline). */
  async forNotification(notificationId: string): Promise<ReplyRow[]> {
    return this.db.query<ReplyRow>(
      `SELECT ${COLUMNS} FROM replies WHERE notification_id = $1 ORDER BY received_at, id LIMIT 100`,
      [notificationId],
    );
  }

  /**
   * One publishing round, when no other dispatcher holds it: up to `limit` unpublished replies, oldest
   * first, handed to `publish`, then marked published in the same transaction. `publish` throwing leaves
   * them unpublished for the next round. Resolves with how many were published, or null when another
   * dispatcher is publishing.
   */
  async publishBatch(limit: number, publish: (rows: OutboxRow[]) => Promise<void>): Promise<number | null> {
    return this.db.transaction(async (tx: PoolClient) => {
      const lock = await tx.query<{ ok: boolean }>(
        `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok`,
        [PUBLISH_LOCK],
      );
      if (!lock.rows[0].ok) return null;
      const { rows } = await tx.query<OutboxRow>(
        `SELECT o.id AS outbox_id, ${COLUMNS.replace(/(^|,\s*)(\w)/g, '$1r.$2')}
         FROM reply_outbox o JOIN replies r ON r.id = o.reply_id
         WHERE o.published_at IS NULL
         ORDER BY o.id
         LIMIT $1`,
        [limit],
      );
      if (rows.length === 0) return 0;
      await publish(rows);
      await tx.query(`UPDATE reply_outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [
        rows.map((r) => r.outbox_id),
      ]);
      return rows.length;
    });
  }

  /** How many replies wait in the outbox and since when (the publisher's gauges). */
  async backlog(): Promise<{ count: number; oldest: Date | null }> {
    const [row] = await this.db.query<{ count: number; oldest: Date | null }>(
      `SELECT count(*)::int AS count, min(created_at) AS oldest FROM reply_outbox WHERE published_at IS NULL`,
    );
    return row;
  }
}
