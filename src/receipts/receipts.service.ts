import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '../database/database.service';
import { WriteBatcher } from '../database/write-batcher';
import { WriteBatches } from '../database/write-batches';
import { Metrics } from '../metrics/metrics.service';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { FINAL_PROVIDER_STATUSES } from '../providers/provider.interface';
import { IntermediateReceiptsWriter } from './intermediate-receipts.writer';
import { DELIVERED_FROM, ReceiptApplier, UNDELIVERED_FROM } from './receipt-applier';
import { FinalReceiptRow, messageLockKey, ReceiptInput, ReceiptsRepository } from './receipts.repository';

/** 'duplicate': a replay of a stored receipt (the same one again); nothing was written or counted. */
export type ReceiptResult = 'applied' | 'unmatched' | 'recorded' | 'duplicate';

/** The batch did not settle this receipt: it is recorded in a transaction of its own once the batch is done. */
const ALONE = 'alone';
type BatchResult = 'applied' | 'unmatched' | 'duplicate' | typeof ALONE;
const RULES = { deliveredFrom: DELIVERED_FROM, undeliveredFrom: UNDELIVERED_FROM };

/** Correlates receipts from every provider with the attempt that produced the message. */
@Injectable()
export class ReceiptsService {
  /**
   * Final receipts of concurrent requests share one transaction (BEGIN, locks, one statement, COMMIT)
   * instead of eight round trips each: in the benchmark these were a large part of Postgres's CPU per alert.
   */
  private readonly finals: WriteBatcher<ReceiptInput, BatchResult>;

  constructor(
    private readonly db: Database,
    private readonly receipts: ReceiptsRepository,
    private readonly attempts: AttemptsRepository,
    private readonly notifications: NotificationsRepository,
    private readonly applier: ReceiptApplier,
    private readonly metrics: Metrics,
    private readonly intermediate: IntermediateReceiptsWriter,
    private readonly batches: WriteBatches,
  ) {
    // Not retried item by item by the batcher: a failed flush marks its receipts ALONE (below).
    this.finals = batches.create(
      'receipt',
      (items: readonly ReceiptInput[]) => this.recordFinals(items),
      false,
    );
  }

  async record(receipt: ReceiptInput): Promise<ReceiptResult> {
    if (!FINAL_PROVIDER_STATUSES.has(receipt.status)) {
      if (!(await this.intermediate.write(receipt))) return this.duplicate(receipt);
      this.metrics.receipts.inc({ provider: receipt.provider, status: receipt.status });
      return 'recorded';
    }
    const result = await this.finals.submit(receipt);
    return result === ALONE ? this.recordAlone(receipt) : result;
  }

  private async recordFinals(items: readonly ReceiptInput[]): Promise<BatchResult[]> {
    let rows: FinalReceiptRow[];
    try {
      rows = await this.db.transaction(async (tx) => {
        await this.receipts.lockMessages(
          items.map((r) => messageLockKey(r.provider, r.providerMessageId)),
          tx,
        );
        return this.receipts.recordFinalMany(items, RULES, tx);
      });
    } catch (err) {
      // Rolled back as a whole: one bad receipt (or a deadlock victim) must not fail the others, so each
      // is tried again on its own, where a lasting error reaches only its own webhook.
      this.batches.failed('receipt', err);
      return items.map(() => ALONE);
    }
    return rows.map((row, i) => this.settle(items[i], row));
  }

  private settle(receipt: ReceiptInput, row: FinalReceiptRow): BatchResult {
    // A second receipt for an alert in one batch was not written: it goes after, so it sees the first.
    if (row.deferred) return ALONE;
    if (row.duplicate) return this.duplicate(receipt);
    if (row.notification_id === null) {
      this.metrics.receipts.inc({ provider: receipt.provider, status: 'UNMATCHED' });
      return 'unmatched';
    }
    if (row.authorised_at) this.applier.observe(receipt, row.moved, row.authorised_at);
    return 'applied';
  }

  /** One receipt in its own transaction: the path of a receipt the batch could not settle. */
  private recordAlone(receipt: ReceiptInput): Promise<ReceiptResult> {
    return this.db.transaction(async (tx) => {
      await this.receipts.lockMessage(receipt.provider, receipt.providerMessageId, tx);
      const attempt = await this.attempts.byProviderMessage(receipt.provider, receipt.providerMessageId, tx);
      if (!(await this.receipts.insert(receipt, attempt?.notification_id ?? null, tx))) {
        return this.duplicate(receipt);
      }
      if (!attempt) {
        // Kept and counted: either it raced ahead of our SENT write (matched then) or it is truly unknown.
        this.metrics.receipts.inc({ provider: receipt.provider, status: 'UNMATCHED' });
        return 'unmatched';
      }
      await this.applyTo(attempt.notification_id, receipt, tx);
      return 'applied';
    });
  }

  /** A replay is answered like the original (the provider stops retrying) but counted apart. */
  private duplicate(receipt: ReceiptInput): 'duplicate' {
    this.metrics.receiptsDuplicate.inc({ provider: receipt.provider });
    return 'duplicate';
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
