import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
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
import { InFlightUnknownError } from './delivery.errors';
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

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
    private readonly breakers: ProviderBreakers,
    private readonly limiter: ProviderRateLimiter,
    private readonly recorder: SendRecorder,
    private readonly metrics: Metrics,
  ) {
    this.lookupGraceMs = config.get('PROVIDER_LOOKUP_GRACE_MS');
  }

  async run(n: NotificationRow, provider: SmsProvider, trail: RouteTrail): Promise<StepOutcome> {
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
      return await this.call(n, provider, pass, trail);
    } finally {
      pass.release();
    }
  }

  private async call(
    n: NotificationRow,
    provider: SmsProvider,
    pass: BreakerPass,
    trail: RouteTrail,
  ): Promise<StepOutcome> {
    trail.trying(provider.name);
    if (pass.probe) {
      trail.note(
        HistoryEvent.CIRCUIT_HALF_OPEN,
        provider.name,
        `${provider.name} circuit half-open: this alert is the trial request`,
      );
    }
    const attempt = await this.recorder.startAttempt(n, provider.name, this.clock.now(), trail.take());
    const sms = outboundFor(n, attempt.id);
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
      return this.failed(n, provider, attempt, sms, err, trail);
    }
  }

  private async failed(
    n: NotificationRow,
    provider: SmsProvider,
    attempt: AttemptRow,
    sms: OutboundSms,
    err: ProviderError,
    trail: RouteTrail,
  ): Promise<StepOutcome> {
    if (err.kind === 'permanent') {
      await this.recorder.permanentlyFailed(n, attempt, err, this.clock.now(), trail.take());
      return 'failed';
    }
    if (err instanceof ProviderTimeoutError) return this.afterTimeout(n, provider, attempt, sms, err, trail);
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
