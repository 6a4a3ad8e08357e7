import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { HistoryEvent } from '../notifications/notification-status';
import { NotificationRow } from '../notifications/notification.types';
import { ProviderRoute } from '../providers/provider-route';
import { InFlightUnknownError } from './delivery.errors';
import { outboundFor } from './route-trail';
import { SendRecorder } from './send-recorder';

export type RecoveryOutcome = 'sent' | 'clear' | 'expired';

/**
 * Attempts left IN_FLIGHT (a dispatcher crashed mid-send, or a timed-out send could not be confirmed) are
 * resolved by asking their provider before the alert is sent again: a message the provider has is
 * recorded as sent, never sent twice. While the provider cannot be asked the alert waits, up to its
 * deadline; then it is EXPIRED as unconfirmed (a late receipt can still make it DELIVERED).
 */
@Injectable()
export class InFlightRecovery {
  constructor(
    private readonly clock: Clock,
    private readonly route: ProviderRoute,
    private readonly attempts: AttemptsRepository,
    private readonly recorder: SendRecorder,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async resolve(n: NotificationRow): Promise<RecoveryOutcome> {
    for (const attempt of await this.attempts.inFlight(n.id)) {
      const provider = this.route.get(attempt.provider);
      let report;
      try {
        if (!provider) throw new Error(`${attempt.provider} is no longer configured`);
        report = await provider.findSent(
          outboundFor(n, attempt.id),
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
