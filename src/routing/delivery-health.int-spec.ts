import { testCipher } from '../crypto/testing/test-cipher';
import { loadConfig } from '../providers/provider-config';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { scratchDatabase } from '../../test/support/scratch-db';
import { newNotification } from '../../test/support/notification-fixture';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database.service';
import { Metrics } from '../metrics/metrics.service';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { DeliveryHealthRepository, WindowQuery } from './delivery-health.repository';
import { DeliveryHealthRunner } from './delivery-health.runner';
import { RouteHealth } from './route-health';

class TestClock extends Clock {
  t = Date.UTC(2026, 5, 1, 12);
  override now(): Date {
    return new Date(this.t);
  }
}

// The windowed stats and the route state on real PostgreSQL, in a database of this spec's own: the window
// reads every provider's attempts, so the shared test database's other rows would count.
describe('delivery health on PostgreSQL: the window and the route state', () => {
  const clock = new TestClock();
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let db: Database;
  let repository: DeliveryHealthRepository;
  let config: AppConfig;

  beforeAll(async () => {
    scratch = await scratchDatabase();
    config = loadConfig({
      DATABASE_URL: scratch.url,
      DATABASE_POOL_MAX: '4',
      PROVIDERS: 'twilio,vonage',
      DELIVERY_HEALTH_ROUTING: 'true',
      DELIVERY_HEALTH_WINDOW_SECONDS: '60',
      DELIVERY_HEALTH_RECEIPT_WAIT_SECONDS: '30',
      DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS: '20',
      DELIVERY_HEALTH_RESTORE_DELAY_SECONDS: '10',
      DELIVERY_HEALTH_MIN_SAMPLE: '5',
      DELIVERY_HEALTH_MIN_STATE_SECONDS: '0',
      DELIVERY_HEALTH_INTERVAL_MS: '1000',
    });
    db = new Database(config);
    repository = new DeliveryHealthRepository(db);
  });

  afterAll(async () => {
    await db.onModuleDestroy();
    await scratch.drop();
  });

  beforeEach(async () => {
    clock.t += 3_600_000; // an hour on: earlier tests' messages are out of every window
    await db.query(`DELETE FROM provider_delivery_health`);
  });

  /** An alert accepted by `provider` `agoMs` before the clock, with its receipts (delay after acceptance). */
  async function accepted(
    provider: string,
    agoMs: number,
    receipts: Array<{ status: string; afterMs: number; providerStatus?: string }> = [],
  ): Promise<void> {
    const id = randomUUID();
    const at = new Date(clock.t - agoMs);
    const messageId = `${provider}-${id}`;
    await db.transaction((tx) =>
      new NotificationsRepository(db, testCipher()).insertMany([newNotification({ id, receivedAt: at })], tx),
    );
    await db.query(
      `INSERT INTO delivery_attempts (id, notification_id, attempt_no, provider, status, provider_message_id, started_at, finished_at)
       VALUES ($1, $2, 1, $3, 'ACCEPTED', $4, $5, $5)`,
      [randomUUID(), id, provider, messageId, at],
    );
    for (const r of receipts) {
      await db.query(
        `INSERT INTO receipts (provider, provider_message_id, status, provider_status, notification_id, received_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          provider,
          messageId,
          r.status,
          r.providerStatus ?? r.status.toLowerCase(),
          id,
          new Date(at.getTime() + r.afterMs),
        ],
      );
    }
  }

  const query = (over: Partial<WindowQuery> = {}): WindowQuery => ({
    providers: ['twilio', 'vonage'],
    now: clock.now(),
    windowMs: 60_000,
    receiptWaitMs: 30_000,
    maxSample: 1000,
    ...over,
  });

  it('counts final receipts and silence past the wait, with the p90 delay of the delivered', async () => {
    for (let i = 1; i <= 4; i++)
      await accepted('twilio', 50_000, [{ status: 'DELIVERED', afterMs: i * 1000 }]);
    await accepted('twilio', 50_000, [
      { status: 'SENT', afterMs: 100 },
      { status: 'UNDELIVERED', afterMs: 2000 },
    ]);
    await accepted('twilio', 50_000, [{ status: 'FAILED', afterMs: 500 }]);
    // Accepted 50 s ago and nothing final in 30 s: not delivered. A DELIVERED after the wait does not help.
    await accepted('twilio', 50_000);
    await accepted('twilio', 50_000, [{ status: 'DELIVERED', afterMs: 40_000 }]);
    // The sweeper's polled answer counts like a webhook.
    await accepted('vonage', 20_000, [
      { status: 'DELIVERED', afterMs: 3000, providerStatus: 'delivered (polled)' },
    ]);
    // Accepted 10 s ago, no receipt yet: not decided, not counted.
    await accepted('vonage', 10_000);

    const stats = await repository.windowStats(query());
    expect(stats.get('twilio')).toEqual({ sample: 8, delivered: 4, delayP90Ms: 3700 });
    expect(stats.get('vonage')).toEqual({ sample: 1, delivered: 1, delayP90Ms: 3000 });
  });

  it('counts an outcome in the window when it was decided, and nothing after now', async () => {
    // Delivered 80 s ago (accepted 82 s ago): before the 60 s window.
    await accepted('twilio', 82_000, [{ status: 'DELIVERED', afterMs: 2000 }]);
    // Accepted 85 s ago, silent: decided at 55 s ago, inside the window.
    await accepted('twilio', 85_000);
    // A receipt stamped after `now` (a later evaluation will see it).
    await accepted('twilio', 35_000, [{ status: 'DELIVERED', afterMs: 40_000 }]);
    expect((await repository.windowStats(query())).get('twilio')).toEqual({
      sample: 2,
      delivered: 0,
      delayP90Ms: null,
    });
  });

  it('reads at most the newest maxSample accepted messages of each provider', async () => {
    for (let i = 0; i < 6; i++)
      await accepted('twilio', 40_000 + i * 1000, [{ status: 'UNDELIVERED', afterMs: 100 }]);
    for (let i = 0; i < 3; i++) await accepted('twilio', 35_000, [{ status: 'DELIVERED', afterMs: 100 }]);
    expect((await repository.windowStats(query({ maxSample: 4 }))).get('twilio')).toMatchObject({
      sample: 4,
      delivered: 3,
    });
  });

  it('plans the window query on the accepted-attempts index', async () => {
    // delivery_attempts is partitioned by month (1795550000000): each partition has its own copy of the
    // index, named after the partition. On this spec's few rows PostgreSQL reads a partition whole, so
    // sequential scans are off here: the question is whether the index serves the query, not which is
    // cheaper on a handful of rows.
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT a.provider_message_id FROM delivery_attempts a
         WHERE a.provider = 'twilio' AND a.status = 'ACCEPTED' AND a.finished_at > now() - interval '1 minute'
         ORDER BY a.finished_at DESC LIMIT 100`,
      );
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      const { rows: copies } = await client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'delivery_attempts_accepted_idx'::regclass`,
      );
      expect(copies.length).toBeGreaterThan(0);
      expect(plan).not.toContain('Seq Scan');
      expect(copies.filter((c) => plan.includes(c.name)).length).toBeGreaterThan(0);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  describe('the runner', () => {
    const runner = (metrics = new Metrics()) =>
      new DeliveryHealthRunner(
        config,
        clock,
        repository,
        new RouteHealth(),
        metrics,
        pino({ level: 'silent' }),
      );

    it('demotes a provider that does not deliver, once, and one dispatcher evaluates at a time', async () => {
      for (let i = 0; i < 6; i++) await accepted('twilio', 40_000, [{ status: 'UNDELIVERED', afterMs: 500 }]);
      for (let i = 0; i < 6; i++) await accepted('vonage', 40_000, [{ status: 'DELIVERED', afterMs: 500 }]);
      const metrics = new Metrics();
      const first = runner(metrics);
      // Another dispatcher evaluating right now holds the lock: this one changes nothing.
      const held = await repository.withEvaluationLock(async () => first.evaluate());
      expect(held).toEqual([]);

      const changes = await first.evaluate();
      expect(changes).toEqual([
        { provider: 'twilio', direction: 'demoted', reason: 'delivery health 0% < 80% (0 of 6 delivered)' },
      ]);
      // Within half an interval of that evaluation, a second dispatcher's does nothing.
      expect(await runner().evaluate()).toEqual([]);
      clock.t += 1000;
      expect(await runner().evaluate()).toEqual([]);

      const states = await repository.states();
      expect(states.map((s) => [s.provider, s.state, s.sample, s.delivered]).sort()).toEqual([
        ['twilio', 'DEMOTED', 6, 0],
        ['vonage', 'HEALTHY', 6, 6],
      ]);

      await first.tick();
      const text = await metrics.registry.metrics();
      expect(text).toContain('alertline_provider_demoted{provider="twilio"} 1');
      expect(text).toContain('alertline_provider_route_position{provider="twilio"} 2');
      expect(text).toContain('alertline_provider_route_position{provider="vonage"} 1');
      expect(text).toContain('alertline_provider_delivery_health{provider="vonage"} 1');
    });

    it('restores it when trial traffic delivers again, and counts both moves', async () => {
      for (let i = 0; i < 6; i++) await accepted('twilio', 40_000, [{ status: 'UNDELIVERED', afterMs: 500 }]);
      const metrics = new Metrics();
      const r = runner(metrics);
      await r.tick();
      clock.t += 120_000; // the failures leave the window
      for (let i = 0; i < 5; i++) await accepted('twilio', 10_000, [{ status: 'DELIVERED', afterMs: 800 }]);
      await r.tick();
      const [twilio] = (await repository.states()).filter((s) => s.provider === 'twilio');
      expect(twilio).toMatchObject({ state: 'HEALTHY', sample: 5, delivered: 5, delay_p90_ms: 800 });
      expect(twilio.reason).toBe(
        'delivery health 100% >= 90%, p90 delivery delay 0.8 s <= 10 s (5 of 5 delivered)',
      );
      const text = await metrics.registry.metrics();
      expect(text).toContain('alertline_route_changes_total{provider="twilio",direction="demoted"} 1');
      expect(text).toContain('alertline_route_changes_total{provider="twilio",direction="restored"} 1');
      expect(text).toContain('alertline_route_changes_total{provider="vonage",direction="demoted"} 0');
    });
  });
});
