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
import { UnknownOutcomes } from './unknown-outcome';
import { Metrics } from '../metrics/metrics.service';

export type RecoveryOutcome = 'sent' | 'clear' | 'expired';

/**
 * Attempts left IN_FLIGHT (a dispatcher crashed mid-send, or a timed-out send could not be confirmed) are
 * resolved by asking their provider before the alert is sent again: a message the provider has is
 * recorded as sent, never sent twice. While the provider cannot be asked, or its "no such message" could
 * still change (UnknownOutcomes: a request taken after we gave up, a lookup that lags), the alert waits,
 * up to its deadline; then it is EXPIRED as unconfirmed (a late receipt can still make it DELIVERED).
 * A provider that can never be asked (SMPP) leaves the attempt's outcome unknown once settled:
 * UNKNOWN_OUTCOME_POLICY resends it (recorded and counted) or ends the alert.
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
    private readonly outcomes: UnknownOutcomes,
    private readonly metrics: Metrics,
    private readonly cipher: DataCipher,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.askAfterMs = sendTimings({
      PROVIDER_TIMEOUT_MS: config.get('PROVIDER_TIMEOUT_MS'),
      CIRCUIT_TIMEOUT_MS: config.get('CIRCUIT_TIMEOUT_MS'),
      PROVIDER_RATE_LIMIT_WAIT_MS: config.get('PROVIDER_RATE_LIMIT_WAIT_MS'),
      PROVIDER_LOOKUP_GRACE_MS: config.get('PROVIDER_LOOKUP_GRACE_MS'),
    }).askAfterMs;
    // Exported from start, so AlertlineSendOutcomeUnknown and the dashboard see every provider before the first.
    this.metrics.startAtZero(this.metrics.unknownOutcomes, {
      provider: config.get('PROVIDERS'),
      decision: ['not_sent', 'resent', 'expired'],
    });
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
      if (!provider) {
        const why = `${attempt.provider} is no longer configured: attempt ${attempt.attempt_no} cannot be asked about`;
        return this.askAgain(n, attempt.provider, why);
      }
      let report;
      try {
        report =
          provider.lookup.by === 'none'
            ? null
            : await provider.findSent(
                outboundFor(n, this.cipher.open('notifications', n.id, n), attempt.id),
                attempt.started_at,
                this.recorder.claimedBy(provider.name),
              );
      } catch (err) {
        const why = `${attempt.provider} could not be asked whether it took attempt ${attempt.attempt_no}`;
        return this.askAgain(n, attempt.provider, why, err);
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
      const verdict = this.outcomes.judge(attempt.started_at, provider.lookup, this.clock.now());
      if (verdict.kind === 'ask-again') {
        const why =
          provider.lookup.by === 'none'
            ? `${attempt.provider} cannot be asked about attempt ${attempt.attempt_no}; it may still take it until ${verdict.at.toISOString()}`
            : `${attempt.provider} does not show attempt ${attempt.attempt_no} (yet); its "not found" is final from ${verdict.at.toISOString()}`;
        return this.askAgain(n, attempt.provider, why, undefined, verdict.at);
      }
      if (verdict.kind === 'unknown') {
        const outcome = await this.recorder.outcomeUnknown(n, attempt, verdict.policy, this.clock.now());
        this.metrics.unknownOutcomes.inc({ provider: attempt.provider, decision: outcome });
        if (outcome === 'expired') return 'expired';
        continue;
      }
      await this.recorder.notSent(n, attempt, this.clock.now());
      this.metrics.unknownOutcomes.inc({ provider: attempt.provider, decision: 'not_sent' });
    }
    return 'clear';
  }

  /**
   * The attempt's fate is not known yet: the alert waits (requeued, sent nowhere) and the provider is
   * asked again, by `at` when given; past the alert's deadline it ends EXPIRED as unconfirmed.
   */
  private async askAgain(
    n: NotificationRow,
    provider: string,
    why: string,
    cause?: unknown,
    at?: Date,
  ): Promise<RecoveryOutcome> {
    const now = this.clock.now();
    if (n.deadline_at && n.deadline_at.getTime() <= now.getTime()) {
      await this.recorder.expired(n, now, 'IN_FLIGHT_UNCONFIRMED', why);
      return 'expired';
    }
    await this.recorder.requeue(n, 'IN_FLIGHT_UNCONFIRMED', `${why}; asking again before any resend`, now);
    throw new InFlightUnknownError(provider, cause ?? new Error(why), at);
  }
}
