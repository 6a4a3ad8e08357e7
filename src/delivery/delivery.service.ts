import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { NotificationStatus } from '../notifications/notification-status';
import { ClaimedRow, NotificationsRepository } from '../notifications/notifications.repository';
import { RoutePlanner } from '../routing/route-planner';
import { AllProvidersFailedError, LeaseHeldError, LeaseLostError } from '../queue/queue.errors';
import { InFlightRecovery } from './in-flight-recovery';
import { LeaseKeeper, SendLease } from './lease-keeper';
import { ProviderStep } from './provider-step';
import { RouteTrail } from './route-trail';
import { SendRecorder } from './send-recorder';

/** `lease-lost`: another dispatcher claimed the alert meanwhile; its job goes on, this one ends. */
export type DeliveryOutcome = 'sent' | 'failed' | 'expired' | 'not-ours' | 'lease-lost';

/**
 * Sends one alert through the provider route (PROVIDERS order, with providers demoted for poor delivery
 * health moved down: RoutePlanner), each step behind its breaker and rate limit.
 * Permanent recipient errors end it as FAILED, and so does a route on which no provider can carry it
 * (CannotSendMessageError from each: FAILED with CANNOT_SEND). When no provider takes it otherwise, it
 * goes back to QUEUED and the Bull job retries with backoff until the deadline, after which it is EXPIRED
 * with its last error.
 * The claim's lease is renewed while the send runs (LeaseKeeper) and fences every write it makes.
 */
@Injectable()
export class DeliveryService {
  constructor(
    private readonly clock: Clock,
    private readonly route: RoutePlanner,
    private readonly recorder: SendRecorder,
    private readonly recovery: InFlightRecovery,
    private readonly step: ProviderStep,
    private readonly notifications: NotificationsRepository,
    private readonly leases: LeaseKeeper,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async deliver(notificationId: string): Promise<DeliveryOutcome> {
    const now = this.clock.now();
    const n = await this.recorder.claim(notificationId, this.leases.lease, now);
    if (!n) return this.notClaimed(notificationId, now);
    const lease = this.leases.hold(n);
    try {
      return await this.send(n, lease, now);
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
      // Whatever this send did is left for the new holder, which asks the provider before sending.
      this.logger.warn({ notificationId, claim: err.generation }, 'send lease taken over; this send stops');
      return 'lease-lost';
    } finally {
      lease.release();
    }
  }

  private async send(n: ClaimedRow, lease: SendLease, now: Date): Promise<DeliveryOutcome> {
    if (n.has_in_flight) {
      const recovered = await this.recovery.resolve(n, lease);
      if (recovered !== 'clear') return recovered;
    }
    if (n.deadline_at && n.deadline_at.getTime() <= now.getTime()) {
      await this.recorder.expired(n, now, n.last_error_code, n.last_error_detail ?? undefined);
      return 'expired';
    }
    const trail = new RouteTrail(n.id, () => this.clock.now());
    // Why this alert's route is what it is (a provider demoted for delivery health, a trial) goes into its
    // history with the first write of the round.
    const plan = this.route.plan();
    for (const note of plan.notes) trail.note(note.type, note.provider, note.detail);
    for (const provider of plan.providers) {
      try {
        await lease.ensure();
      } catch (err) {
        // Our lease is (nearly) over: stop here; whoever claims the alert next resolves our attempts.
        await this.recorder.note(trail.take());
        throw err;
      }
      const outcome = await this.step.run(n, provider, trail, lease);
      if (outcome === 'sent' || outcome === 'failed') return outcome;
    }
    if (trail.noneCanSend) {
      await this.recorder.cannotSend(n, trail.reason(), this.clock.now(), trail.take());
      return 'failed';
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
