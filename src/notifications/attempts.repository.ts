import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '../database/database.service';
import { childFloor, idMonth } from './alert-id';
import { AttemptRow, AttemptStatus } from './notification.types';

export interface AttemptOutcome {
  status: AttemptStatus;
  providerMessageId?: string | null;
  errorCode?: string | null;
  errorDetail?: string | null;
  segments?: number | null;
  /** The handset's text sealed under the alert's data key (DataCipher.sealAttemptText). */
  handsetTextEnc?: Buffer | null;
}

@Injectable()
export class AttemptsRepository {
  constructor(private readonly db: Database) {}

  async finish(attemptId: string, outcome: AttemptOutcome, now: Date, db: Queryable): Promise<void> {
    // With the message id, its month and alert for the receipts (provider_message_months, as acceptMany writes it).
    await db.query(
      `WITH fin AS (
         UPDATE delivery_attempts SET status = $2, provider_message_id = COALESCE($3, provider_message_id),
              error_code = $4, error_detail = $5, segments = COALESCE($6, segments), finished_at = $7,
              handset_text_enc = COALESCE($8, handset_text_enc)
         WHERE id = $1 AND ($9::date IS NULL OR created_month = $9::date)
         RETURNING provider, provider_message_id, created_month, notification_id)
       INSERT INTO provider_message_months (provider, provider_message_id, created_month, notification_id)
       SELECT provider, provider_message_id, created_month, notification_id FROM fin
       WHERE provider_message_id IS NOT NULL
       ON CONFLICT (provider, provider_message_id) DO NOTHING`,
      [
        attemptId,
        outcome.status,
        outcome.providerMessageId ?? null,
        outcome.errorCode ?? null,
        outcome.errorDetail ?? null,
        outcome.segments ?? null,
        now,
        outcome.handsetTextEnc ?? null,
        idMonth(attemptId),
      ],
    );
  }

  async inFlight(notificationId: string, db: Queryable = this.db.pool): Promise<AttemptRow[]> {
    const { rows } = await db.query<AttemptRow>(
      `SELECT * FROM delivery_attempts
       WHERE notification_id = $1 AND status = 'IN_FLIGHT' AND ($2::date IS NULL OR created_month >= $2::date)
       ORDER BY attempt_no`,
      [notificationId, childFloor([notificationId])],
    );
    return rows;
  }

  async byProviderMessage(
    provider: string,
    providerMessageId: string,
    db: Queryable,
  ): Promise<AttemptRow | null> {
    const { rows } = await db.query<AttemptRow>(
      // The message id's month first (an InitPlan: a value PostgreSQL prunes with before it starts), then
      // the attempt in that month's partition only.
      `SELECT * FROM delivery_attempts
       WHERE provider = $1 AND provider_message_id = $2
         AND created_month = (SELECT created_month FROM provider_message_months
                              WHERE provider = $1 AND provider_message_id = $2)`,
      [provider, providerMessageId],
    );
    return rows[0] ?? null;
  }

  /** The ones among these message ids that some attempt already recorded. */
  async claimedMessageIds(provider: string, providerMessageIds: string[]): Promise<Set<string>> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT provider_message_id AS id FROM provider_message_months
       WHERE provider = $1 AND provider_message_id = ANY($2::text[])`,
      [provider, providerMessageIds],
    );
    return new Set(rows.map((r) => r.id));
  }

  async forNotification(notificationId: string): Promise<AttemptRow[]> {
    return this.db.query<AttemptRow>(
      `SELECT * FROM delivery_attempts WHERE notification_id = $1 ORDER BY attempt_no`,
      [notificationId],
    );
  }
}
