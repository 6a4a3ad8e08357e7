import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppLogger, LOGGER } from '../common/logger.module';
import { Clock } from '../common/clock';
import { DataCipher } from '../crypto/data-cipher';
import { Metrics } from '../metrics/metrics.service';
import { HistoryEvent } from '../notifications/notification-status';
import { AttemptRow, NotificationRow } from '../notifications/notification.types';
import { BreakerPass, CircuitState, ProviderBreakers } from '../providers/provider-breakers';
import {
  CircuitOpenError,
  ProviderError,
  ProviderTimeoutError,
  RateLimitedError,
} from '../providers/provider.errors';
import { OutboundSms, SmsProvider } from '../providers/provider.interface';
import { ProviderRateLimiter } from '../providers/provider-rate-limiter';
import { InFlightUnknownError } from '../queue/queue.errors';
import type { SendLease } from './lease-keeper';
import { outboundFor, RouteTrail } from './route-trail';
import { SendRecorder } from './send-recorder';

export type StepOutcome = 'sent' | 'failed' | ProviderError;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One provider's turn for one alert: breaker admission, the shared rate limit, the durable in-flight
 * attempt, the call, and what its answer means. A timeout is not taken as "not sent": the provider is
 * asked first, and if it cannot be asked the alert waits rather than risk a second SMS.
 */
@Injectable()
export class ProviderStep {
  private readonly lookupGraceMs: number;
  private readonly leaseMs: number;

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
    private readonly breakers: ProviderBreakers,
    private readonly limiter: ProviderRateLimiter,
    private readonly recorder: SendRecorder,
    private readonly metrics: Metrics,
    private readonly cipher: DataCipher,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.lookupGraceMs = config.get('PROVIDER_LOOKUP_GRACE_MS');
    this.leaseMs = config.get('SEND_LEASE_MS');
  }

  async run(
    n: NotificationRow,
    provider: SmsProvider,
    trail: RouteTrail,
    lease: SendLease,
  ): Promise<StepOutcome> {
    lease.progress();
    const pass = this.breakers.admit(provider.name);
    if (!pass) {
      // Skipped without an attempt: the breaker is open (or its one trial request is already out).
      const err = new CircuitOpenError(provider.name, this.breakers.lastFailure(provider.name));
      trail.note(HistoryEvent.CIRCUIT_OPEN, provider.name, `${provider.name} circuit open: skipped`);
      trail.failed(provider.name, err);
      return err;
    }
    try {
      if (!(await this.limiter.acquire(provider.name))) {
        const err = new RateLimitedError(
          provider.name,
          'RATE_LIMIT',
          'our send rate limit for this provider is reached',
        );
        trail.failed(provider.name, err);
        return err;
      }
      return await this.call(n, provider, pass, trail, lease);
    } finally {
      pass.release();
    }
  }

  private async call(
    n: NotificationRow,
    provider: SmsProvider,
    pass: BreakerPass,
    trail: RouteTrail,
    lease: SendLease,
  ): Promise<StepOutcome> {
    trail.trying(provider.name);
    if (pass.probe) {
      trail.note(
        HistoryEvent.CIRCUIT_HALF_OPEN,
        provider.name,
        `${provider.name} circuit half-open: this alert is the trial request`,
      );
    }
    // The attempt renews the lease (and is refused if the claim no longer stands), so the call starts with
    // a whole lease; the keeper renews it from there while the call runs.
    const startedAt = this.clock.now();
    const leaseUntil = new Date(startedAt.getTime() + this.leaseMs);
    const attempt = await this.recorder.startAttempt(n, provider.name, startedAt, trail.take(), leaseUntil);
    lease.extended(leaseUntil);
    // A slow statement or a process frozen since the attempt was written: make sure of the lease first.
    await lease.ensure();
    const sms = outboundFor(n, this.cipher.open('notifications', n.id, n), attempt.id);
    const before = this.breakers.state(provider.name);
    const started = process.hrtime.bigint();
    try {
      const result = await this.breakers.fire(provider.name, () => provider.send(sms));
      this.observe(provider.name, 'accepted', started);
      this.noteBreakerChange(provider.name, before, trail);
      const sent = {
        messageId: result.providerMessageId,
        segments: result.segments,
        partIds: result.partIds,
        handsetText: result.handsetText,
      };
      await this.recorder.accepted(n, attempt, sent, this.clock.now(), trail.take());
      return 'sent';
    } catch (err) {
      if (!(err instanceof ProviderError)) {
        // Not a mapped provider answer: we cannot tell whether it took the message. The attempt stays
        // IN_FLIGHT and the retry asks the provider before anything is sent again.
        this.observe(provider.name, 'unknown', started);
        await this.recorder.requeue(
          n,
          'UNKNOWN_ERROR',
          `${provider.name}: ${(err as Error).message}`.slice(0, 300),
          this.clock.now(),
          trail.take(),
        );
        throw new InFlightUnknownError(provider.name, err);
      }
      this.observe(provider.name, err.kind, started);
      this.noteBreakerChange(provider.name, before, trail, err);
      return this.failed(n, provider, attempt, sms, err, trail, lease);
    }
  }

  private async failed(
    n: NotificationRow,
    provider: SmsProvider,
    attempt: AttemptRow,
    sms: OutboundSms,
    err: ProviderError,
    trail: RouteTrail,
    lease: SendLease,
  ): Promise<StepOutcome> {
    if (err.kind === 'permanent') {
      await this.recorder.permanentlyFailed(n, attempt, err, this.clock.now(), trail.take());
      // One line per refused number, with the vendor's words (masked where the error was built, and by
      // the logger): the contact now needs a new number before alerts reach the cardholder.
      this.logger.info(
        { notificationId: n.id, provider: provider.name, code: err.code, err },
        'alert failed: the provider refused the number; contact flagged',
      );
      return 'failed';
    }
    if (err instanceof ProviderTimeoutError) {
      lease.progress();
      return this.afterTimeout(n, provider, attempt, sms, err, trail);
    }
    if (err instanceof RateLimitedError) await this.limiter.backOff(provider.name, err.retryAfterMs);
    // The breaker refused the call after the attempt was written: certainly not sent.
    await this.recorder.attemptFailed(
      n,
      attempt,
      err,
      this.clock.now(),
      trail.take(),
      err instanceof CircuitOpenError,
    );
    trail.failed(provider.name, err);
    return err;
  }

  /** The provider may have the message: ask it before this alert goes anywhere else. */
  private async afterTimeout(
    n: NotificationRow,
    provider: SmsProvider,
    attempt: AttemptRow,
    sms: OutboundSms,
    err: ProviderTimeoutError,
    trail: RouteTrail,
  ): Promise<StepOutcome> {
    // A request the provider is still working on would not show up yet.
    if (this.lookupGraceMs > 0) await sleep(this.lookupGraceMs);
    let report;
    try {
      report = await provider.findSent(sms, attempt.started_at, this.recorder.claimedBy(provider.name));
    } catch (lookupErr) {
      const why = `${provider.name} timed out and could not be asked whether it took the message; asking again before any resend`;
      await this.recorder.requeue(n, err.code, why, this.clock.now(), trail.take());
      throw new InFlightUnknownError(provider.name, lookupErr);
    }
    if (report) {
      trail.note(
        HistoryEvent.RECOVERED_IN_FLIGHT,
        provider.name,
        `${provider.name} timed out but had taken the message: not sent again`,
      );
      await this.recorder.accepted(
        n,
        attempt,
        { messageId: report.providerMessageId },
        this.clock.now(),
        trail.take(),
      );
      return 'sent';
    }
    const notThere = new ProviderTimeoutError(
      provider.name,
      `${err.message}; ${provider.name} has no such message`,
    );
    await this.recorder.attemptFailed(n, attempt, notThere, this.clock.now(), trail.take(), true);
    trail.failed(provider.name, notThere);
    return notThere;
  }

  /** A breaker change this call caused or completed goes into the alert's history. */
  private noteBreakerChange(
    provider: SmsProvider['name'],
    before: CircuitState,
    trail: RouteTrail,
    err?: ProviderError,
  ): void {
    const after = this.breakers.state(provider);
    if (after === before) return;
    if (after === 'open') {
      trail.note(
        HistoryEvent.CIRCUIT_OPEN,
        provider,
        `${provider} circuit opened after ${err?.code ?? 'failures'}`,
      );
    } else if (after === 'closed') {
      trail.note(
        HistoryEvent.CIRCUIT_CLOSED,
        provider,
        `${provider} circuit closed: the trial request went through`,
      );
    }
  }

  private observe(provider: string, outcome: string, started: bigint): void {
    this.metrics.providerRequests.inc({ provider, outcome });
    this.metrics.providerDuration.observe({ provider }, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
