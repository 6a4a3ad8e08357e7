import { Injectable } from '@nestjs/common';
import { ContactsRepository } from '../contacts/contacts.repository';
import { Database } from '../database/database.service';
import { Metrics } from '../metrics/metrics.service';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { EventsRepository } from '../notifications/events.repository';
import { HistoryEvent, NotificationStatus as S } from '../notifications/notification-status';
import { AttemptRow, AttemptStatus, NotificationRow } from '../notifications/notification.types';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { ProviderError } from '../providers/provider.errors';
import { ReceiptsRepository } from '../receipts/receipts.repository';
import { ReceiptsService } from '../receipts/receipts.service';

/** Every durable write of the send path, each in its own short transaction. */
@Injectable()
export class SendRecorder {
  constructor(
    private readonly db: Database,
    private readonly notifications: NotificationsRepository,
    private readonly attempts: AttemptsRepository,
    private readonly events: EventsRepository,
    private readonly contacts: ContactsRepository,
    private readonly receiptLocks: ReceiptsRepository,
    private readonly receipts: ReceiptsService,
    private readonly metrics: Metrics,
  ) {}

  /** Claims the alert; null when it is not ours to send (already sent, final, or leased elsewhere). */
  claim(id: string, leaseMs: number, now: Date): Promise<NotificationRow | null> {
    return this.db.transaction((tx) => this.notifications.claim(id, leaseMs, now, tx));
  }

  /** The in-flight record that must exist before the provider is called. */
  startAttempt(n: NotificationRow, provider: string, now: Date): Promise<AttemptRow> {
    return this.db.transaction(async (tx) => {
      const attempt = await this.attempts.start(n.id, provider, now, tx);
      await this.events.insertMany(
        [{ notificationId: n.id, at: now, type: S.SENDING, status: S.SENDING, provider, detail: `attempt ${attempt.attempt_no}` }],
        tx,
      );
      return attempt;
    });
  }

  async accepted(n: NotificationRow, attempt: AttemptRow, messageId: string, segments: number | undefined, now: Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.receiptLocks.lockMessage(attempt.provider, messageId, tx);
      await this.attempts.finish(attempt.id, { status: AttemptStatus.ACCEPTED, providerMessageId: messageId, segments }, now, tx);
      const change = { status: S.SENT, provider: attempt.provider, providerMessageId: messageId, at: now };
      if (await this.notifications.transition(n.id, [S.SENDING, S.QUEUED], change, tx)) {
        await this.events.insertMany(
          [{ notificationId: n.id, at: now, type: S.SENT, status: S.SENT, provider: attempt.provider, providerMessageId: messageId }],
          tx,
        );
      }
      await this.receipts.applyPending(attempt.provider, messageId, n.id, tx);
    });
    this.metrics.notifications.inc({ status: S.SENT, reason: '' });
    this.metrics.alertLatency.observe({ stage: 'accepted' }, (now.getTime() - n.authorised_at.getTime()) / 1000);
  }

  async attemptFailed(n: NotificationRow, attempt: AttemptRow, err: ProviderError, now: Date): Promise<void> {
    const status = err.kind === 'rate-limited' ? AttemptStatus.RATE_LIMITED : AttemptStatus.FAILED;
    await this.db.transaction(async (tx) => {
      await this.attempts.finish(attempt.id, { status, errorCode: err.code, errorDetail: err.message }, now, tx);
      await this.events.insertMany(
        [{ notificationId: n.id, at: now, type: HistoryEvent.ATTEMPT_FAILED, provider: attempt.provider, errorCode: err.code, detail: err.message }],
        tx,
      );
    });
  }

  /** A permanent recipient error ends the alert and flags the contact for support. */
  async permanentlyFailed(n: NotificationRow, attempt: AttemptRow, err: ProviderError, now: Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.attempts.finish(attempt.id, { status: AttemptStatus.REJECTED, errorCode: err.code, errorDetail: err.message }, now, tx);
      const change = { status: S.FAILED, provider: attempt.provider, errorCode: err.code, errorDetail: err.message, at: now };
      if (await this.notifications.transition(n.id, [S.SENDING], change, tx)) {
        await this.events.insertMany(
          [{ notificationId: n.id, at: now, type: S.FAILED, status: S.FAILED, provider: attempt.provider, errorCode: err.code, detail: err.message }],
          tx,
        );
      }
      await this.contacts.flag(n.cardholder_id, `${attempt.provider} ${err.code}: ${err.message}`.slice(0, 300), tx);
    });
    this.metrics.notifications.inc({ status: S.FAILED, reason: err.code });
  }

  /** Back to QUEUED for a retry; the job's backoff decides when. */
  async requeue(n: NotificationRow, lastCode: string, reason: string, now: Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      const change = { status: S.QUEUED, at: now, errorCode: lastCode, errorDetail: reason };
      if (await this.notifications.transition(n.id, [S.SENDING], change, tx)) {
        await this.events.insertMany(
          [{ notificationId: n.id, at: now, type: HistoryEvent.REQUEUED, status: S.QUEUED, detail: reason }],
          tx,
        );
      }
    });
  }

  async expired(n: NotificationRow, now: Date): Promise<void> {
    const detail = `deadline ${n.deadline_at?.toISOString()} passed; last error ${n.last_error_code ?? 'none'}`;
    await this.db.transaction(async (tx) => {
      const change = { status: S.EXPIRED, at: now, errorDetail: detail };
      if (await this.notifications.transition(n.id, [S.SENDING, S.QUEUED], change, tx)) {
        await this.events.insertMany(
          [{ notificationId: n.id, at: now, type: S.EXPIRED, status: S.EXPIRED, errorCode: n.last_error_code, detail }],
          tx,
        );
      }
    });
    this.metrics.notifications.inc({ status: S.EXPIRED, reason: n.last_error_code ?? '' });
  }

  /** A crash left this attempt in flight and the provider has no record of it: it was never sent. */
  async notSent(n: NotificationRow, attempt: AttemptRow, now: Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.attempts.finish(attempt.id, { status: AttemptStatus.NOT_SENT, errorCode: 'NOT_FOUND_AT_PROVIDER' }, now, tx);
      await this.events.insertMany(
        [{ notificationId: n.id, at: now, type: HistoryEvent.RECOVERED_IN_FLIGHT, provider: attempt.provider, detail: 'provider has no such message; sending again' }],
        tx,
      );
    });
  }
}
