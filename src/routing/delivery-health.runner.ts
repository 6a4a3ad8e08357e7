import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { AppLogger, LOGGER } from '../common/logger.module';
import { PeriodicRounds } from '../common/periodic-run';
import { Metrics } from '../metrics/metrics.service';
import { decide, HealthThresholds, NO_OUTCOMES, RouteDirection } from './delivery-health';
import { DeliveryHealthRepository, ProviderHealthRow } from './delivery-health.repository';
import { orderRoute } from './route-order';
import { RouteHealth } from './route-health';

export interface RouteChange {
  provider: string;
  direction: RouteDirection;
  reason: string;
}

/**
 * Every DELIVERY_HEALTH_INTERVAL_MS in each dispatcher: one of them (whichever takes the lock, and only if
 * nobody evaluated within half an interval) reads the window from PostgreSQL and moves providers down or up
 * the route; then each dispatcher reads the route state into its RouteHealth and its gauges. Nothing here is
 * on the send path: a slow or failed round (PostgreSQL away) is logged and leaves the route as it last was;
 * readiness reports the database.
 */
@Injectable()
export class DeliveryHealthRunner extends PeriodicRounds implements OnApplicationBootstrap {
  private readonly providers: string[];
  private readonly enabled: boolean;
  private readonly intervalMs: number;
  private readonly thresholds: HealthThresholds;

  constructor(
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly repository: DeliveryHealthRepository,
    private readonly health: RouteHealth,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    super('delivery health round', logger);
    this.providers = config.get('PROVIDERS');
    this.enabled = config.get('DELIVERY_HEALTH_ROUTING') ?? config.get('NODE_ENV') !== 'test';
    this.intervalMs = config.get('DELIVERY_HEALTH_INTERVAL_MS');
    this.thresholds = {
      minSample: config.get('DELIVERY_HEALTH_MIN_SAMPLE'),
      demoteBelowPercent: config.get('DELIVERY_HEALTH_DEMOTE_BELOW_PERCENT'),
      restoreAtPercent: config.get('DELIVERY_HEALTH_RESTORE_AT_PERCENT'),
      demoteDelayMs: config.get('DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS') * 1000,
      restoreDelayMs: config.get('DELIVERY_HEALTH_RESTORE_DELAY_SECONDS') * 1000,
      minStateMs: config.get('DELIVERY_HEALTH_MIN_STATE_SECONDS') * 1000,
    };
    // Exported from start, so a dashboard and the alert rules see every provider before the first change.
    const provider = this.providers;
    this.metrics.startAtZero(this.metrics.routeChanges, { provider, direction: ['demoted', 'restored'] });
    this.metrics.startAtZero(this.metrics.routeTrials, { provider });
    this.publish();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) {
      this.logger.info('routing by delivery health is off (DELIVERY_HEALTH_ROUTING)');
      return;
    }
    await this.tick();
    this.startRounds(this.intervalMs, { immediately: false });
  }

  /** One round: evaluate if it falls to this dispatcher, then read the route. */
  protected async round(): Promise<void> {
    for (const change of await this.evaluate()) {
      this.metrics.routeChanges.inc({ provider: change.provider, direction: change.direction });
      this.logger.warn(change, `${change.provider} ${change.direction} in the route: ${change.reason}`);
    }
    const changed = this.health.update(await this.repository.states());
    if (changed.length) this.logger.info({ providers: changed }, 'route read with changed providers');
    this.publish();
  }

  /** The window, judged: the changes this dispatcher made (none when another one is evaluating). */
  async evaluate(): Promise<RouteChange[]> {
    const changes = await this.repository.withEvaluationLock(async (tx) => {
      const now = this.clock.now();
      const rows = new Map((await this.repository.states(tx)).map((r) => [r.provider, r]));
      const last = Math.max(0, ...this.providers.map((p) => rows.get(p)?.evaluated_at.getTime() ?? 0));
      if (now.getTime() - last < this.intervalMs / 2) return [];
      const stats = await this.repository.windowStats(
        {
          providers: this.providers,
          now,
          windowMs: this.config.get('DELIVERY_HEALTH_WINDOW_SECONDS') * 1000,
          receiptWaitMs: this.config.get('DELIVERY_HEALTH_RECEIPT_WAIT_SECONDS') * 1000,
          maxSample: this.config.get('DELIVERY_HEALTH_MAX_SAMPLE'),
        },
        tx,
      );
      const next: ProviderHealthRow[] = [];
      const made: RouteChange[] = [];
      for (const provider of this.providers) {
        const prev = rows.get(provider);
        const s = stats.get(provider) ?? NO_OUTCOMES;
        const d = decide(
          prev && { state: prev.state, since: prev.state_since, reason: prev.reason },
          s,
          now,
          this.thresholds,
        );
        if (d.change) made.push({ provider, direction: d.change, reason: d.reason ?? '' });
        next.push({
          provider,
          state: d.state,
          state_since: d.since,
          reason: d.reason,
          sample: s.sample,
          delivered: s.delivered,
          delay_p90_ms: s.delayP90Ms,
          evaluated_at: now,
        });
      }
      await this.repository.save(next, tx);
      return made;
    });
    return changes ?? [];
  }

  /** The gauges, from this dispatcher's copy of the route. */
  private publish(): void {
    const { order } = orderRoute(this.providers, this.health.demoted());
    for (const provider of this.providers) {
      const row = this.health.get(provider);
      this.metrics.deliveryHealth.set({ provider }, row?.sample ? row.delivered / row.sample : NaN);
      this.metrics.deliveryDelay.set(
        { provider },
        row?.delay_p90_ms === null || row?.delay_p90_ms === undefined ? NaN : row.delay_p90_ms / 1000,
      );
      this.metrics.deliverySample.set({ provider }, row?.sample ?? 0);
      this.metrics.providerDemoted.set({ provider }, row?.state === 'DEMOTED' ? 1 : 0);
      this.metrics.routePosition.set({ provider }, order.indexOf(provider) + 1);
    }
  }
}
