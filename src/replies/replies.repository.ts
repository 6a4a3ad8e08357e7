import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataCipher } from '../crypto/data-cipher';
import { Database } from '../database/database.service';
import type { ReplyClassification } from './reply-classifier';

/**
 * A reply, its number and text opened: they are sealed at rest and leave this class only as typed rows.
 * Both are null once the retention purge cleared them.
 */
export interface ReplyRow {
  id: string;
  provider: string;
  provider_message_id: string;
  phone_e164: string | null;
  to_number: string;
  text: string | null;
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

type StoredReply = Omit<ReplyRow, 'phone_e164' | 'text'> & {
  data_key_id: string | null;
  wrapped_key: Buffer | null;
  phone_enc: Buffer | null;
  text_enc: Buffer | null;
};

/** What the key walk reads of a reply: its wrapped data key only. */
export interface ReplyKeyRow {
  row_id: string;
  at: Date;
  data_key_id: string | null;
  wrapped_key: Buffer | null;
}

/** A reply's data key re-wrapped under the current key; `oldWrappedKey` guards against a concurrent purge. */
export interface ReplyRewrap {
  rowId: string;
  keyId: string;
  wrappedKey: Buffer;
  oldWrappedKey: Buffer | null;
}

interface Candidate {
  id: string;
  kind: string;
  transaction_id: string;
  cardholder_id: string;
  card_last4: string;
  accepted_at: Date;
  data_key_id: string | null;
  wrapped_key: Buffer | null;
  phone_enc: Buffer | null;
  phone_e164: string | null;
}

// The latest alerts of the number's cardholders looked at for the one sent to the number (each opened to
// compare): a cardholder sends few alerts a day, so the one replied to is among them.
const CANDIDATES = 20;

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

const COLUMNS = `id, provider, provider_message_id, data_key_id, wrapped_key, phone_enc, to_number, text_enc,
  classification, keyword, notification_id, notification_kind, transaction_id, cardholder_id, card_last4,
  alert_sent_at, received_at`;

// One publisher at a time across every dispatcher: the others' rounds find the lock taken and skip.
const PUBLISH_LOCK = 'alertline:reply-outbox';

/**
 * Every read and write of replies and their outbox (docs/design.md, "The cardholder's reply"). The only
 * place a cardholder is looked up by phone number.
 */
@Injectable()
export class RepliesRepository {
  constructor(
    private readonly db: Database,
    private readonly cipher: DataCipher,
  ) {}

  /**
   * The alert a reply from this number answers: the latest accepted within the window among the alerts of
   * the cardholders whose contact has the number (found by its keyed hash), that was sent to the number
   * (opened and compared: alerts store it sealed).
   */
  private async link(reply: NewReply, phoneHash: Buffer): Promise<Candidate | null> {
    const rows = await this.db.query<Candidate>(
      `SELECT n.id, n.kind, n.transaction_id, n.cardholder_id, n.card_last4, n.accepted_at,
              n.data_key_id, n.wrapped_key, n.phone_enc, n.phone_e164
       FROM notifications n
       WHERE n.cardholder_id IN (SELECT cardholder_id FROM contacts WHERE phone_hash = $1)
         AND n.accepted_at > $2 AND n.accepted_at <= $3 AND n.purged_at IS NULL
       ORDER BY n.accepted_at DESC, n.id DESC
       LIMIT ${CANDIDATES}`,
      [phoneHash, reply.linkSince, reply.receivedAt],
    );
    return rows.find((n) => this.cipher.open('notifications', n.id, n).phone === reply.from) ?? null;
  }

  private opened(row: StoredReply): ReplyRow {
    const { data_key_id, wrapped_key, phone_enc, text_enc, ...rest } = row;
    const opened = this.cipher.open('replies', row.id, {
      data_key_id,
      wrapped_key,
      phone_enc,
      phone_e164: null,
      body_enc: text_enc,
      body: null,
    });
    return { ...rest, phone_e164: opened.phone, text: opened.body };
  }

  /**
   * Links, stores and queues one reply in one statement (so in one transaction): the latest alert accepted
   * for this number within the window, among the cardholders whose contact has the number, that was sent to
   * the number; the reply; its outbox row; a REPLY_RECEIVED line in the alert's history. Null when the
   * provider had delivered this message id before (nothing written).
   */
  async record(reply: NewReply): Promise<ReplyRow | null> {
    const id = randomUUID();
    const phoneHash = this.cipher.phoneHash(reply.from);
    const alert = await this.link(reply, phoneHash);
    const sealed = this.cipher.seal('replies', id, { phone: reply.from, body: reply.text });
    const rows = await this.db.query<StoredReply>(
      `WITH stored AS (
         INSERT INTO replies (${COLUMNS}, phone_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
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
        id,
        reply.provider,
        reply.providerMessageId,
        sealed.keyId,
        sealed.wrappedKey,
        sealed.phone,
        reply.to,
        sealed.body,
        reply.classification,
        reply.keyword,
        alert?.id ?? null,
        alert?.kind ?? null,
        alert?.transaction_id ?? null,
        alert?.cardholder_id ?? null,
        alert?.card_last4 ?? null,
        alert?.accepted_at ?? null,
        reply.receivedAt,
        phoneHash,
      ],
    );
    return rows[0] ? this.opened(rows[0]) : null;
  }

  /** The replies from one number (its keyed hash), oldest first: for tests and the demo. */
  async fromNumber(phone: string): Promise<ReplyRow[]> {
    const rows = await this.db.query<StoredReply>(
      `SELECT ${COLUMNS} FROM replies WHERE phone_hash = $1 ORDER BY received_at, id LIMIT 100`,
      [this.cipher.phoneHash(phone)],
    );
    return rows.map((r) => this.opened(r));
  }

  /** The replies linked to one alert, oldest first (support's timeline). */
  async forNotification(notificationId: string): Promise<ReplyRow[]> {
    const rows = await this.db.query<StoredReply>(
      `SELECT ${COLUMNS} FROM replies WHERE notification_id = $1 ORDER BY received_at, id LIMIT 100`,
      [notificationId],
    );
    return rows.map((r) => this.opened(r));
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
      const { rows } = await tx.query<StoredReply & { outbox_id: string }>(
        `SELECT o.id AS outbox_id, ${COLUMNS.replace(/(^|,\s*)(\w)/g, '$1r.$2')}
         FROM reply_outbox o JOIN replies r ON r.id = o.reply_id
         WHERE o.published_at IS NULL
         ORDER BY o.id
         LIMIT $1`,
        [limit],
      );
      if (rows.length === 0) return 0;
      await publish(rows.map((r) => ({ ...this.opened(r), outbox_id: r.outbox_id })));
      await tx.query(`UPDATE reply_outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [
        rows.map((r) => r.outbox_id),
      ]);
      return rows.length;
    });
  }

  /**
   * The retention purge of replies received before `before`, at most `limit` (oldest first): the sealed
   * number and text and the wrapped key go (crypto-shredding), the reading, the times and the link stay.
   * Unpublished ones are held back: the fraud system gets every reply first.
   */
  async purgeBatch(before: Date, limit: number, now: Date): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE replies r SET phone_enc = NULL, text_enc = NULL, wrapped_key = NULL, data_key_id = NULL,
              phone_hash = NULL, purged_at = $3
       WHERE r.id IN (
         SELECT id FROM replies x
         WHERE x.purged_at IS NULL AND x.received_at < $1
           AND NOT EXISTS (SELECT 1 FROM reply_outbox o WHERE o.reply_id = x.id AND o.published_at IS NULL)
         ORDER BY x.received_at, x.id
         LIMIT $2)
       RETURNING r.id`,
      [before, limit, now],
    );
    return rows.length;
  }

  /**
   * The key walk's next replies still holding a data key, in (received_at, id) order up to the walk's start:
   * only their wrapped keys change on rotation (replies were sealed from their first write).
   */
  async nextForKeyWalk(
    startedAt: Date,
    after: { at: Date | null; id: string | null },
    limit: number,
  ): Promise<ReplyKeyRow[]> {
    return this.db.query<ReplyKeyRow>(
      `SELECT id::text AS row_id, received_at AS at, data_key_id, wrapped_key FROM replies
       WHERE purged_at IS NULL AND received_at <= $1
         AND (received_at, id) > (COALESCE($2, '-infinity'::timestamptz), COALESCE($3::uuid, '00000000-0000-0000-0000-000000000000'))
       ORDER BY received_at, id
       LIMIT $4`,
      [startedAt, after.at, after.id, limit],
    );
  }

  /** Re-wrapped data keys; a reply whose key changed since it was read (purged) is left alone. */
  async rewrapKeys(rows: ReplyRewrap[]): Promise<number> {
    if (rows.length === 0) return 0;
    const changed = await this.db.query<{ id: string }>(
      `UPDATE replies r SET data_key_id = u.key_id, wrapped_key = u.wrapped_key
       FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::bytea[]) AS u(id, key_id, wrapped_key, old)
       WHERE r.id = u.id AND r.wrapped_key = u.old
       RETURNING r.id`,
      [
        rows.map((r) => r.rowId),
        rows.map((r) => r.keyId),
        rows.map((r) => r.wrappedKey),
        rows.map((r) => r.oldWrappedKey),
      ],
    );
    return changed.length;
  }

  /** How many replies wait in the outbox and since when (the publisher's gauges). */
  async backlog(): Promise<{ count: number; oldest: Date | null }> {
    const [row] = await this.db.query<{ count: number; oldest: Date | null }>(
      `SELECT count(*)::int AS count, min(created_at) AS oldest FROM reply_outbox WHERE published_at IS NULL`,
    );
    return row;
  }
}
