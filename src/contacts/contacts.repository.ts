import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '../database/database.service';
import { ContactUpsert } from './contact-event.schema';

export interface ContactRow {
  cardholder_id: string;
  version: string;
  deleted: boolean;
  phone_e164: string | null;
  phone_invalid_reason: string | null;
  sms_alerts: boolean;
  locale: string;
  min_amount_minor: string | null;
  flagged_reason: string | null;
}

@Injectable()
export class ContactsRepository {
  constructor(private readonly db: Database) {}

  /** Applies upserts in one statement; a version lower than or equal to the stored one changes nothing. */
  async upsertMany(rows: ContactUpsert[]): Promise<number> {
    if (rows.length === 0) return 0;
    const result = await this.db.query<{ cardholder_id: string }>(
      `INSERT INTO contacts AS c (cardholder_id, version, deleted, phone_e164, phone_invalid_reason, sms_alerts,
                                  locale, min_amount_minor, flagged_reason, flagged_at, updated_at)
       SELECT *, NULL, NULL, now() FROM unnest($1::text[], $2::bigint[], $3::bool[], $4::text[], $5::text[],
                                               $6::bool[], $7::text[], $8::bigint[])
       ON CONFLICT (cardholder_id) DO UPDATE SET
         version = EXCLUDED.version, deleted = EXCLUDED.deleted, phone_e164 = EXCLUDED.phone_e164,
         phone_invalid_reason = EXCLUDED.phone_invalid_reason, sms_alerts = EXCLUDED.sms_alerts,
         locale = EXCLUDED.locale, min_amount_minor = EXCLUDED.min_amount_minor,
         -- a new number clears the flag a provider set on the old one
         flagged_reason = CASE WHEN c.phone_e164 IS DISTINCT FROM EXCLUDED.phone_e164 THEN NULL ELSE c.flagged_reason END,
         flagged_at = CASE WHEN c.phone_e164 IS DISTINCT FROM EXCLUDED.phone_e164 THEN NULL ELSE c.flagged_at END,
         updated_at = now()
       WHERE c.version < EXCLUDED.version
       RETURNING cardholder_id`,
      [
        rows.map((r) => r.cardholderId),
        rows.map((r) => r.version),
        rows.map((r) => r.deleted),
        rows.map((r) => r.phoneE164),
        rows.map((r) => r.phoneInvalidReason),
        rows.map((r) => r.smsAlerts),
        rows.map((r) => r.locale),
        rows.map((r) => r.minAmountMinor),
      ],
    );
    return result.length;
  }

  async markDeleted(cardholderIds: string[]): Promise<void> {
    if (cardholderIds.length === 0) return;
    await this.db.query(
      `UPDATE contacts SET deleted = true, updated_at = now() WHERE cardholder_id = ANY($1)`,
      [cardholderIds],
    );
  }

  async findMany(cardholderIds: string[], db: Queryable = this.db.pool): Promise<Map<string, ContactRow>> {
    const { rows } = await db.query<ContactRow>(`SELECT * FROM contacts WHERE cardholder_id = ANY($1)`, [
      cardholderIds,
    ]);
    return new Map(rows.map((r) => [r.cardholder_id, r]));
  }

  async flag(cardholderId: string, reason: string, db: Queryable = this.db.pool): Promise<void> {
    await db.query(
      `UPDATE contacts SET flagged_reason = $2, flagged_at = now(), updated_at = now() WHERE cardholder_id = $1`,
      [cardholderId, reason],
    );
  }
}
