import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { DataCipher } from '../crypto/data-cipher';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { HistoryEvent } from '../notifications/notification-status';
import { NotificationRow } from '../notifications/notification.types';
import { ProviderRoute } from '../providers/provider-route';
import { AppConfig } from '../config/app-config';
import { InFlightUnknownError, LeaseHeldError } from '../queue/queue.errors';
import type { SendLease } from './lease-keeper';
import { sendTimings } from '../config/send-timings';
import { outboundFor } from './route-trail';
import { SendRecorder } from './send-recorder';

export type RecoveryOutcome = 'sent' | 'clear' | 'expired';

/**
 * Attempts left IN_FLIGHT (a dispatcher crashed mid-send, or a timed-out send could not be confirmed) are
 * resolved by asking their provider before the alert is sent again: a message the provider has is
 * recorded as sent, never sent twice. While the provider cannot be asked the alert waits, up to its
 * deadline; then it is EXPIRED as unconfirmed (a late receipt can still make it DELIVERED).
 * An attempt is not asked about before its request could have been answered (`askAfterMs`): a slow
 * provider that has not recorded the message yet would say it has none, and the alert would go twice.
 */
@Injectable()
export class InFlightRecovery {
  private readonly askAfterMs: number;

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
    private readonly route: ProviderRoute,
    private readonly attempts: AttemptsRepository,
    private readonly recorder: SendRecorder,
    private readonly cipher: DataCipher,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.askAfterMs = sendTimings({
      PROVIDER_TIMEOUT_MS: config.get('PROVIDER_TIMEOUT_MS'),
      CIRCUIT_TIMEOUT_MS: config.get('CIRCUIT_TIMEOUT_MS'),
      PROVIDER_RATE_LIMIT_WAIT_MS: config.get('PROVIDER_RATE_LIMIT_WAIT_MS'),
      PROVIDER_LOOKUP_GRACE_MS: config.get('PROVIDER_LOOKUP_GRACE_MS'),
    }).askAfterMs;
  }

  async resolve(n: NotificationRow, lease: SendLease): Promise<RecoveryOutcome> {
    const inFlight = await this.attempts.inFlight(n.id);
    const askAt = Math.max(...inFlight.map((a) => a.started_at.getTime() + this.askAfterMs));
    if (askAt > this.clock.now().getTime()) {
      // Its dispatcher died or stalled mid-call with the request possibly still on its way: come back
      // when it must have been answered. Our lease lapses meanwhile (nothing renews it).
      throw new LeaseHeldError(new Date(Math.max(askAt, lease.until.getTime())));
    }
    for (const attempt of inFlight) {
      lease.progress();
      const provider = this.route.get(attempt.provider);
      let report;
      try {
        if (!provider) throw new Error(`${attempt.provider} is no longer configured`);
        report = await provider.findSent(
          outboundFor(n, this.cipher.open('notifications', n.id, n), attempt.id),
          attempt.started_at,
          this.recorder.claimedBy(provider.name),
        );
      } catch (err) {
        const now = this.clock.now();
        const why = `${attempt.provider} could not be asked whether it took attempt ${attempt.attempt_no}`;
        if (n.deadline_at && n.deadline_at.getTime() <= now.getTime()) {
          await this.recorder.expired(n, now, 'IN_FLIGHT_UNCONFIRMED', why);
          return 'expired';
        }
        await this.recorder.requeue(
          n,
          'IN_FLIGHT_UNCONFIRMED',
          `${why}; asking again before any resend`,
          now,
        );
        throw new InFlightUnknownError(attempt.provider, err);
      }
      if (report) {
        this.logger.warn(
          { notificationId: n.id, provider: attempt.provider },
          'in-flight attempt had been accepted',
        );
        const note = {
          notificationId: n.id,
          at: this.clock.now(),
          type: HistoryEvent.RECOVERED_IN_FLIGHT,
          provider: attempt.provider,
          providerMessageId: report.providerMessageId,
          detail: `${attempt.provider} had taken attempt ${attempt.attempt_no}: not sent again`,
        };
        await this.recorder.accepted(n, attempt, { messageId: report.providerMessageId }, this.clock.now(), [
          note,
        ]);
        return 'sent';
      }
      await this.recorder.notSent(n, attempt, this.clock.now());
    }
    return 'clear';
  }
}
