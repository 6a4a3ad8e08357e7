import { randomUUID } from 'node:crypto';
import { scratchDatabase } from '../../test/support/scratch-db';
import { AppConfig } from '../config/app-config';
import { Database, Queryable } from '../database/database.service';
import { newTimeId } from '../notifications/alert-id';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { AttemptStatus } from '../notifications/notification.types';
import { ProviderMessageStatus as P } from '../providers/provider.interface';
import { ReceiptsRepository } from './receipts.repository';

const MONTHS = 8;
const FILL_PER_MONTH = 5000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Loops'?: number;
  'Subplans Removed'?: number;
  Plans?: PlanNode[];
}

/**
 * The delivery_attempts partitions a plan scanned (actual loops > 0), and how many it left out: pruned
 * when the executor started (`Subplans Removed`) or never run for any row.
 */
function attemptPartitions(
  plan: PlanNode,
  table = 'delivery_attempts',
): { scanned: string[]; planned: string[]; removed: number } {
  const planned: string[] = [];
  const scanned: string[] = [];
  let removed = 0;
  const walk = (n: PlanNode) => {
    if (n.Plans?.some((c) => c['Relation Name']?.startsWith(`${table}_p`)))
      removed += n['Subplans Removed'] ?? 0;
    if (n['Relation Name']?.startsWith(`${table}_p`)) {
      planned.push(n['Relation Name']);
      if ((n['Actual Loops'] ?? 0) > 0) scanned.push(n['Relation Name']);
    }
    n.Plans?.forEach(walk);
  };
  walk(plan);
  return { scanned, planned, removed };
}

/**
 * The same statement the repository runs, on the real database, with EXPLAIN ANALYZE in front: what
 * PostgreSQL did for it, not a copy of its SQL.
 */
function explaining(db: Queryable, plans: PlanNode[], only = /./): Queryable {
  const query = async (text: string | { text: string; values?: unknown[] }, values?: unknown[]) => {
    const sql = typeof text === 'string' ? text : text.text;
    const params = typeof text === 'string' ? values : text.values;
    if (!only.test(sql)) return db.query(sql, params);
    const { rows } = await db.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
      params,
    );
    plans.push(rows[0]['QUERY PLAN'][0].Plan);
    return { rows: [], rowCount: 0 };
  };
  return { query } as unknown as Queryable;
}

// Its own database: it creates past month partitions.
describe('receipt lookups by provider message id prune to the attempt’s month (real PostgreSQL)', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let db: Database;
  const messages: Array<{ month: string; messageId: string; notificationId: string }> = [];

  beforeAll(async () => {
    scratch = await scratchDatabase();
    db = new Database(AppConfig.fromEnv({ DATABASE_URL: scratch.url, DATABASE_POOL_MAX: '3' }, []));
    // An attempt in each of MONTHS months, its message id's month recorded as the send path records it.
    for (let back = 0; back < MONTHS; back++) {
      const { rows } = await scratch.pool.query<{ month: string }>(
        `SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC') - $1 * interval '1 month', 'YYYY-MM-DD') AS month`,
        [back],
      );
      const month = rows[0].month;
      await scratch.pool.query(`SELECT alertline_create_month_partitions($1::date)`, [month]);
      const notificationId = newTimeId(new Date(`${month}T12:00:00Z`));
      const messageId = `SMmonth${back}-${randomUUID()}`;
      const attemptId = randomUUID();
      await scratch.pool.query(
        `INSERT INTO delivery_attempts (id, notification_id, attempt_no, provider, status, started_at, created_month)
         VALUES ($1, $2, 1, 'twilio', 'IN_FLIGHT', $3::date + interval '1 day', $3::date)`,
        [attemptId, notificationId, month],
      );
      await new AttemptsRepository(db).finish(
        attemptId,
        { status: AttemptStatus.ACCEPTED, providerMessageId: messageId },
        new Date(),
        db.pool,
      );
      messages.push({ month, messageId, notificationId });
      // Each month holds other alerts' attempts too, so the plan is the one a live database gets (on a few
      // rows PostgreSQL reads whole partitions, whatever the statement says).
      await scratch.pool.query(
        `WITH a AS (
           INSERT INTO delivery_attempts (id, notification_id, attempt_no, provider, status, provider_message_id,
             started_at, created_month)
           SELECT gen_random_uuid(), gen_random_uuid(), 1, 'twilio', 'ACCEPTED', 'SMfill' || $1 || '-' || i,
                  $2::date + interval '1 day', $2::date
           FROM generate_series(1, $3) i
           RETURNING provider, provider_message_id, created_month)
         INSERT INTO provider_message_months SELECT * FROM a`,
        [back, month, FILL_PER_MONTH],
      );
    }
    await scratch.pool.query(`ANALYZE delivery_attempts, provider_message_months, receipts, notifications`);
  });
  afterAll(async () => {
    await db?.onModuleDestroy();
    await scratch?.drop();
  });

  it('finds each month’s attempt by its message id', async () => {
    const attempts = new AttemptsRepository(db);
    for (const m of messages) {
      expect(await attempts.byProviderMessage('twilio', m.messageId, db.pool)).toMatchObject({
        notification_id: m.notificationId,
        provider_message_id: m.messageId,
      });
    }
    expect(
      await attempts.claimedMessageIds(
        'twilio',
        messages.map((m) => m.messageId),
      ),
    ).toEqual(new Set(messages.map((m) => m.messageId)));
  });

  it('scans one delivery_attempts partition of the months kept (EXPLAIN ANALYZE)', async () => {
    const old = messages[MONTHS - 3];
    const plans: PlanNode[] = [];
    await new AttemptsRepository(db).byProviderMessage('twilio', old.messageId, explaining(db.pool, plans));
    const { scanned, planned, removed } = attemptPartitions(plans[0]);
    expect(planned.length + removed).toBeGreaterThanOrEqual(MONTHS);
    expect(scanned).toEqual([`delivery_attempts_p${old.month.slice(0, 7).replace('-', '')}`]);
  });

  const partition = (table: string, month: string) => `${table}_p${month.slice(0, 7).replace('-', '')}`;

  it('plans a final receipt for an alert months old over its month only, knowing the month first', async () => {
    const old = messages[MONTHS - 2];
    const receipt = {
      provider: 'twilio',
      providerMessageId: old.messageId,
      status: P.DELIVERED,
      providerStatus: 'delivered',
      receivedAt: new Date(),
    };
    const rules = { deliveredFrom: [], undeliveredFrom: [] };
    const receipts = new ReceiptsRepository();
    const plans: PlanNode[] = [];
    // EXPLAIN ANALYZE runs the statement's writes: in a transaction that is rolled back.
    await expect(
      db.transaction(async (tx) => {
        // It answers with a plan, not rows: the repository's row-count check throws, as expected.
        await expect(
          receipts.recordFinalMany([receipt], rules, explaining(tx, plans, /INSERT INTO receipts/)),
        ).rejects.toThrow(/1 receipts, 0 results/);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const [row] = await db.transaction((tx) => receipts.recordFinalMany([receipt], rules, tx));
    expect(row.notification_id).toBe(old.notificationId);
    // Planned, not only run, over the alert's month: the alert's partition alone, no attempt partition
    // (the alert came from provider_message_months), receipts from the message's month on.
    expect(attemptPartitions(plans[0], 'notifications').planned).toEqual([
      partition('notifications', old.month),
      partition('notifications', old.month),
    ]);
    expect(attemptPartitions(plans[0]).planned).toEqual([]);
    const receiptMonths = attemptPartitions(plans[0], 'receipts').planned;
    expect(receiptMonths).toContain(partition('receipts', old.month));
    expect(receiptMonths).not.toContain(partition('receipts', messages[MONTHS - 1].month));
  });

  it('finds the alert of a message id recorded before the map held alerts, in its month only', async () => {
    const back = MONTHS - 3;
    const { rows } = await scratch.pool.query<{ notification_id: string; created_month: string }>(
      `SELECT notification_id, to_char(created_month, 'YYYY-MM-DD') AS created_month FROM delivery_attempts
       WHERE provider_message_id = $1`,
      [`SMfill${back}-7`],
    );
    const receipt = {
      provider: 'twilio',
      providerMessageId: `SMfill${back}-7`,
      status: P.UNDELIVERED,
      providerStatus: 'undelivered',
      receivedAt: new Date(),
    };
    const rules = { deliveredFrom: [], undeliveredFrom: [] };
    const plans: PlanNode[] = [];
    await expect(
      db.transaction(async (tx) => {
        await new ReceiptsRepository().recordFinalMany(
          [receipt],
          rules,
          explaining(tx, plans, /delivery_attempts/),
        );
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const { scanned } = attemptPartitions(plans[0]);
    expect(scanned).toEqual([partition('delivery_attempts', rows[0].created_month)]);
    const [matched] = await db.transaction((tx) =>
      new ReceiptsRepository().recordFinalMany([receipt], rules, tx),
    );
    expect(matched.notification_id).toBe(rows[0].notification_id);
  });
});

describe('the replay check of a receipt whose message id is not known (real PostgreSQL)', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let db: Database;
  const monthsBack = (back: number) => {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1)).toISOString().slice(0, 10);
  };

  beforeAll(async () => {
    scratch = await scratchDatabase();
    db = new Database(AppConfig.fromEnv({ DATABASE_URL: scratch.url, DATABASE_POOL_MAX: '3' }, []));
    for (const back of [1, 3]) {
      await scratch.pool.query(`SELECT alertline_create_month_partitions($1::date)`, [monthsBack(back)]);
    }
  });
  afterAll(async () => {
    await db?.onModuleDestroy();
    await scratch?.drop();
  });

  // An unmatched copy stored `back` months ago, as the receipt statements would have written it then.
  const storedBefore = async (messageId: string, back: number) =>
    scratch.pool.query(
      `INSERT INTO receipts (provider, provider_message_id, status, provider_status, received_at, created_month)
       VALUES ('twilio', $1, 'DELIVERED', 'delivered', $2::date + interval '1 day', $2::date)`,
      [messageId, monthsBack(back)],
    );
  const receipt = (messageId: string) => ({
    provider: 'twilio',
    providerMessageId: messageId,
    status: P.DELIVERED,
    providerStatus: 'delivered',
    receivedAt: new Date(),
  });
  const rules = { deliveredFrom: [], undeliveredFrom: [] };

  it('finds a copy stored last month (a SENT write not committed yet across a month’s end)', async () => {
    const messageId = `SMlate-${randomUUID()}`;
    await storedBefore(messageId, 1);
    const [row] = await db.transaction((tx) =>
      new ReceiptsRepository().recordFinalMany([receipt(messageId)], rules, tx),
    );
    expect(row).toMatchObject({ notification_id: null, duplicate: true });
    expect(await new ReceiptsRepository().insertIntermediateMany([receipt(messageId)], db.pool)).toEqual([
      false,
    ]);
  });

  it('does not look further back: a copy from three months ago is kept again, unmatched, moving nothing', async () => {
    const messageId = `SMold-${randomUUID()}`;
    await storedBefore(messageId, 3);
    const [row] = await db.transaction((tx) =>
      new ReceiptsRepository().recordFinalMany([receipt(messageId)], rules, tx),
    );
    expect(row).toMatchObject({ notification_id: null, duplicate: false, moved: null });
    const { rows } = await scratch.pool.query(
      `SELECT to_char(created_month, 'YYYY-MM-DD') AS month FROM receipts WHERE provider_message_id = $1 ORDER BY id`,
      [messageId],
    );
    expect(rows.map((r: { month: string }) => r.month)).toEqual([monthsBack(3), monthsBack(0)]);
  });
});
