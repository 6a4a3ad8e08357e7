import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics.service';
import { HistoryEvent } from '../notifications/notification-status';
import type { SmsProvider } from '../providers/provider.interface';
import { ProviderRoute } from '../providers/provider-route';
import { orderRoute, TrialFloor } from './route-order';
import { RouteHealth } from './route-health';

export type RouteNoteType = HistoryEvent.ROUTED_PAST | HistoryEvent.ROUTE_TRIAL | HistoryEvent.ROUTE_RESTORED;

/** A line for the alert's history saying why its route is what it is. */
export interface RouteNote {
  type: RouteNoteType;
  provider: string;
  detail: string;
}

export interface RoutePlan {
  providers: SmsProvider[];
  notes: RouteNote[];
}

/**
 * The route for one alert: the configured order (PROVIDERS) with providers demoted for poor delivery
 * health moved behind the healthy ones, except for the trial floor. Breakers and rate limits still decide
 * each step, so a demoted provider remains a fallback and an open breaker is still skipped.
 */
@Injectable()
export class RoutePlanner {
  private readonly configured: SmsProvider[];
  private readonly floor: TrialFloor;
  private readonly trialPercent: number;

  constructor(
    config: AppConfig,
    route: ProviderRoute,
    private readonly health: RouteHealth,
    private readonly metrics: Metrics,
  ) {
    this.configured = route.route();
    this.trialPercent = config.get('DELIVERY_HEALTH_TRIAL_PERCENT');
    this.floor = new TrialFloor(this.trialPercent);
  }

  plan(): RoutePlan {
    const notes: RouteNote[] = this.health.takeRestored().map(({ provider, reason }) => {
      this.floor.forget(provider);
      return {
        type: HistoryEvent.ROUTE_RESTORED,
        provider,
        detail: `${provider} back in its place in the route: ${reason}`,
      };
    });
    const demoted = this.health.demoted();
    if (demoted.size === 0) return { providers: this.configured, notes };
    const names = this.configured.map((p) => p.name);
    const healthyLeft = names.some((p) => !demoted.has(p));
    const trial = healthyLeft ? this.floor.pick(names.filter((p) => demoted.has(p))) : undefined;
    const { order, passed } = orderRoute(names, demoted, trial);
    const byName = new Map(this.configured.map((p) => [p.name, p]));
    const why = (p: string) => this.health.get(p)?.reason ?? 'poor delivery health';
    if (trial) {
      this.metrics.routeTrials.inc({ provider: trial });
      notes.push({
        type: HistoryEvent.ROUTE_TRIAL,
        provider: trial,
        detail: `trial: ${trial} is demoted (${why(trial)}); this alert tries it first (${this.trialPercent}% of alerts do) so its recovery is seen`,
      });
    }
    for (const p of passed) {
      notes.push({
        type: HistoryEvent.ROUTED_PAST,
        provider: p,
        detail: `routed past ${p}: ${why(p)}; ${order[0]} first`,
      });
    }
    return { providers: order.map((p) => byName.get(p)!), notes };
  }
}
