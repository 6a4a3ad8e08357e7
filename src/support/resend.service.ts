import { Inject, Injectable } from '@nestjs/common';
import { Principal } from '../common/principal';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { ContactsRepository } from '../contacts/contacts.repository';
import { DataCipher } from '../crypto/data-cipher';
import { Database, Queryable } from '../database/database.service';
import { EventsRepository } from '../notifications/events.repository';
import { HistoryEvent, NotificationStatus } from '../notifications/notification-status';
import { NotificationRow } from '../notifications/notification.types';
import { SmsJobs } from '../queue/sms-jobs';
import {
  AlertNotFoundError,
  ContactUnusableError,
  NotResendableError,
  PurgedAlertError,
} from './resend.errors';
import { isResendable, RESENDABLE_STATUSES, resendTarget } from './resend.policy';
import { ResendRateLimiter } from './resend-rate-limiter';
import { ResendRepository } from './resend.repository';

/**
 * A supervisor's resend of an alert that ended undelivered: budget first (Redis), then one transaction that
 * puts the alert back to QUEUED towards the contact's current number and records who asked, then the
 * Bull job. Postgres is the record: if adding the job fails the request fails, but the alert stays QUEUED
 * and the sweeper adds its job.
 */
@Injectable()
export class ResendService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly db: Database,
    private readonly alerts: ResendRepository,
    private readonly contacts: ContactsRepository,
    private readonly events: EventsRepository,
    private readonly limiter: ResendRateLimiter,
    private readonly jobs: SmsJobs,
    private readonly cipher: DataCipher,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async resend(id: string, who: Principal): Promise<NotificationRow> {
    const refund = await this.limiter.take(who.id, id);
    let requeued: NotificationRow;
    try {
      requeued = await this.db.transaction((tx) => this.requeue(id, who, tx));
    } catch (err) {
      await refund();
      throw err;
    }
    // A finished job under the alert's id (completed, or failed and kept by removeOnFail) would make Bull
    // ignore the new one, so it goes first.
    const check = await this.jobs.check([id]);
    await this.jobs.requeue([id], check.get(id) === 'finished' ? [id] : []);
    this.logger.info({ notificationId: id, principal: who.id }, 'alert resent by a supervisor');
    return requeued;
  }

  private async requeue(id: string, who: Principal, tx: Queryable): Promise<NotificationRow> {
    const current = await this.alerts.lock(id, tx);
    if (!current) throw new AlertNotFoundError(id);
    if (!isResendable(current.status)) throw new NotResendableError(current.status);
    if (current.purged_at !== null) throw new PurgedAlertError();
    const target = resendTarget(
      (await this.contacts.findMany([current.cardholder_id], tx)).get(current.cardholder_id),
    );
    if (!target.ok) throw new ContactUnusableError(target.reason);
    const now = this.clock.now();
    const deadlineAt = new Date(now.getTime() + this.config.get('ALERT_DEADLINE_SECONDS') * 1000);
    // The same text (and template) to the contact's current number, sealed anew under the alert's own data
    // key: the earlier attempts' handset texts, sealed under it too, stay readable.
    const { body, params } = this.cipher.open('notifications', id, current);
    const sealed = this.cipher.sealAgain('notifications', id, current, {
      phone: target.phoneE164,
      body,
      params: params ?? null,
    });
    const row = await this.alerts.requeueForResend(
      id,
      RESENDABLE_STATUSES,
      { sealed, contactVersion: target.contactVersion, deadlineAt, now },
      tx,
    );
    // Locked above, so the status cannot have moved in between.
    if (!row) throw new NotResendableError(current.status);
    await this.events.insertMany(
      [
        {
          notificationId: id,
          at: now,
          type: HistoryEvent.RESEND_REQUESTED,
          status: NotificationStatus.QUEUED,
          detail: `by ${who.id} (${who.role}) after ${current.status}; contact version ${target.contactVersion}`,
        },
      ],
      tx,
    );
    return row;
  }
}
