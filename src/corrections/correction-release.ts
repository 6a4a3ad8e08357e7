import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { ContactsRepository } from '../contacts/contacts.repository';
import { Database, Queryable } from '../database/database.service';
import { Metrics } from '../metrics/metrics.service';
import { SmsQueue } from '../queue/sms-queue.service';
import { renderCorrectionText } from '../rendering/correction-text';
import { CorrectionDecision, decideCorrection } from './correction-decision';
import { CorrectionsRepository } from './corrections.repository';
import { OriginalRow, ReversalRow, ReversalState } from './corrections.types';

interface Decided {
  status: ReversalState.QUEUED | ReversalState.SKIPPED | ReversalState.REFUSED;
  reason: string;
  notificationId: string;
}

/**
 * Decides waiting reversals: ingest calls it for the reversals it just stored and for originals that just
 * arrived, the dispatcher after an alert was sent or ended, the sweeper for whatever is still waiting (a
 * lost trigger, or an original that never came). Idempotent: only WAITING_FOR_ORIGINAL reversals move, one
 * original transaction at a time and in arrival order, so partial reversals add up the same way whoever
 * decides them.
 */
@Injectable()
export class CorrectionRelease {
  constructor(
    private readonly config: AppConfig,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly repository: CorrectionsRepository,
    private readonly contacts: ContactsRepository,
    private readonly queue: SmsQueue,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /** Decides the waiting reversals of these original transactions; returns the corrections it queued. */
  async release(transactionIds: string[]): Promise<string[]> {
    const queued: string[] = [];
    for (const transactionId of [...new Set(transactionIds)].sort()) {
      const decided = await this.db.transaction((tx) => this.decideAll(transactionId, tx));
      // Counted once committed: a rolled-back decision is made again and must not count twice.
      for (const { status, reason, notificationId } of decided) {
        this.metrics.corrections.inc({ status, reason });
        if (status === ReversalState.QUEUED) queued.push(notificationId);
      }
    }
    // After the commits: a job for a row still RECEIVED would be claimed by nobody. A failure here leaves
    // QUEUED rows that a redelivery or the sweeper enqueues.
    await this.queue.enqueue(queued);
    return queued;
  }

  /** Ingest's trigger: alerts for these transactions were just written; a reversal may be waiting for one. */
  async originalsArrived(transactionIds: string[]): Promise<void> {
    if (transactionIds.length === 0) return;
    const waiting = await this.repository.waitingTransactionIds(transactionIds, transactionIds.length);
    if (waiting.length > 0) await this.release(waiting);
  }

  /** The dispatcher's trigger: the alert moved (SENT, FAILED, EXPIRED); release what waited for it. */
  async afterAlertMoved(notificationId: string): Promise<void> {
    try {
      const waiting = await this.repository.waitingForAlert(notificationId);
      if (waiting.length > 0) await this.release(waiting);
    } catch (err) {
      // The alert's own outcome stands; the sweeper releases what this missed.
      this.logger.warn({ notificationId, err }, 'could not release corrections after their original');
    }
  }

  /** The sweeper's safety net: everything still waiting, oldest first, up to CORRECTION_SWEEP_LIMIT originals. */
  async sweep(): Promise<number> {
    const limit = this.config.get('CORRECTION_SWEEP_LIMIT');
    const waiting = await this.repository.waitingTransactionIds(null, limit);
    const queued = waiting.length > 0 ? await this.release(waiting) : [];
    await this.refreshWaitingGauge();
    return queued.length;
  }

  async refreshWaitingGauge(): Promise<number> {
    const n = await this.repository.countWaiting();
    this.metrics.correctionsWaiting.set(n);
    return n;
  }

  private async decideAll(transactionId: string, tx: Queryable): Promise<Decided[]> {
    const { original, waiting, reversedBefore } = await this.repository.lockForDecision(transactionId, tx);
    if (waiting.length === 0) return [];
    const contacts = await this.contacts.findMany([...new Set(waiting.map((r) => r.cardholder_id))]);
    const now = this.clock.now();
    const decided: Decided[] = [];
    let before = reversedBefore;
    for (const reversal of waiting) {
      const contact = contacts.get(reversal.cardholder_id);
      const decision = decideCorrection(
        {
          cardId: reversal.card_id,
          amountMinor: Number(reversal.amount_minor),
          currency: reversal.currency,
          waitedSeconds: (now.getTime() - reversal.received_at.getTime()) / 1000,
          reversedBefore: before,
        },
        original && {
          status: original.status,
          cardId: original.card_id,
          amountMinor: Number(original.amount_minor),
          currency: original.currency,
        },
        contact,
        this.config.get('CORRECTION_ORIGINAL_WAIT_SECONDS'),
      );
      // A reversal that waits or goes has passed the amount check: the next one counts it.
      if (decision.action !== 'refuse') before += Number(reversal.amount_minor);
      if (decision.action === 'send' && original && contact?.phone_e164) {
        await this.queueOne(reversal, original, decision, contact.locale, Number(contact.version), now, tx);
        decided.push({ status: ReversalState.QUEUED, reason: '', notificationId: reversal.notification_id });
      } else if (decision.action === 'skip' || decision.action === 'refuse') {
        const state = decision.action === 'skip' ? ReversalState.SKIPPED : ReversalState.REFUSED;
        await this.repository.close(
          reversal,
          state,
          decision.reason,
          decision.detail,
          original?.id ?? null,
          now,
          tx,
        );
        decided.push({ status: state, reason: decision.reason, notificationId: reversal.notification_id });
      } else if (original) {
        await this.repository.link(reversal.notification_id, original.id, tx);
      }
    }
    return decided;
  }

  private async queueOne(
    reversal: ReversalRow,
    original: OriginalRow,
    decision: Extract<CorrectionDecision, { action: 'send' }>,
    locale: string,
    contactVersion: number,
    now: Date,
    tx: Queryable,
  ): Promise<void> {
    const text = renderCorrectionText({
      bankName: this.config.get('BANK_NAME'),
      bankPhone: this.config.get('BANK_PHONE'),
      cardLast4: reversal.card_last4,
      kind: reversal.kind,
      originalAmountMinor: Number(original.amount_minor),
      currency: original.currency,
      merchantName: original.merchant_name,
      merchantCity: original.merchant_city,
      authorisedAt: original.authorised_at,
      amountMinor: Number(reversal.amount_minor),
      reversedInAllMinor: decision.reversedInAll,
      timeZone: this.config.get('ALERT_TIME_ZONE'),
      locale,
    });
    await this.repository.queue(
      reversal,
      {
        ...text,
        phoneE164: decision.phoneE164,
        contactVersion,
        deadlineAt: new Date(now.getTime() + this.config.get('ALERT_DEADLINE_SECONDS') * 1000),
      },
      decision.detail,
      original.id,
      now,
      tx,
    );
  }
}
