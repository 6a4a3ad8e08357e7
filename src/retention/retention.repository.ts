import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service';
import { childMonthFloor } from '../notifications/alert-id';

/** What the re-wrap walk reads of an alert or a contact (`row_id`: the alert's id or the cardholder id). */
export interface WalkRow {
  row_id: string;
  /** An alert's month partition (YYYY-MM-DD); null for a contact. */
  month: string | null;
  at: Date | null;
  data_key_id: string | null;
  wrapped_key: Buffer | null;
  phone_enc: Buffer | null;
  body_enc: Buffer | null;
  phone_e164: string | null;
  body: string | null;
  /** An alert's plain template params and what belongs to it in plain: rows from before 1795555000000. */
  template_params?: unknown;
  handset_texts?: Array<{ id: string; text: string }> | null;
  reversal_template?: { id: string; template: unknown } | null;
}

/** A value sealed beside its alert by the walk: an attempt's handset text or a reversal's template. */
export interface SealedBeside {
  id: string;
  enc: Buffer;
}

/** A row's new sealing: its data key re-wrapped, or (a row from before encryption) its values sealed. */
export interface Resealed {
  rowId: string;
  /** An alert's month partition, named by the write; null for a contact. */
  month: string | null;
  keyId: string;
  wrappedKey: Buffer;
  /** Null: the sealed values stay as they are (only the data key was re-wrapped). */
  phoneEnc: Buffer | null;
  bodyEnc: Buffer | null;
  phoneHash: Buffer | null;
  /** The wrapped key the row had when read: a row changed since (resend, purge) is left alone. */
  oldWrappedKey: Buffer | null;
  paramsEnc?: Buffer | null;
  handsetTexts?: SealedBeside[];
  reversalTemplate?: SealedBeside | null;
}

export type WalkTarget = 'notifications' | 'contacts' | 'replies';

export interface WalkState {
  target: WalkTarget;
  current_key: string;
  started_at: Date;
  cursor_at: Date | null;
  cursor_id: string | null;
  changed: string;
  unreadable: string;
  finished_at: Date | null;
}

const SEALED = `data_key_id, wrapped_key, phone_enc, phone_e164`;
// What belongs to an alert and was stored in plain before 1795555000000: its attempts' handset texts (their
// months from the one before the alert's) and its reversal's template. Found on indexes by alert id.
const PLAIN_BESIDE = `(SELECT json_agg(json_build_object('id', a.id, 'text', a.handset_text))
         FROM delivery_attempts a WHERE a.notification_id = n.id AND a.handset_text IS NOT NULL
           AND a.created_month >= (n.created_month - interval '1 month')::date) AS handset_texts,
       (SELECT json_build_object('id', r.reversal_id, 'template', r.template)
         FROM reversals r WHERE r.notification_id = n.id AND r.template IS NOT NULL) AS reversal_template`;

/** The SQL of the retention purge and the key re-wrap walk; every statement is one bounded batch. */
@Injectable()
export class RetentionRepository {
  constructor(readonly db: Database) {}

  /**
   * Removes the personal data of up to `limit` final alerts received before `before`: number, text,
   * template params, sealed data key, the provider's error texts on the alert, its attempts (and the
   * handset's text) and its history, and a correction's template on its reversal. The history
   * rows stay (statuses, providers, times, codes). Alerts a sender holds are skipped, never waited for.
   * One short transaction: the batch is picked oldest first on each month's `notifications_unpurged_idx`
   * (a descent per month partition, stopping at `before`), then every write names the months it touches
   * (the alerts' own, and for their attempts and history lines the month before the earliest onwards), so
   * PostgreSQL visits those partitions only, however many months are kept.
   */
  async purgeBatch(before: Date, limit: number, now: Date): Promise<number> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string; month: string }>(
        `SELECT id, to_char(created_month, 'YYYY-MM-DD') AS month FROM notifications
         WHERE purged_at IS NULL AND received_at < $1 AND final_at IS NOT NULL
         ORDER BY received_at, id
         LIMIT $2
         FOR UPDATE SKIP LOCKED`,
        [before, limit],
      );
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.id);
      const months = [...new Set(rows.map((r) => r.month))].sort();
      await tx.query(
        `UPDATE notifications SET phone_e164 = NULL, body = NULL, phone_enc = NULL, body_enc = NULL,
                template_params = NULL, template_params_enc = NULL,
                wrapped_key = NULL, data_key_id = NULL, last_error_detail = NULL, purged_at = $3
         WHERE id = ANY($1::uuid[]) AND created_month = ANY($2::date[])`,
        [ids, months, now],
      );
      const floor = childMonthFloor(months);
      await tx.query(
        `UPDATE delivery_attempts SET error_detail = NULL, handset_text = NULL, handset_text_enc = NULL
         WHERE notification_id = ANY($1::uuid[]) AND created_month >= $2::date
           AND (error_detail IS NOT NULL OR handset_text IS NOT NULL OR handset_text_enc IS NOT NULL)`,
        [ids, floor],
      );
      // A correction's reversal keeps its facts (amount, state, reason) for reconciliation; not its text.
      await tx.query(
        `UPDATE reversals SET template = NULL, template_enc = NULL
         WHERE notification_id = ANY($1::uuid[]) AND (template IS NOT NULL OR template_enc IS NOT NULL)`,
        [ids],
      );
      await tx.query(
        `UPDATE notification_events SET detail = NULL
         WHERE notification_id = ANY($1::uuid[]) AND created_month >= $2::date AND detail IS NOT NULL`,
        [ids, floor],
      );
      return rows.length;
    });
  }

  /** Final-or-not alerts past the retention that still hold personal data, for the run's report. */
  async countHeldBack(before: Date): Promise<number> {
    const { rows } = await this.db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM notifications WHERE purged_at IS NULL AND received_at < $1 AND final_at IS NULL`,
      [before],
    );
    return Number(rows[0].n);
  }

  async walkState(target: WalkTarget): Promise<WalkState | null> {
    const { rows } = await this.db.pool.query<WalkState>(`SELECT * FROM data_key_walks WHERE target = $1`, [
      target,
    ]);
    return rows[0] ?? null;
  }

  async startWalk(target: WalkTarget, currentKey: string, now: Date): Promise<WalkState> {
    const { rows } = await this.db.pool.query<WalkState>(
      `INSERT INTO data_key_walks (target, current_key, started_at, changed, unreadable)
       VALUES ($1, $2, $3, 0, 0)
       ON CONFLICT (target) DO UPDATE SET current_key = $2, started_at = $3, cursor_at = NULL, cursor_id = NULL,
         changed = 0, unreadable = 0, finished_at = NULL
       RETURNING *`,
      [target, currentKey, now],
    );
    return rows[0];
  }

  async advanceWalk(
    target: WalkTarget,
    cursor: { at: Date | null; id: string },
    changed: number,
    unreadable: number,
  ): Promise<void> {
    await this.db.pool.query(
      `UPDATE data_key_walks SET cursor_at = $2, cursor_id = $3, changed = changed + $4,
              unreadable = unreadable + $5
       WHERE target = $1`,
      [target, cursor.at, cursor.id, changed, unreadable],
    );
  }

  async finishWalk(target: WalkTarget, now: Date): Promise<WalkState> {
    const { rows } = await this.db.pool.query<WalkState>(
      `UPDATE data_key_walks SET finished_at = $2 WHERE target = $1 RETURNING *`,
      [target, now],
    );
    return rows[0];
  }

  /** The next alerts of the walk, in (received_at, id) order on the unpurged index, up to the walk's start. */
  async nextAlerts(state: WalkState, limit: number): Promise<WalkRow[]> {
    const { rows } = await this.db.pool.query<WalkRow>(
      `SELECT id::text AS row_id, to_char(created_month, 'YYYY-MM-DD') AS month, received_at AS at, ${SEALED},
              body_enc, body, template_params, ${PLAIN_BESIDE}
       FROM notifications n
       WHERE purged_at IS NULL AND received_at <= $1
         AND (received_at, id) > (COALESCE($2, '-infinity'::timestamptz), COALESCE($3::uuid, '00000000-0000-0000-0000-000000000000'))
       ORDER BY received_at, id
       LIMIT $4`,
      [state.started_at, state.cursor_at, state.cursor_id, limit],
    );
    return rows;
  }

  async nextContacts(state: WalkState, limit: number): Promise<WalkRow[]> {
    const { rows } = await this.db.pool.query<WalkRow>(
      `SELECT cardholder_id AS row_id, NULL::text AS month, NULL::timestamptz AS at, ${SEALED}, NULL::bytea AS body_enc,
              NULL::text AS body
       FROM contacts WHERE cardholder_id > COALESCE($1, '') ORDER BY cardholder_id LIMIT $2`,
      [state.cursor_id, limit],
    );
    return rows;
  }

  /**
   * Writes re-sealed alerts; one whose data key changed since it was read is left for the next walk. The
   * batch's months are named, so only their partitions are visited.
   */
  async resealAlerts(rows: Resealed[]): Promise<number> {
    if (rows.length === 0) return 0;
    const months = [...new Set(rows.map((r) => r.month as string))].sort();
    return this.db.transaction(async (tx) => {
      const { rows: written } = await tx.query<{ id: string }>(
        `UPDATE notifications n SET data_key_id = u.key_id, wrapped_key = u.wrapped,
                phone_enc = COALESCE(u.phone_enc, n.phone_enc), body_enc = COALESCE(u.body_enc, n.body_enc),
                template_params_enc = COALESCE(u.params_enc, n.template_params_enc),
                phone_e164 = NULL, body = NULL, template_params = NULL
         FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[], $8::bytea[])
           AS u(id, key_id, wrapped, phone_enc, body_enc, old_wrapped, params_enc)
         WHERE n.id = u.id AND n.created_month = ANY($7::date[]) AND n.purged_at IS NULL
           AND n.wrapped_key IS NOT DISTINCT FROM u.old_wrapped
         RETURNING n.id::text`,
        [...columns(rows), months, rows.map((r) => r.paramsEnc ?? null)],
      );
      // Values sealed under a data key that was stored: only the alerts written above.
      const stored = new Set(written.map((w) => w.id));
      const mine = rows.filter((r) => stored.has(r.rowId));
      const texts = mine.flatMap((r) => r.handsetTexts ?? []);
      if (texts.length > 0) {
        await tx.query(
          `UPDATE delivery_attempts a SET handset_text_enc = u.enc, handset_text = NULL
           FROM unnest($1::uuid[], $2::bytea[]) AS u(id, enc)
           WHERE a.id = u.id AND a.created_month >= $3::date`,
          [texts.map((t) => t.id), texts.map((t) => t.enc), childMonthFloor(months)],
        );
      }
      const templates = mine.flatMap((r) => (r.reversalTemplate ? [r.reversalTemplate] : []));
      if (templates.length > 0) {
        await tx.query(
          `UPDATE reversals r SET template_enc = u.enc, template = NULL
           FROM unnest($1::text[], $2::bytea[]) AS u(id, enc) WHERE r.reversal_id = u.id`,
          [templates.map((t) => t.id), templates.map((t) => t.enc)],
        );
      }
      return written.length;
    });
  }

  async resealContacts(rows: Resealed[]): Promise<number> {
    if (rows.length === 0) return 0;
    const { rowCount } = await this.db.pool.query(
      `UPDATE contacts c SET data_key_id = u.key_id, wrapped_key = u.wrapped,
              phone_enc = COALESCE(u.phone_enc, c.phone_enc), phone_hash = COALESCE(u.phone_hash, c.phone_hash),
              phone_e164 = NULL
       FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[], $7::bytea[])
         AS u(id, key_id, wrapped, phone_enc, body_enc, old_wrapped, phone_hash)
       WHERE c.cardholder_id = u.id AND NOT c.deleted AND c.wrapped_key IS NOT DISTINCT FROM u.old_wrapped`,
      [...columns(rows), rows.map((r) => r.phoneHash)],
    );
    return rowCount ?? 0;
  }
}

function columns(rows: Resealed[]): unknown[] {
  return [
    rows.map((r) => r.rowId),
    rows.map((r) => r.keyId),
    rows.map((r) => r.wrappedKey),
    rows.map((r) => r.phoneEnc),
    rows.map((r) => r.bodyEnc),
    rows.map((r) => r.oldWrappedKey),
  ];
}
