import { Pool } from 'pg';
import type { DevStack } from '../src/devstack/dev-stack';
import { waitFor } from '../src/devstack/wait-for';
import { startStack, stopStack } from './support/e2e';
import { metricValue, scrape } from './support/metrics';
import {
  alertsByTx,
  AlertRecord,
  ALL_PROVIDERS,
  attemptsOf,
  historyOf,
  publishAlerts,
} from './support/providers';
import { scratchDatabase } from './support/scratch-db';

// Short windows so the route moves within seconds: outcomes over the last 12 s, a message with no final
// receipt 8 s after acceptance counts as not delivered, at least 4 outcomes before anything changes, a
// quarter of the alerts try a demoted provider first. Evaluated every 300 ms.
const env = {
  PROVIDERS: ALL_PROVIDERS,
  DELIVERY_HEALTH_ROUTING: 'true',
  DELIVERY_HEALTH_INTERVAL_MS: '300',
  DELIVERY_HEALTH_WINDOW_SECONDS: '12',
  DELIVERY_HEALTH_RECEIPT_WAIT_SECONDS: '8',
  DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS: '6',
  DELIVERY_HEALTH_RESTORE_DELAY_SECONDS: '5',
  DELIVERY_HEALTH_MIN_SAMPLE: '4',
  DELIVERY_HEALTH_MIN_STATE_SECONDS: '1',
  DELIVERY_HEALTH_TRIAL_PERCENT: '25',
};

// Twilio accepts every message and delivers none (no receipt ever, as when a route is down): its breaker
// stays closed, and only the receipts show it. The route must move to Vonage, and back once Twilio delivers.
// Two dispatchers and two api processes: sends, receipts and the evaluation happen in different processes,
// and both dispatchers must route alike.
describe('routing by delivery health through the running roles, Kafka and the sandbox', () => {
  const ctx: { stack?: DevStack; db?: Pool } = {};
  let scratch: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
  const stack = () => ctx.stack!;
  // The stack's own database (ctx.db is the shared test database startStack opens).
  const db = () => scratch!.pool;

  beforeAll(async () => {
    // A database of its own: the window reads every attempt it can see.
    scratch = await scratchDatabase();
    Object.assign(
      ctx,
      await startStack({
        databaseUrl: scratch.url,
        env,
        replicas: { dispatcher: 2, api: 2 },
        // Six processes starting at once: on a loaded machine one can take more than the default minute.
        readyTimeoutMs: 180_000,
      }),
    );
  });
  afterAll(async () => {
    await stopStack(ctx);
    await scratch?.drop();
  });

  const dispatchers = () => stack().replicas.get('dispatcher')!;
  /** A metric summed over both dispatchers (counters), or each dispatcher's value (gauges). */
  const metric = async (name: string, labels: Record<string, string>) =>
    (await each(name, labels)).reduce((a, b) => a + b, 0);
  const each = async (name: string, labels: Record<string, string>) =>
    Promise.all(dispatchers().map(async (d) => metricValue(await scrape(d.baseUrl), name, labels)));
  const demotedIn = (provider: string) => each('alertline_provider_demoted', { provider });

  /** Alerts that end DELIVERED, or stay SENT through `silent` (the provider that never sends a receipt). */
  async function wave(n: number, silent?: string): Promise<AlertRecord[]> {
    const { ids } = await publishAlerts(stack(), db(), n);
    return waitFor(
      `${n} alerts delivered${silent ? ` or left without a receipt by ${silent}` : ''}`,
      async () => {
        const alerts = await alertsByTx(db(), ids);
        const done = alerts.every(
          (a) => a.status === 'DELIVERED' || (a.status === 'SENT' && a.provider === silent),
        );
        return alerts.length === n && done ? alerts : undefined;
      },
      60_000,
      200,
    );
  }

  it('moves Twilio down the route when it accepts and never delivers, with each alert saying why', async () => {
    expect(await each('alertline_provider_route_position', { provider: 'twilio' })).toEqual([1, 1]);
    await stack().sandboxClient.acceptButNotDeliver('twilio', { receipt: 'none' });

    const first = await wave(5, 'twilio');
    expect(first.map((a) => `${a.provider}:${a.status}`)).toEqual(Array(5).fill('twilio:SENT'));
    // Eight seconds after acceptance their silence counts; the next evaluation demotes Twilio.
    await waitFor(
      'twilio demoted in both dispatchers',
      async () => (await demotedIn('twilio')).every((v) => v === 1),
      60_000,
      200,
    );
    // One dispatcher made the change; both route by it.
    expect(await metric('alertline_route_changes_total', { provider: 'twilio', direction: 'demoted' })).toBe(
      1,
    );
    expect(await each('alertline_provider_route_position', { provider: 'vonage' })).toEqual([1, 1]);
    expect(await each('alertline_provider_route_position', { provider: 'twilio' })).toEqual([3, 3]);
    expect(await each('alertline_provider_delivery_health', { provider: 'twilio' })).toEqual([0, 0]);

    const after = await wave(8, 'twilio');
    const trials = after.filter((a) => a.provider === 'twilio');
    const routed = after.filter((a) => a.provider === 'vonage');
    // The trial floor: a quarter of each dispatcher's alerts try Twilio first (8 split over two: 1 or 2 in
    // all); the rest go to Vonage first and are delivered.
    expect(trials.length).toBe(await metric('alertline_route_trials_total', { provider: 'twilio' }));
    expect(trials.length).toBeGreaterThanOrEqual(1);
    expect(trials.length).toBeLessThanOrEqual(2);
    expect(routed).toHaveLength(8 - trials.length);
    for (const a of routed) {
      expect(a.status).toBe('DELIVERED');
      expect((await attemptsOf(db(), a.id)).map((x) => x.provider)).toEqual(['vonage']);
      const history = await historyOf(db(), a.id);
      const past = history.filter((e) => e.type === 'ROUTED_PAST');
      expect(past).toHaveLength(1);
      expect(past[0].provider).toBe('twilio');
      expect(past[0].detail).toMatch(
        /^routed past twilio: delivery health 0% < 80% \(0 of \d+ delivered\); vonage first$/,
      );
      // Written before the send, so the history reads in order: why the route, then the send.
      expect(history.map((e) => e.type).indexOf('ROUTED_PAST')).toBeLessThan(
        history.map((e) => e.type).indexOf('SENT'),
      );
    }
    for (const a of trials) {
      const notes = (await historyOf(db(), a.id)).filter((e) => e.type === 'ROUTE_TRIAL');
      expect(notes.map((e) => e.detail)).toEqual([
        expect.stringMatching(
          /^trial: twilio is demoted \(delivery health 0% < 80% .*\); this alert tries it first/,
        ),
      ]);
    }
  });

  it('still falls back to a demoted Twilio when the healthy providers fail (breakers and failover unchanged)', async () => {
    await stack().sandboxClient.setFault('vonage', { mode: 'http500' });
    await stack().sandboxClient.setFault('smpp', { mode: 'http500' });
    const alerts = await wave(4, 'twilio');
    expect(alerts.map((a) => `${a.provider}:${a.status}`)).toEqual(Array(4).fill('twilio:SENT'));
    let routedPast = 0;
    for (const a of alerts) {
      const history = await historyOf(db(), a.id);
      if (!history.some((e) => e.type === 'ROUTED_PAST')) continue;
      routedPast++;
      // Vonage and SMPP first, each refused; Twilio last, as the fallback it still is.
      expect((await attemptsOf(db(), a.id)).map((x) => `${x.provider}:${x.status}`)).toEqual([
        'vonage:FAILED',
        'smpp:FAILED',
        'twilio:ACCEPTED',
      ]);
      expect(history.filter((e) => e.type === 'FAILOVER').map((e) => e.detail)).toEqual([
        expect.stringMatching(/^from vonage .* to smpp$/),
        expect.stringMatching(/^from smpp .* to twilio$/),
      ]);
    }
    // At most one trial per dispatcher among four alerts: the others were routed past Twilio.
    expect(routedPast).toBeGreaterThanOrEqual(2);
  });

  it('moves Twilio back up once trial traffic finds it delivering again', async () => {
    await stack().sandboxClient.clearFaults();
    const recovery: AlertRecord[] = [];
    // Trials reach Twilio and are delivered; once the silent ones have left the window, it is restored.
    const restored = async () => (await demotedIn('twilio')).every((v) => v === 0);
    for (let i = 0; i < 40 && !(await restored()); i++) recovery.push(...(await wave(8)));
    expect(await demotedIn('twilio')).toEqual([0, 0]);
    expect(await metric('alertline_route_changes_total', { provider: 'twilio', direction: 'restored' })).toBe(
      1,
    );
    expect(await each('alertline_provider_route_position', { provider: 'twilio' })).toEqual([1, 1]);
    expect(recovery.some((a) => a.provider === 'twilio')).toBe(true);

    const back = await wave(4);
    expect(back.map((a) => a.provider)).toEqual(Array(4).fill('twilio'));
    // The first alert each dispatcher routed after the change says so: one line per dispatcher at most.
    const lines = (await Promise.all([...recovery, ...back].map((a) => historyOf(db(), a.id))))
      .flat()
      .filter((e) => e.type === 'ROUTE_RESTORED');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(lines[0]).toMatchObject({ provider: 'twilio' });
    expect(lines[0].detail).toMatch(
      /^twilio back in its place in the route: delivery health (9\d|100)% >= 90%, p90 delivery delay/,
    );
    for (const a of back)
      expect((await historyOf(db(), a.id)).some((e) => e.type === 'ROUTED_PAST')).toBe(false);
  });
});
