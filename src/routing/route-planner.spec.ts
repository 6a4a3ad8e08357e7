import { loadConfig } from '../providers/provider-config';
import { Metrics } from '../metrics/metrics.service';
import { HistoryEvent } from '../notifications/notification-status';
import type { SmsProvider } from '../providers/provider.interface';
import { ProviderRoute } from '../providers/provider-route';
import type { ProviderHealthRow } from './delivery-health.repository';
import { RouteHealth } from './route-health';
import { RoutePlanner } from './route-planner';

const adapter = (name: SmsProvider['name']) => ({ name }) as SmsProvider;
const row = (provider: string, state: 'HEALTHY' | 'DEMOTED', reason: string | null): ProviderHealthRow => ({
  provider,
  state,
  state_since: new Date(0),
  reason,
  sample: 25,
  delivered: 3,
  delay_p90_ms: null,
  evaluated_at: new Date(0),
});

describe('RoutePlanner: the route for one alert and the history lines that explain it', () => {
  const config = loadConfig({ PROVIDERS: 'twilio,vonage,smpp', DELIVERY_HEALTH_TRIAL_PERCENT: '25' });
  const setup = () => {
    const health = new RouteHealth();
    const metrics = new Metrics();
    const route = new ProviderRoute(config, [adapter('twilio'), adapter('vonage'), adapter('smpp')]);
    return { health, metrics, planner: new RoutePlanner(config, route, health, metrics) };
  };
  const names = (plan: ReturnType<RoutePlanner['plan']>) => plan.providers.map((p) => p.name);

  it('keeps the configured route, with no line, while every provider is healthy', () => {
    const { planner, health } = setup();
    health.update([row('twilio', 'HEALTHY', null)]);
    expect(planner.plan()).toEqual({ providers: expect.any(Array), notes: [] });
    expect(names(planner.plan())).toEqual(['twilio', 'vonage', 'smpp']);
  });

  it('routes past a demoted provider saying why, and sends every fourth alert to it as a trial', async () => {
    const { planner, health, metrics } = setup();
    const why = 'delivery health 12% < 80% (3 of 25 delivered)';
    health.update([row('twilio', 'DEMOTED', why), row('vonage', 'HEALTHY', null)]);
    const plans = [1, 2, 3, 4].map(() => planner.plan());
    expect(plans.map(names)).toEqual([
      ['vonage', 'smpp', 'twilio'],
      ['vonage', 'smpp', 'twilio'],
      ['vonage', 'smpp', 'twilio'],
      ['twilio', 'vonage', 'smpp'],
    ]);
    expect(plans[0].notes).toEqual([
      {
        type: HistoryEvent.ROUTED_PAST,
        provider: 'twilio',
        detail: `routed past twilio: ${why}; vonage first`,
      },
    ]);
    expect(plans[3].notes).toEqual([
      {
        type: HistoryEvent.ROUTE_TRIAL,
        provider: 'twilio',
        detail: `trial: twilio is demoted (${why}); this alert tries it first (25% of alerts do) so its recovery is seen`,
      },
    ]);
    expect(await metrics.registry.getSingleMetricAsString('alertline_route_trials_total')).toContain(
      'alertline_route_trials_total{provider="twilio"} 1',
    );
  });

  it('tells the first alert after a restoration, once', () => {
    const { planner, health } = setup();
    health.update([row('twilio', 'DEMOTED', 'delivery health 0% < 80% (0 of 9 delivered)')]);
    const back = 'delivery health 96% >= 90% (24 of 25 delivered)';
    health.update([row('twilio', 'HEALTHY', back)]);
    expect(planner.plan().notes).toEqual([
      {
        type: HistoryEvent.ROUTE_RESTORED,
        provider: 'twilio',
        detail: `twilio back in its place in the route: ${back}`,
      },
    ]);
    expect(planner.plan().notes).toEqual([]);
  });

  it('keeps the configured order and runs no trials when every provider is demoted', () => {
    const { planner, health } = setup();
    health.update(['twilio', 'vonage', 'smpp'].map((p) => row(p, 'DEMOTED', 'delivery health 0% < 80%')));
    for (let i = 0; i < 8; i++) expect(planner.plan()).toMatchObject({ notes: [] });
    expect(names(planner.plan())).toEqual(['twilio', 'vonage', 'smpp']);
  });
});
