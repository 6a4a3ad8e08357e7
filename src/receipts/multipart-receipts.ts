import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '../database/database.service';
import { Metrics } from '../metrics/metrics.service';
import { EventsRepository } from '../notifications/events.repository';
import { HistoryEvent } from '../notifications/notification-status';
import { ReceiptInput, ReceiptRow, ReceiptsRepository } from './receipts.repository';
import { ReceiptResult, ReceiptsService } from './receipts.service';
import { MessagePart, MessagePartsRepository } from './message-parts.repository';

/**
 * Receipts of providers that report each part of a long message separately (receiptsPerPart in their
 * ProviderDefinition). The first part's receipt decides the alert's status, through ReceiptsService like any
 * other; a later part's receipt is kept in the alert's history ("part 2/3: delivered") and counted.
 */
@Injectable()
export class MultipartReceipts {
  constructor(
    private readonly parts: MessagePartsRepository,
    private readonly receipts: ReceiptsService,
    private readonly stored: ReceiptsRepository,
    private readonly events: EventsRepository,
    private readonly metrics: Metrics,
    private readonly db: Database,
  ) {}

  async record(receipt: ReceiptInput): Promise<ReceiptResult | 'part'> {
    const part = await this.parts.find(receipt.provider, receipt.providerMessageId);
    if (part && part.partNo <= 1) return this.receipts.record(receipt);
    if (!part) {
      const result = await this.receipts.record(receipt);
      return result === 'unmatched' ? this.claimIfLatePart(receipt, result) : result;
    }
    // Stored like any receipt, so a replayed deliver_sm or DLR for a later part adds no second history line.
    const fresh = await this.db.transaction(async (tx) => {
      if (!(await this.stored.insert(receipt, part.notificationId, tx))) return false;
      await this.events.insertMany(
        [
          {
            notificationId: part.notificationId,
            at: receipt.receivedAt,
            type: HistoryEvent.RECEIPT,
            provider: receipt.provider,
            providerMessageId: receipt.providerMessageId,
            errorCode: receipt.errorCode ?? null,
            detail: `part ${part.partNo}/${part.parts}: ${receipt.providerStatus}`,
          },
        ],
        tx,
      );
      return true;
    });
    if (!fresh) {
      this.metrics.receiptsDuplicate.inc({ provider: receipt.provider });
      return 'duplicate';
    }
    this.metrics.receipts.inc({ provider: receipt.provider, status: receipt.status });
    return 'part';
  }

  /**
   * A receipt stored unmatched may be a later part whose parts were recorded while it waited for its
   * message lock: the lookup above ran before that commit, and the claim of early parts in it ran before
   * this receipt was stored, so neither saw the other (seen as a missing "part 2/3" line under load).
   * Looked up again now that the receipt is committed; claimUnmatched takes it only if nobody did.
   */
  private async claimIfLatePart(
    receipt: ReceiptInput,
    result: ReceiptResult,
  ): Promise<ReceiptResult | 'part'> {
    const part = await this.parts.find(receipt.provider, receipt.providerMessageId);
    if (!part || part.partNo <= 1) return result;
    const claimed = await this.db.transaction(async (tx) => {
      await this.stored.lockMessage(receipt.provider, receipt.providerMessageId, tx);
      return this.claimPart(receipt.provider, receipt.providerMessageId, part, tx);
    });
    return claimed ? 'part' : result;
  }

  /**
   * In the transaction that records the parts, which holds every part's message lock: receipts for later
   * parts that arrived before it (stored unmatched) are moved into the history. The first part's are
   * applied by ReceiptsService.applyPending.
   */
  async claimEarlyParts(
    provider: string,
    partIds: string[],
    notificationId: string,
    tx: Queryable,
  ): Promise<void> {
    for (let i = 1; i < partIds.length; i++) {
      await this.claimPart(
        provider,
        partIds[i],
        { notificationId, partNo: i + 1, parts: partIds.length },
        tx,
      );
    }
  }

  /** Moves a later part's unmatched receipts into its alert's history; false when there were none. */
  private async claimPart(
    provider: string,
    partId: string,
    part: Pick<MessagePart, 'notificationId' | 'partNo' | 'parts'>,
    tx: Queryable,
  ): Promise<boolean> {
    const early: ReceiptRow[] = await this.stored.claimUnmatched(provider, partId, part.notificationId, tx);
    await this.events.insertMany(
      early.map((r) => ({
        notificationId: part.notificationId,
        at: r.received_at,
        type: HistoryEvent.RECEIPT,
        provider,
        providerMessageId: r.provider_message_id,
        errorCode: r.error_code,
        detail: `part ${part.partNo}/${part.parts}: ${r.provider_status}`,
      })),
      tx,
    );
    return early.length > 0;
  }
}
