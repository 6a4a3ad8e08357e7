import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Database } from '../database/database.service';
import { ReceiptInput } from './receipts.repository';

const MAX_BATCH = 500;
const LINGER_MS = 15;

interface Pending {
  receipt: ReceiptInput;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Intermediate receipts (queued, accepted, sent) change no state, so they need neither the message lock
 * nor a transaction of their own: concurrent webhook requests share one multi-row INSERT. Each request
 * still waits for its row to be durable before it answers, so nothing is acknowledged and then lost.
 * In the benchmark these were half of the api's database work.
 */
@Injectable()
export class IntermediateReceiptsWriter implements OnModuleDestroy {
  private pending: Pending[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly db: Database) {}

  write(receipt: ReceiptInput): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ receipt, resolve, reject });
      if (this.pending.length >= MAX_BATCH) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), LINGER_MS);
    });
  }

  private async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const r = batch.map((p) => p.receipt);
    try {
      // notification_id from the attempt when SENT is already recorded; otherwise left empty (the SENT
      // transaction claims only final receipts, which are the ones that can move an alert).
      await this.db.query(
        `INSERT INTO receipts (provider, provider_message_id, status, provider_status, error_code, notification_id, received_at)
         SELECT u.provider, u.message_id, u.status, u.provider_status, u.error_code, a.notification_id, u.received_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
           AS u(provider, message_id, status, provider_status, error_code, received_at)
         LEFT JOIN delivery_attempts a ON a.provider = u.provider AND a.provider_message_id = u.message_id`,
        [
          r.map((x) => x.provider),
          r.map((x) => x.providerMessageId),
          r.map((x) => x.status),
          r.map((x) => x.providerStatus),
          r.map((x) => x.errorCode ?? null),
          r.map((x) => x.receivedAt),
        ],
      );
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }
}
