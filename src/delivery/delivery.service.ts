import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { NotificationStatus } from '../notifications/notification-status';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { ProviderRoute } from '../providers/provider-route';
import { AllProvidersFailedError, LeaseHeldError } from './delivery.errors';
import { InFlightRecovery } from './in-flight-recovery';
import { ProviderStep } from './provider-step';
import { RouteTrail } from './route-trail';
import { SendRecorder } from './send-recorder';

export type DeliveryOutcome = 'sent' | 'failed' | 'expired' | 'not-ours';

// A provider call is not started with less lease than this left: another dispatcher may take the alert
// over once the lease runs out, and the two must never both be sending it.
const LEASE_MARGIN_MS = 1000;

/**
 * Sends one alert through the provider route (PROVIDERS order, each behind its breaker and rate limit).
 * Permanent recipient errors end it as FAILED; when no provider takes it, it goes back to QUEUED and the
 * Bull job retries with backoff until the deadline, after which it is EXPIRED with its last error.
 */
@Injectable()
export class DeliveryService {
  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly route: ProviderRoute,
    private readonly recorder: SendRecorder,
    private readonly recovery: InFlightRecovery,
    private readonly step: ProviderStep,
    private readonly notifications: NotificationsRepository,
  ) {}

  async deliver(notificationId: string): Promise<DeliveryOutcome> {
    const now = this.clock.now();
    const n = await this.recorder.claim(notificationId, this.config.get('SEND_LEASE_MS'), now);
    if (!n) return this.notClaimed(notificationId, now);
    if (n.has_in_flight) {
      const recovered = await this.recovery.resolve(n);
      if (recovered !== 'clear') return recovered;
    }
    if (n.deadline_at && n.deadline_at.getTime() <= now.getTime()) {
      await this.recorder.expired(n, now, n.last_error_code, n.last_error_detail ?? undefined);
      return 'expired';
    }
    const trail = new RouteTrail(n.id, () => this.clock.now());
    for (const provider of this.route.route()) {
      if (n.lease_until && n.lease_until.getTime() - this.clock.now().getTime() < LEASE_MARGIN_MS) {
        // Our lease is (nearly) over: stop here; whoever claims the alert next resolves our attempts.
        await this.recorder.note(trail.take());
        throw new LeaseHeldError(n.lease_until);
      }
      const outcome = await this.step.run(n, provider, trail);
      if (outcome === 'sent' || outcome === 'failed') return outcome;
    }
    const code = trail.lastFailure?.code ?? 'NO_PROVIDER';
    await this.recorder.requeue(n, code, trail.reason(), this.clock.now(), trail.take());
    throw new AllProvidersFailedError(code, n.deadline_at ?? now, trail.allRateLimited);
  }

  private async notClaimed(id: string, now: Date): Promise<DeliveryOutcome> {
    const current = await this.notifications.findById(id);
    if (current?.status === NotificationStatus.SENDING && current.lease_until && current.lease_until > now) {
      throw new LeaseHeldError(current.lease_until);
    }
    return 'not-ours';
  }
}
