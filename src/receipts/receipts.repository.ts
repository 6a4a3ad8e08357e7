import { Injectable } from '@nestjs/common';
import { Queryable } from '../database/database.service';
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

@Injectable()
export class ReceiptsRepository {
  /**
   * Serialises everything about one provider message id (its SENT record and its receipts) for the rest
   * of the transaction, so a receipt that races the SENT write is matched by whichever commits second.
   */
  async lockMessage(provider: string, providerMessageId: string, db: Queryable): Promise<void> {
    await db.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `${provider}:${providerMessageId}`,
    ]);
  }

  async insert(receipt: ReceiptInput, notificationId: string | null, db: Queryable): Promise<void> {
    await db.query(
      `INSERT INTO receipts (provider, provider_message_id, status, provider_status, error_code, notification_id, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
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
