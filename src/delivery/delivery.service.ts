import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { Metrics } from '../metrics/metrics.service';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { NotificationRow } from '../notifications/notification.types';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { ProviderError } from '../providers/provider.errors';
import { OutboundSms, SmsProvider } from '../providers/provider.interface';
import { ProviderRoute } from '../providers/provider-route';
import { AllProvidersFailedError, InFlightUnknownError, LeaseHeldError } from './delivery.errors';
import { SendRecorder } from './send-recorder';

export type DeliveryOutcome = 'sent' | 'failed' | 'expired' | 'not-ours';

/**
 * Sends one alert through the provider route. Every provider call is preceded by a durable IN_FLIGHT
 * attempt; an attempt found in flight (crash, stalled job) is resolved by asking its provider first.
 */
@Injectable()
export class DeliveryService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly route: ProviderRoute,
    private readonly recorder: SendRecorder,
    private readonly notifications: NotificationsRepository,
    private readonly attempts: AttemptsRepository,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async deliver(notificationId: string): Promise<DeliveryOutcome> {
    const now = this.clock.now();
    const n = await this.recorder.claim(notificationId, this.config.get('SEND_LEASE_MS'), now);
    if (!n) return this.notClaimed(notificationId, now);
    if (await this.recoverInFlight(n)) return 'sent';
    if (n.deadline_at && n.deadline_at.getTime() <= now.getTime()) {
      await this.recorder.expired(n, now);
      return 'expired';
    }
    let last: ProviderError | undefined;
    for (const provider of this.route.route()) {
      const result = await this.tryProvider(n, provider);
      if (result === 'sent' || result === 'failed') return result;
      last = result;
    }
    const code = last?.code ?? 'NO_PROVIDER';
    await this.recorder.requeue(n, code, last?.message ?? 'no provider available', this.clock.now());
    throw new AllProvidersFailedError(code, n.deadline_at ?? now, last?.kind === 'rate-limited');
  }

  private async tryProvider(n: NotificationRow, provider: SmsProvider): Promise<'sent' | 'failed' | ProviderError> {
    const attempt = await this.recorder.startAttempt(n, provider.name, this.clock.now());
    const started = process.hrtime.bigint();
    try {
      const result = await provider.send(this.outbound(n, attempt.id));
      this.observe(provider.name, 'accepted', started);
      await this.recorder.accepted(n, attempt, result.providerMessageId, result.segments, this.clock.now());
      return 'sent';
    } catch (err) {
      if (!(err instanceof ProviderError)) {
        // Not a mapped provider answer: we cannot tell whether it took the message. The attempt stays
        // IN_FLIGHT and the retry asks the provider before sending again.
        this.observe(provider.name, 'unknown', started);
        throw err;
      }
      this.observe(provider.name, err.kind, started);
      if (err.kind === 'permanent') {
        await this.recorder.permanentlyFailed(n, attempt, err, this.clock.now());
        return 'failed';
      }
      await this.recorder.attemptFailed(n, attempt, err, this.clock.now());
      return err;
    }
  }

  /** True when an earlier attempt turned out to have been accepted, so nothing is sent again. */
  private async recoverInFlight(n: NotificationRow): Promise<boolean> {
    for (const attempt of await this.attempts.inFlight(n.id)) {
      const provider = this.route.get(attempt.provider);
      if (!provider) throw new InFlightUnknownError(attempt.provider, new Error('provider no longer configured'));
      let report;
      try {
        report = await provider.findSent(this.outbound(n, attempt.id), attempt.started_at);
      } catch (err) {
        throw new InFlightUnknownError(attempt.provider, err);
      }
      if (report) {
        this.logger.warn({ notificationId: n.id, provider: attempt.provider }, 'in-flight attempt had been accepted');
        await this.recorder.accepted(n, attempt, report.providerMessageId, undefined, this.clock.now());
        return true;
      }
      await this.recorder.notSent(n, attempt, this.clock.now());
    }
    return false;
  }

  private async notClaimed(id: string, now: Date): Promise<DeliveryOutcome> {
    const current = await this.notifications.findById(id);
    if (current?.status === 'SENDING' && current.lease_until && current.lease_until > now) {
      throw new LeaseHeldError(current.lease_until);
    }
    return 'not-ours';
  }

  private outbound(n: NotificationRow, attemptId: string): OutboundSms {
    return { attemptId, notificationId: n.id, to: n.phone_e164 ?? '', body: n.body ?? '' };
  }

  private observe(provider: string, outcome: string, started: bigint): void {
    this.metrics.providerRequests.inc({ provider, outcome });
    this.metrics.providerDuration.observe({ provider }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
