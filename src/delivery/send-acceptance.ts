import { Injectable } from '@nestjs/common';
import { besidePlace, DataCipher } from '../crypto/data-cipher';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { EventsRepository } from '../notifications/events.repository';
import { NotificationStatus as S } from '../notifications/notification-status';
import { AttemptRow, AttemptStatus, NewEvent, NotificationRow } from '../notifications/notification.types';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { messageLockKey, ReceiptsRepository } from '../receipts/receipts.repository';
import { ReceiptsService } from '../receipts/receipts.service';
import { LeaseLostError } from '../queue/queue.errors';
import { LeaseFence } from './lease-fence';
import { MessagePartsRepository } from '../receipts/message-parts.repository';
import { MultipartReceipts } from '../receipts/multipart-receipts';
import { SendBatches } from './send-batches';

/** What the provider said when it took the message. */
export interface Acceptance {
  messageId: string;
  segments?: number;
  /** Every part's id when the provider gave one per part; the first is `messageId`. */
  partIds?: string[];
  /** What the handset got when the provider did not send the body as it is (SendResult.handsetText). */
  handsetText?: string;
}

/**
 * The write that records a provider's acceptance: grouped with other dispatchers' acceptances when it is
 * a plain one-part message, in its own transaction when it has parts or route notes to keep in order.
 * Receipts that arrived before the acceptance was recorded are applied in the same transaction.
 */
@Injectable()
export class SendAcceptance {
  constructor(
    private readonly fence: LeaseFence,
    private readonly batches: SendBatches,
    private readonly notifications: NotificationsRepository,
    private readonly attempts: AttemptsRepository,
    private readonly events: EventsRepository,
    private readonly receiptLocks: ReceiptsRepository,
    private readonly receipts: ReceiptsService,
    private readonly parts: MessagePartsRepository,
    private readonly multipart: MultipartReceipts,
    private readonly cipher: DataCipher,
  ) {}

  async record(
    n: NotificationRow,
    attempt: AttemptRow,
    sent: Acceptance,
    now: Date,
    notes: NewEvent[],
  ): Promise<void> {
    const { messageId, segments } = sent;
    const handsetTextEnc = this.sealHandsetText(n, attempt.id, sent.handsetText);
    const partIds = sent.partIds && sent.partIds.length > 1 ? sent.partIds : undefined;
    if (notes.length === 0 && !partIds) {
      const req = { notificationId: n.id, attemptId: attempt.id, provider: attempt.provider, messageId, now };
      const outcome = await this.batches.accepted({
        ...req,
        generation: n.lease_generation,
        segments: segments ?? null,
        handsetTextEnc,
      });
      if (outcome === 'lease-lost') throw new LeaseLostError(n.id, n.lease_generation);
      return;
    }
    await this.alone(n, attempt, { messageId, segments }, handsetTextEnc, partIds, now, notes);
  }

  /**
   * The handset's text is the message (merchant, amount): sealed under the alert's data key, so the key
   * walk and the purge that cover the alert cover it. An alert from before encryption at rest (in flight
   * across the migration) has no data key: its handset text is not kept.
   */
  private sealHandsetText(n: NotificationRow, attemptId: string, text: string | undefined): Buffer | null {
    if (text === undefined || n.wrapped_key === null || n.data_key_id === null) return null;
    return this.cipher.sealBeside(n, besidePlace.handsetText(attemptId), text);
  }

  private async alone(
    n: NotificationRow,
    attempt: AttemptRow,
    { messageId, segments }: Acceptance,
    handsetTextEnc: Buffer | null,
    partIds: string[] | undefined,
    now: Date,
    notes: NewEvent[],
  ): Promise<void> {
    // A claim that already ended the alert still gets this attempt recorded: a real SMS, its receipts
    // must find it.
    await this.fence.run(n, true, async (tx) => {
      // Every part's lock at once, in the same (hash) order receipt batches take theirs: taken one by
      // one, a receipt batch holding a later part could deadlock with this transaction.
      const ids = [messageId, ...(partIds ?? []).filter((id) => id !== messageId)];
      await this.receiptLocks.lockMessages(
        ids.map((id) => messageLockKey(attempt.provider, id)),
        tx,
      );
      await this.attempts.finish(
        attempt.id,
        { status: AttemptStatus.ACCEPTED, providerMessageId: messageId, segments, handsetTextEnc },
        now,
        tx,
      );
      if (partIds) await this.parts.record(attempt.id, partIds, tx);
      const change = { status: S.SENT, provider: attempt.provider, providerMessageId: messageId, at: now };
      const events: NewEvent[] = [];
      if (await this.notifications.transition(n.id, [S.SENDING, S.QUEUED], change, tx)) {
        const detail = segments ? `${segments} segment(s)` : null;
        events.push({
          notificationId: n.id,
          at: now,
          type: S.SENT,
          status: S.SENT,
          provider: attempt.provider,
          providerMessageId: messageId,
          detail,
        });
      }
      await this.events.insertMany([...events, ...notes], tx);
      await this.receipts.applyPending(attempt.provider, messageId, n.id, tx);
      if (partIds) await this.multipart.claimEarlyParts(attempt.provider, partIds, n.id, tx);
    });
  }
}
