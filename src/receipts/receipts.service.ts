import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '../database/database.service';
import { Metrics } from '../metrics/metrics.service';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { FINAL_PROVIDER_STATUSES } from '../providers/provider.interface';
import { IntermediateReceiptsWriter } from './intermediate-receipts.writer';
import { ReceiptApplier } from './receipt-applier';
import { ReceiptInput, ReceiptsRepository } from './receipts.repository';

export type ReceiptResult = 'applied' | 'unmatched' | 'recorded';

/** Correlates receipts from every provider with the attempt that produced the message. */
@Injectable()
export class ReceiptsService {
  constructor(
    private readonly db: Database,
    private readonly receipts: ReceiptsRepository,
    private readonly attempts: AttemptsRepository,
    private readonly notifications: NotificationsRepository,
    private readonly applier: ReceiptApplier,
    private readonly metrics: Metrics,
    private readonly intermediate: IntermediateReceiptsWriter,
  ) {}

  async record(receipt: ReceiptInput): Promise<ReceiptResult> {
    if (!FINAL_PROVIDER_STATUSES.has(receipt.status)) {
      await this.intermediate.write(receipt);
      this.metrics.receipts.inc({ provider: receipt.provider, status: receipt.status });
      return 'recorded';
    }
    return this.db.transaction(async (tx) => {
      await this.receipts.lockMessage(receipt.provider, receipt.providerMessageId, tx);
      const attempt = await this.attempts.byProviderMessage(receipt.provider, receipt.providerMessageId, tx);
      if (!attempt) {
        // Kept and counted: either it raced ahead of our SENT write (matched then) or it is truly unknown.
        await this.receipts.insert(receipt, null, tx);
        this.metrics.receipts.inc({ provider: receipt.provider, status: 'UNMATCHED' });
        return 'unmatched';
      }
      await this.receipts.insert(receipt, attempt.notification_id, tx);
      await this.applyTo(attempt.notification_id, receipt, tx);
      return 'applied';
    });
  }

  /** Called in the transaction that records SENT, under the same message lock. */
  async applyPending(
    provider: string,
    providerMessageId: string,
    notificationId: string,
    tx: Queryable,
  ): Promise<void> {
    const pending = await this.receipts.claimUnmatched(provider, providerMessageId, notificationId, tx);
    for (const r of pending) {
      await this.applyTo(
        notificationId,
        {
          provider: r.provider,
          providerMessageId: r.provider_message_id,
          status: r.status,
          providerStatus: r.provider_status,
          errorCode: r.error_code,
          receivedAt: r.received_at,
        },
        tx,
      );
    }
  }

  private async applyTo(notificationId: string, receipt: ReceiptInput, tx: Queryable): Promise<void> {
    const n = await this.notifications.findById(notificationId, tx);
    if (!n) return;
    await this.applier.apply(
      receipt,
      {
        notificationId,
        currentMessage:
          n.provider === receipt.provider && n.provider_message_id === receipt.providerMessageId,
        authorisedAt: n.authorised_at,
      },
      tx,
    );
  }
}
