import { Injectable } from '@nestjs/common';
import { DataCipher, SealedColumns } from '../crypto/data-cipher';
import { Database, Queryable } from '../database/database.service';
import { ContactUpsert } from './contact-event.schema';

/** A contact as ingest and resends use it: the number opened (they copy it into an alert). */
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

type StoredContact = Omit<ContactRow, 'phone_e164'> & SealedColumns;

@Injectable()
export class ContactsRepository {
  constructor(
    private readonly db: Database,
    private readonly cipher: DataCipher,
  ) {}

  /**
   * Applies upserts in one statement; a version lower than or equal to the stored one changes nothing. The
   * number is stored sealed, with its keyed hash; a deleted contact's is not stored at all.
   */
  async upsertMany(rows: ContactUpsert[]): Promise<number> {
    if (rows.length === 0) return 0;
    const phones = rows.map((r) => (r.deleted ? null : r.phoneE164));
    const sealed = rows.map((r, i) => {
      const phone = phones[i];
      return phone === null ? null : this.cipher.seal('contacts', r.cardholderId, { phone, body: null });
    });
    const result = await this.db.query<{ cardholder_id: string }>(
      `INSERT INTO contacts AS c (cardholder_id, version, deleted, phone_hash, phone_invalid_reason, sms_alerts,
                                  locale, min_amount_minor, data_key_id, wrapped_key, phone_enc, flagged_reason,
                                  flagged_at, phone_e164, updated_at)
       SELECT *, NULL, NULL, NULL, now()
       FROM unnest($1::text[], $2::bigint[], $3::bool[], $4::bytea[], $5::text[], $6::bool[], $7::text[],
                   $8::bigint[], $9::text[], $10::bytea[], $11::bytea[])
       ON CONFLICT (cardholder_id) DO UPDATE SET
         version = EXCLUDED.version, deleted = EXCLUDED.deleted, phone_hash = EXCLUDED.phone_hash,
         data_key_id = EXCLUDED.data_key_id, wrapped_key = EXCLUDED.wrapped_key, phone_enc = EXCLUDED.phone_enc,
         phone_e164 = NULL,
         phone_invalid_reason = EXCLUDED.phone_invalid_reason, sms_alerts = EXCLUDED.sms_alerts,
         locale = EXCLUDED.locale, min_amount_minor = EXCLUDED.min_amount_minor,
         -- a new number clears the flag a provider set on the old one (compared by keyed hash)
         flagged_reason = CASE WHEN c.phone_hash IS DISTINCT FROM EXCLUDED.phone_hash THEN NULL ELSE c.flagged_reason END,
         flagged_at = CASE WHEN c.phone_hash IS DISTINCT FROM EXCLUDED.phone_hash THEN NULL ELSE c.flagged_at END,
         updated_at = now()
       WHERE c.version < EXCLUDED.version
       RETURNING cardholder_id`,
      [
        rows.map((r) => r.cardholderId),
        rows.map((r) => r.version),
        rows.map((r) => r.deleted),
        phones.map((p) => (p === null ? null : this.cipher.phoneHash(p))),
        rows.map((r) => r.phoneInvalidReason),
        rows.map((r) => r.smsAlerts),
        rows.map((r) => r.locale),
        rows.map((r) => r.minAmountMinor),
        sealed.map((s) => s?.keyId ?? null),
        sealed.map((s) => s?.wrappedKey ?? null),
        sealed.map((s) => s?.phone ?? null),
      ],
    );
    return result.length;
  }

  /** A tombstone: the row stays (a stale update cannot bring the cardholder back), the number goes now. */
  async markDeleted(cardholderIds: string[]): Promise<void> {
    if (cardholderIds.length === 0) return;
    await this.db.query(
      `UPDATE contacts SET deleted = true, phone_e164 = NULL, phone_enc = NULL, phone_hash = NULL,
              wrapped_key = NULL, data_key_id = NULL, phone_invalid_reason = NULL, updated_at = now()
       WHERE cardholder_id = ANY($1)`,
      [cardholderIds],
    );
  }

  /** The contacts with their numbers opened: only ingest and supervisor resends, which send to them, ask. */
  async findMany(cardholderIds: string[], db: Queryable = this.db.pool): Promise<Map<string, ContactRow>> {
    const { rows } = await db.query<StoredContact>(
      `SELECT cardholder_id, version, deleted, phone_e164, phone_invalid_reason, sms_alerts, locale,
              min_amount_minor, flagged_reason, data_key_id, wrapped_key, phone_enc
       FROM contacts WHERE cardholder_id = ANY($1)`,
      [cardholderIds],
    );
    return new Map(
      rows.map((r) => {
        const { data_key_id, wrapped_key, phone_enc, phone_e164, ...rest } = r;
        const { phone } = this.cipher.open('contacts', r.cardholder_id, {
          data_key_id,
          wrapped_key,
          phone_enc,
          phone_e164,
        });
        return [r.cardholder_id, { ...rest, phone_e164: phone }];
      }),
    );
  }

  async flag(cardholderId: string, reason: string, db: Queryable = this.db.pool): Promise<void> {
    await db.query(
      `UPDATE contacts SET flagged_reason = $2, flagged_at = now(), updated_at = now() WHERE cardholder_id = $1`,
      [cardholderId, reason],
    );
  }
}
