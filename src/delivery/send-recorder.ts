import { Injectable } from '@nestjs/common';
import { scrubPersonalData } from '../common/phone-mask';
import { ContactsRepository } from '../contacts/contacts.repository';
import { Metrics } from '../metrics/metrics.service';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { EventsRepository } from '../notifications/events.repository';
import { HistoryEvent, NotificationStatus as S } from '../notifications/notification-status';
import { AttemptRow, AttemptStatus, NewEvent, NotificationRow } from '../notifications/notification.types';
import { ClaimedRow, NotificationsRepository } from '../notifications/notifications.repository';
import { ProviderError } from '../providers/provider.errors';
import type { ClaimedMessages } from '../providers/provider.interface';
import { LeaseHeldError } from '../queue/queue.errors';
import { LeaseFence } from './lease-fence';
import { Acceptance, SendAcceptance } from './send-acceptance';
import { SendBatches } from './send-batches';
import { expiryDetail, failedAttemptStatus, statusEvent, unknownOutcomeDetail } from './send-events';

export type { Acceptance } from './send-acceptance';

/**
 * Every durable write of the send path, each in its own short transaction. `notes` are history events the
 * route collected on the way (breaker changes, failovers); they are written with the next durable write.
 * Every write for a claimed alert is fenced by the claim's lease generation (LeaseFence); the acceptance
 * write is SendAcceptance's.
 * Error texts are masked as they are written: provider errors arrive masked (ProviderError), but a reason
 * built from an unmapped error (an SDK's own message) may not be.
 */
@Injectable()
export class SendRecorder {
  constructor(
    private readonly fence: LeaseFence,
    private readonly notifications: NotificationsRepository,
    private readonly attempts: AttemptsRepository,
    private readonly events: EventsRepository,
    private readonly contacts: ContactsRepository,
    private readonly metrics: Metrics,
    private readonly batches: SendBatches,
    private readonly acceptance: SendAcceptance,
  ) {}

  /** Claims the alert; null when it is not ours to send (already sent, final, or leased elsewhere). */
  claim(id: string, leaseMs: number, now: Date): Promise<ClaimedRow | null> {
    return this.batches.claim({ id, leaseMs, now });
  }

  /**
   * The in-flight record that must exist before the provider is called, after the route's notes; the
   * lease is renewed to `leaseUntil` with it. LeaseHeldError when the claim no longer stands or its lease
   * has run out: then the provider must not be called, and the job tries again (claims, or finds it is
   * not ours).
   */
  async startAttempt(
    n: NotificationRow,
    provider: string,
    now: Date,
    notes: NewEvent[] = [],
    leaseUntil: Date | null = null,
  ): Promise<AttemptRow> {
    const generation = n.lease_generation;
    const attempt = await this.batches.startAttempt({
      notificationId: n.id,
      generation,
      leaseUntil,
      provider,
      now,
      notes,
    });
    if (!attempt) throw new LeaseHeldError(now);
    return attempt;
  }

  /** For a provider's lookup of a message left in flight: the message ids other attempts already have. */
  claimedBy(provider: string): ClaimedMessages {
    return (ids) => this.attempts.claimedMessageIds(provider, ids);
  }

  /** Route notes with no attempt to go with (every provider skipped): written on their own. */
  async note(notes: NewEvent[]): Promise<void> {
    await this.events.insertMany(notes);
  }

  async accepted(
    n: NotificationRow,
    attempt: AttemptRow,
    sent: Acceptance,
    now: Date,
    notes: NewEvent[] = [],
  ): Promise<void> {
    await this.acceptance.record(n, attempt, sent, now, notes);
    this.metrics.transition(S.SENT, '');
    this.metrics.alertLatency.observe(
      { stage: 'accepted' },
      (now.getTime() - n.authorised_at.getTime()) / 1000,
    );
  }

  /** `notSent`: the provider certainly does not have it (refused by the breaker, or asked after a timeout). */
  async attemptFailed(
    n: NotificationRow,
    attempt: AttemptRow,
    err: ProviderError,
    now: Date,
    notes: NewEvent[] = [],
    notSent = false,
  ): Promise<void> {
    const status = failedAttemptStatus(err, notSent);
    const detail = scrubPersonalData(err.message);
    await this.fence.run(n, false, async (tx) => {
      await this.attempts.finish(attempt.id, { status, errorCode: err.code, errorDetail: detail }, now, tx);
      await this.events.insertMany(
        [
          {
            notificationId: n.id,
            at: now,
            type: err.kind === 'cannot-send' ? HistoryEvent.CANNOT_SEND : HistoryEvent.ATTEMPT_FAILED,
            provider: attempt.provider,
            errorCode: err.code,
            detail,
          },
          ...notes,
        ],
        tx,
      );
    });
  }

  /** A permanent recipient error ends the alert and flags the contact for support. */
  async permanentlyFailed(
    n: NotificationRow,
    attempt: AttemptRow,
    err: ProviderError,
    now: Date,
    notes: NewEvent[] = [],
  ): Promise<void> {
    const detail = scrubPersonalData(err.message);
    await this.fence.run(n, false, async (tx) => {
      await this.attempts.finish(
        attempt.id,
        { status: AttemptStatus.REJECTED, errorCode: err.code, errorDetail: detail },
        now,
        tx,
      );
      const change = {
        status: S.FAILED,
        provider: attempt.provider,
        errorCode: err.code,
        errorDetail: detail,
        at: now,
      };
      const events = [...notes];
      if (await this.notifications.transition(n.id, [S.SENDING], change, tx)) {
        events.unshift(statusEvent(n.id, now, S.FAILED, err.code, detail, attempt.provider));
      }
      await this.events.insertMany(events, tx);
      await this.contacts.flag(
        n.cardholder_id,
        `${attempt.provider} ${err.code}: ${detail}`.slice(0, 300),
        tx,
      );
    });
    this.metrics.transition(S.FAILED, err.code);
  }

  /**
   * No provider on the route can carry this alert (each threw CannotSendMessageError): FAILED with
   * CANNOT_SEND and why, since a retry would meet the same providers. The number is not at fault: no flag.
   */
  async cannotSend(n: NotificationRow, reason: string, now: Date, notes: NewEvent[] = []): Promise<void> {
    const detail = scrubPersonalData(reason);
    const code = 'CANNOT_SEND';
    await this.fence.run(n, false, async (tx) => {
      const change = { status: S.FAILED, at: now, errorCode: code, errorDetail: detail };
      const events = [...notes];
      if (await this.notifications.transition(n.id, [S.SENDING], change, tx))
        events.push(statusEvent(n.id, now, S.FAILED, code, detail));
      await this.events.insertMany(events, tx);
    });
    this.metrics.transition(S.FAILED, code);
  }

  /** Back to QUEUED for a retry; the job's backoff decides when. */
  async requeue(
    n: NotificationRow,
    lastCode: string,
    reason: string,
    now: Date,
    notes: NewEvent[] = [],
  ): Promise<void> {
    const detail = scrubPersonalData(reason);
    await this.fence.run(n, false, async (tx) => {
      const change = { status: S.QUEUED, at: now, errorCode: lastCode, errorDetail: detail };
      const events = [...notes];
      if (await this.notifications.transition(n.id, [S.SENDING], change, tx)) {
        events.push({
          notificationId: n.id,
          at: now,
          type: HistoryEvent.REQUEUED,
          status: S.QUEUED,
          errorCode: lastCode,
          detail,
        });
      }
      await this.events.insertMany(events, tx);
    });
  }

  /** The deadline passed. `lastCode` overrides the stored last error (e.g. an unconfirmed in-flight attempt). */
  async expired(n: NotificationRow, now: Date, lastCode = n.last_error_code, why?: string): Promise<void> {
    const detail = scrubPersonalData(expiryDetail(n, lastCode, why));
    await this.fence.run(n, false, async (tx) => {
      const change = { status: S.EXPIRED, at: now, errorCode: lastCode, errorDetail: detail };
      if (await this.notifications.transition(n.id, [S.SENDING, S.QUEUED], change, tx)) {
        await this.events.insertMany([statusEvent(n.id, now, S.EXPIRED, lastCode, detail)], tx);
      }
    });
    this.metrics.transition(S.EXPIRED, lastCode ?? '');
  }

  /**
   * An attempt nobody can confirm (its provider has no lookup) once it has settled: recorded as UNKNOWN
   * with the decision in the history. `resend`: the route goes on (a possible duplicate, decided, not an
   * accident); `expire`: the alert ends EXPIRED with OUTCOME_UNKNOWN, for support to see.
   */
  async outcomeUnknown(
    n: NotificationRow,
    attempt: AttemptRow,
    policy: 'resend' | 'expire',
    now: Date,
  ): Promise<'resent' | 'expired'> {
    const detail = unknownOutcomeDetail(attempt, policy);
    await this.fence.run(n, false, async (tx) => {
      const result = { status: AttemptStatus.UNKNOWN, errorCode: 'OUTCOME_UNKNOWN', errorDetail: detail };
      await this.attempts.finish(attempt.id, result, now, tx);
      const events: NewEvent[] = [
        {
          notificationId: n.id,
          at: now,
          type: HistoryEvent.OUTCOME_UNKNOWN,
          provider: attempt.provider,
          detail,
        },
      ];
      if (policy === 'expire') {
        const change = { status: S.EXPIRED, at: now, errorCode: 'OUTCOME_UNKNOWN', errorDetail: detail };
        if (await this.notifications.transition(n.id, [S.SENDING, S.QUEUED], change, tx)) {
          events.push({ ...events[0], type: S.EXPIRED, status: S.EXPIRED, errorCode: 'OUTCOME_UNKNOWN' });
        }
      }
      await this.events.insertMany(events, tx);
    });
    if (policy === 'resend') return 'resent';
    this.metrics.transition(S.EXPIRED, 'OUTCOME_UNKNOWN');
    return 'expired';
  }

  /** A crash left this attempt in flight and the provider has no record of it: it was never sent. */
  async notSent(n: NotificationRow, attempt: AttemptRow, now: Date): Promise<void> {
    await this.fence.run(n, false, async (tx) => {
      await this.attempts.finish(
        attempt.id,
        { status: AttemptStatus.NOT_SENT, errorCode: 'NOT_FOUND_AT_PROVIDER' },
        now,
        tx,
      );
      await this.events.insertMany(
        [
          {
            notificationId: n.id,
            at: now,
            type: HistoryEvent.RECOVERED_IN_FLIGHT,
            provider: attempt.provider,
            detail: 'provider has no such message, asked after it had settled; sending again',
          },
        ],
        tx,
      );
    });
  }
}
