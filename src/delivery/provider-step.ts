import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AppLogger, LOGGER } from '../common/logger.module';
import { Clock } from '../common/clock';
import { DataCipher, type Opened } from '../crypto/data-cipher';
import { Metrics } from '../metrics/metrics.service';
import { HistoryEvent } from '../notifications/notification-status';
import { AttemptRow, NotificationRow } from '../notifications/notification.types';
import { BreakerPass, CircuitState, ProviderBreakers } from '../providers/provider-breakers';
import {
  CannotSendMessageError,
  CircuitOpenError,
  ProviderError,
  RateLimitedError,
  SendOutcomeUnknownError,
} from '../providers/provider.errors';
import { OutboundSms, SmsProvider } from '../providers/provider.interface';
import { ProviderRateLimiter } from '../providers/provider-rate-limiter';
import { InFlightUnknownError } from '../queue/queue.errors';
import type { SendLease } from './lease-keeper';
import { outboundFor, RouteTrail, templateOf } from './route-trail';
import { SendRecorder } from './send-recorder';
import { UnknownOutcomes } from './unknown-outcome';

export type StepOutcome = 'sent' | 'failed' | ProviderError;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One provider's turn for one alert: breaker admission, the shared rate limit, the durable in-flight
 * attempt, the call, and what its answer means. A timeout is not taken as "not sent": the provider is
 * asked first, and unless it shows the message the alert waits rather than risk a second SMS.
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
    private readonly outcomes: UnknownOutcomes,
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
    // Opened once per step: the template decides whether the provider can carry it, the number and text go in the call.
    const opened = this.cipher.open('notifications', n.id, n);
    const refused = provider.cannotCarry?.(templateOf(n, opened));
    if (refused) {
      // Never asked, so no attempt and nothing for its breaker: the route goes on, counted by why.
      this.metrics.providerCannotSend.inc({ provider: provider.name, reason: refused.code });
      trail.note(
        HistoryEvent.CANNOT_SEND,
        provider.name,
        `${provider.name} cannot send this message: ${refused.message}`,
        refused.code,
      );
      trail.failed(provider.name, refused);
      return refused;
    }
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
      return await this.call(n, opened, provider, pass, trail, lease);
    } finally {
      pass.release();
    }
  }

  private async call(
    n: NotificationRow,
    opened: Opened,
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
    const sms = outboundFor(n, opened, attempt.id);
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
    if (err instanceof SendOutcomeUnknownError) {
      lease.progress();
      return this.afterTimeout(n, provider, attempt, sms, err, trail);
    }
    if (err instanceof RateLimitedError) await this.limiter.backOff(provider.name, err.retryAfterMs);
    // The provider refused the message itself (not the number, not its health: the breaker's errorFilter
    // passed it): counted by why.
    if (err instanceof CannotSendMessageError)
      this.metrics.providerCannotSend.inc({ provider: provider.name, reason: err.code });
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

  /**
   * The provider may have the message: ask it before this alert goes anywhere else. Found: sent. Not
   * found (yet) or not askable: the attempt stays IN_FLIGHT and the alert waits; a provider can take a
   * request after we gave up on it and show it to lookups later still, so only InFlightRecovery, asking
   * again once the "not found" has settled (UnknownOutcomes), decides that it was not sent.
   */
  private async afterTimeout(
    n: NotificationRow,
    provider: SmsProvider,
    attempt: AttemptRow,
    sms: OutboundSms,
    err: SendOutcomeUnknownError,
    trail: RouteTrail,
  ): Promise<StepOutcome> {
    const settled = this.outcomes.judge(attempt.started_at, provider.lookup, this.clock.now());
    const askAgainAt = settled.kind === 'ask-again' ? settled.at : undefined;
    let report = null;
    let lookupErr: unknown;
    if (provider.lookup.by !== 'none') {
      // A request the provider is still working on would not show up yet.
      if (this.lookupGraceMs > 0) await sleep(this.lookupGraceMs);
      try {
        report = await provider.findSent(sms, attempt.started_at, this.recorder.claimedBy(provider.name));
      } catch (e) {
        lookupErr = e;
      }
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
    const why =
      lookupErr !== undefined
        ? `${provider.name} (${err.code}) could not be asked whether it took the message; asking again before any resend`
        : `${provider.name} (${err.code}) does not show the message (yet): outcome unknown, asking again before any resend${askAgainAt ? ` (its "not found" is final from ${askAgainAt.toISOString()})` : ''}`;
    await this.recorder.requeue(n, err.code, why, this.clock.now(), trail.take());
    throw new InFlightUnknownError(provider.name, lookupErr ?? err, askAgainAt);
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
