import { Injectable } from '@nestjs/common';
import { Queryable } from '../database/database.service';
import { Metrics } from '../metrics/metrics.service';
import { EventsRepository } from '../notifications/events.repository';
import { HistoryEvent, NotificationStatus } from '../notifications/notification-status';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { FINAL_PROVIDER_STATUSES, ProviderMessageStatus } from '../providers/provider.interface';
import { ReceiptInput } from './receipts.repository';

const S = NotificationStatus;
// DELIVERED also ends states where we did not know the message got through (a retry was queued after a
// timeout, or the deadline passed): the handset has it, so no second SMS may follow.
export const DELIVERED_FROM = [S.QUEUED, S.SENDING, S.SENT, S.EXPIRED];
// A failure report can only end a message we believe is with the carrier (and, see apply, only the
// alert's current message); the batch statement in ReceiptsRepository is given the same lists.
export const UNDELIVERED_FROM = [S.SENT];

/** Applies one receipt to its alert, forward only. Runs inside the caller's transaction and message lock. */
@Injectable()
export class ReceiptApplier {
  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly events: EventsRepository,
    private readonly metrics: Metrics,
  ) {}

  async apply(
    receipt: ReceiptInput,
    target: { notificationId: string; currentMessage: boolean; authorisedAt: Date },
    db: Queryable,
  ): Promise<void> {
    const at = receipt.receivedAt;
    const base = {
      notificationId: target.notificationId,
      at,
      provider: receipt.provider,
      providerMessageId: receipt.providerMessageId,
      errorCode: receipt.errorCode ?? null,
    };
    let moved: NotificationStatus | null = null;
    if (receipt.status === ProviderMessageStatus.DELIVERED) {
      if (
        await this.notifications.transition(
          target.notificationId,
          DELIVERED_FROM,
          { status: S.DELIVERED, at },
          db,
        )
      ) {
        moved = S.DELIVERED;
      }
    } else if (
      target.currentMessage &&
      (receipt.status === ProviderMessageStatus.UNDELIVERED ||
        receipt.status === ProviderMessageStatus.FAILED)
    ) {
      // Only the attempt the alert now rests on can make it UNDELIVERED; an older attempt's failure cannot.
      const change = {
        status: S.UNDELIVERED,
        at,
        errorCode: receipt.errorCode,
        errorDetail: receipt.providerStatus,
      };
      if (await this.notifications.transition(target.notificationId, UNDELIVERED_FROM, change, db))
        moved = S.UNDELIVERED;
    }
    // Intermediate receipts (queued, sent) stay in the receipts table only; a final receipt that moved
    // nothing (late, repeated, contradicting) is worth a line in the history.
    if (moved || FINAL_PROVIDER_STATUSES.has(receipt.status)) {
      await this.events.insertMany(
        [{ ...base, type: moved ?? HistoryEvent.RECEIPT, status: moved, detail: receipt.providerStatus }],
        db,
      );
    }
    this.observe(receipt, moved, target.authorisedAt);
  }

  /** The metrics of one applied receipt; shared with the batch path so both count alike. */
  observe(receipt: ReceiptInput, moved: NotificationStatus | null, authorisedAt: Date): void {
    this.metrics.receipts.inc({ provider: receipt.provider, status: receipt.status });
    if (moved) this.metrics.transition(moved, receipt.errorCode ?? '');
    if (moved === S.DELIVERED) {
      this.metrics.alertLatency.observe(
        { stage: 'delivered' },
        (receipt.receivedAt.getTime() - authorisedAt.getTime()) / 1000,
      );
    }
  }
}
