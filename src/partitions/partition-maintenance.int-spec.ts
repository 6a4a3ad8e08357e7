import { Client } from 'pg';
import pino from 'pino';
import { scratchDatabase } from '../../test/support/scratch-db';
import { Clock } from '../common/clock';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database.service';
import { monthStart, PartitionMaintenance } from './partition-maintenance';
import { PartitionsRepository } from './partitions.repository';

const TABLES = ['notifications', 'notification_events', 'delivery_attempts', 'receipts'];

class TestClock extends Clock {
  t = Date.now();
  override now(): Date {
    return new Date(this.t);
  }
}

// A database of its own: the spec drops partitions, which the shared test database's other specs use.
describe('Partition maintenance (month partitions ahead and behind, one runner)', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let db: Database;
  let repository: PartitionsRepository;
  const clock = new TestClock();
  const maintenance = (retentionDays: number) =>
    new PartitionMaintenance(
      repository,
      clock,
      AppConfig.fromEnv({ DATABASE_URL: scratch.url, HISTORY_RETENTION_DAYS: String(retentionDays) }, []),
      pino({ level: 'silent' }),
    );

  beforeAll(async () => {
    scratch = await scratchDatabase();
    db = new Database(AppConfig.fromEnv({ DATABASE_URL: scratch.url, DATABASE_POOL_MAX: '3' }, []));
    repository = new PartitionsRepository(db);
  });
  afterAll(async () => {
    await db.onModuleDestroy();
    await scratch.drop();
  });
  afterEach(() => {
    clock.t = Date.now();
  });

  /** An alert and what hangs off it, written in `month` (as if that month's default had filled it in). */
  async function alertIn(month: string, tx: string): Promise<string> {
    const { rows } = await scratch.pool.query<{ id: string }>(
      `WITH n AS (
         INSERT INTO notifications (id, transaction_id, event_id, cardholder_id, card_id, card_last4, amount_minor,
           currency, merchant_name, authorised_at, received_at, status, updated_at, created_month)
         VALUES (gen_random_uuid(), $1, 'e', 'ch', 'card', '1234', 1, 'GBP', 'M', $2::date, $2::date, 'DELIVERED', $2::date, $2::date)
         RETURNING id
       ), k AS (INSERT INTO notification_transactions (transaction_id, created_month) VALUES ($1, $2::date)),
       e AS (INSERT INTO notification_events (notification_id, at, type, created_month)
             SELECT id, $2::date, 'DELIVERED', $2::date FROM n),
       a AS (INSERT INTO delivery_attempts (id, notification_id, attempt_no, provider, status, provider_message_id,
               started_at, created_month)
             SELECT gen_random_uuid(), id, 1, 'twilio', 'ACCEPTED', 'SM' || $1, $2::date, $2::date FROM n),
       r AS (INSERT INTO receipts (provider, provider_message_id, status, provider_status, notification_id,
               received_at, created_month)
             SELECT 'twilio', 'SM' || $1, 'DELIVERED', 'delivered', id, $2::date, $2::date FROM n)
       SELECT id FROM n`,
      [tx, month],
    );
    return rows[0].id;
  }

  const count = async (table: string, where: string, params: unknown[]) =>
    Number(
      (await scratch.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params))
        .rows[0].n,
    );

  it('creates this month and the two after it for every partitioned table, and moves on with the clock', async () => {
    const now = new Date();
    for (const table of TABLES)
      expect(await repository.months(table)).toEqual(
        expect.arrayContaining([monthStart(now), monthStart(now, 1), monthStart(now, 2)]),
      );

    clock.t = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 5, 15);
    const run = await maintenance(0).runOnce();

    expect(run).toMatchObject({ outcome: 'ok', created: 3 * TABLES.length, dropped: [] });
    const later = clock.now();
    for (const table of TABLES)
      expect(await repository.months(table)).toEqual(
        expect.arrayContaining([monthStart(later), monthStart(later, 1), monthStart(later, 2)]),
      );
    // Made already: a second run creates nothing.
    expect(await maintenance(0).runOnce()).toMatchObject({ outcome: 'ok', created: 0 });
    // A row written in a month made ahead lands in its partition.
    await alertIn(monthStart(later, 2), `ahead-${Date.now()}`);
    const part = `notifications_p${monthStart(later, 2).slice(0, 7).replace('-', '')}`;
    expect(await count(part, 'true', [])).toBe(1);
  });

  it('drops the months wholly older than HISTORY_RETENTION_DAYS with their dedupe keys, and keeps the rest', async () => {
    const now = new Date();
    const expired = [monthStart(now, -16), monthStart(now, -15)];
    const kept = monthStart(now, -12); // ends 11 months ago: inside a 400-day retention
    for (const m of [...expired, kept]) {
      for (const created of await db.transaction(async (c) => [await repository.createMonth(c, m)]))
        expect(created).toBe(TABLES.length);
    }
    const oldIds = [
      await alertIn(expired[0], `old-a-${Date.now()}`),
      await alertIn(expired[1], `old-b-${Date.now()}`),
    ];
    const keptTx = `kept-${Date.now()}`;
    const keptId = await alertIn(kept, keptTx);

    // 0 keeps everything.
    expect(await maintenance(0).runOnce()).toMatchObject({ outcome: 'ok', dropped: [], keysTrimmed: 0 });
    expect(await count('notifications', 'id = ANY($1)', [oldIds])).toBe(2);

    const run = await maintenance(400).runOnce();

    expect(run.outcome).toBe('ok');
    const suffixes = expired.map((m) => `_p${m.slice(0, 7).replace('-', '')}`);
    expect(run.outcome === 'ok' && [...run.dropped].sort()).toEqual(
      TABLES.flatMap((t) => suffixes.map((s) => t + s)).sort(),
    );
    expect(run).toMatchObject({ keysTrimmed: 2 });
    for (const table of TABLES) {
      const months = await repository.months(table);
      expect(months).not.toEqual(expect.arrayContaining([expired[0]]));
      expect(months).not.toEqual(expect.arrayContaining([expired[1]]));
      expect(months).toEqual(expect.arrayContaining([kept, monthStart(now)]));
    }
    expect(await count('notifications', 'id = ANY($1)', [oldIds])).toBe(0);
    expect(await count('notification_events', 'notification_id = ANY($1)', [oldIds])).toBe(0);
    expect(await count('notification_transactions', `transaction_id LIKE 'old-%'`, [])).toBe(0);
    expect(await count('notifications', 'id = $1', [keptId])).toBe(1);
    expect(await count('receipts', 'notification_id = $1', [keptId])).toBe(1);
    expect(await count('notification_transactions', 'transaction_id = $1', [keptTx])).toBe(1);
  });

  it('runs one at a time: while another process holds the maintenance lock a run does nothing', async () => {
    const other = new Client({ connectionString: scratch.url });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtextextended('alertline:partitions', 0))`);
      clock.t = Date.UTC(new Date().getUTCFullYear() + 3, 0, 10);

      expect(await maintenance(0).runOnce()).toEqual({ outcome: 'locked' });
      expect(await repository.months('notifications')).not.toEqual(
        expect.arrayContaining([monthStart(clock.now())]),
      );

      await other.query(`SELECT pg_advisory_unlock(hashtextextended('alertline:partitions', 0))`);
      expect(await maintenance(0).runOnce()).toMatchObject({ outcome: 'ok', created: 3 * TABLES.length });
    } finally {
      await other.end();
    }
  });
});
