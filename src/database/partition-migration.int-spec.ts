import { readdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { scratchDatabase } from '../../test/support/scratch-db';
import { newNotification } from '../../test/support/notification-fixture';
import { AppConfig } from '../config/app-config';
import pino from 'pino';
import { Clock } from '../common/clock';
import { besidePlace, DataCipher, SealedColumns } from '../crypto/data-cipher';
import { testCipher } from '../crypto/testing/test-cipher';
import { KeyWalk } from '../retention/key-walk';
import { RetentionRepository } from '../retention/retention.repository';
import { RetentionService } from '../retention/retention.service';
import { AttemptsRepository } from '../notifications/attempts.repository';
import { NotificationStatus as S } from '../notifications/notification-status';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { ProviderMessageStatus as P } from '../providers/provider.interface';
import { ReceiptsRepository } from '../receipts/receipts.repository';
import { ReconciliationRepository } from '../reconciliation/reconciliation.repository';
import { SearchRepository } from '../support/search.repository';
import { Database } from './database.service';
import { migrate, MIGRATIONS_DIR } from './migrate';

const PARTITIONING = '1795550000000';
const silent = pino({ level: 'silent' });
const ALERTS = 600;
const MONTHS = 6;
const COUNTED = ['notifications', 'notification_events', 'delivery_attempts', 'receipts'];
const TEMPLATE_PARAMS = JSON.stringify([{ name: 'merchant', value: 'MIGRATED MERCHANT' }]);
const TEMPLATED = ['mig-tx-1', `mig-tx-${ALERTS - 2}`];
const CORRECTION_ID = '00000000-0000-4000-8000-00000000c0c0';

// The migrations before the partitioning one: the schema a live database had when it was deployed.
const before = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql') && f < PARTITIONING).length;

/**
 * A database in the unpartitioned schema holding six months of alerts (each with its history lines, an
 * attempt and two receipts; some receipts unmatched), migrated: every row is kept, in the month it was
 * written in, and every lookup still finds it.
 */
describe('Partitioning migration on a database with months of alerts', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let db: Database;
  const counts: Record<string, number> = {};
  let maxEventId = 0;

  beforeAll(async () => {
    scratch = await scratchDatabase({ migrations: before });
    // Alert i was received (MONTHS - 1) * i / ALERTS months ago; cardholders ch-0..9, card ending 0000..0009.
    await scratch.pool.query(
      `CREATE TEMP TABLE h AS
       SELECT i, md5('mig-' || i)::uuid AS id, now() - interval '1 month' * (${MONTHS - 1}) * i / ${ALERTS} AS at
       FROM generate_series(0, ${ALERTS - 1}) i;
       INSERT INTO notifications (id, transaction_id, event_id, cardholder_id, card_id, card_last4, amount_minor,
         currency, merchant_name, authorised_at, received_at, status, phone_e164, body, provider,
         provider_message_id, accepted_at, final_at, updated_at)
       SELECT id, 'mig-tx-' || i, 'e-' || i, 'mig-ch-' || (i % 10), 'card', lpad((i % 10)::text, 4, '9'), 100 + i,
              'GBP', 'M', at - interval '1 second', at, 'DELIVERED', '+447911123456', 'hello', 'twilio',
              'SMmig' || i, at, at, at
       FROM h;
       INSERT INTO notification_events (notification_id, at, type, status)
       SELECT id, at, t, t FROM h CROSS JOIN unnest(ARRAY['RECEIVED', 'QUEUED', 'SENT', 'DELIVERED']) t;
       INSERT INTO delivery_attempts (id, notification_id, attempt_no, provider, status, provider_message_id, started_at, finished_at)
       SELECT md5('mig-attempt-' || i)::uuid, id, 1, 'twilio', 'ACCEPTED', 'SMmig' || i, at, at FROM h;
       INSERT INTO receipts (provider, provider_message_id, status, provider_status, notification_id, received_at)
       SELECT 'twilio', 'SMmig' || i, s, lower(s), id, at FROM h CROSS JOIN unnest(ARRAY['SENT', 'DELIVERED']) s;
       INSERT INTO receipts (provider, provider_message_id, status, provider_status, received_at)
       SELECT 'twilio', 'SMunknown' || i, 'DELIVERED', 'delivered', at FROM h WHERE i % 100 = 0;`,
    );
    // What main's later migrations (1795510000000..1795540000000) added, in plain as they wrote it: a
    // templated alert with the handset's text on its attempt (one recent, one past the retention), and a
    // correction of alert 2 with its reversal's template.
    const later: Array<[string, unknown[]]> = [
      [
        `UPDATE notifications SET template_key = 'card_authorised', template_params = $1::jsonb
         WHERE transaction_id = ANY($2)`,
        [TEMPLATE_PARAMS, TEMPLATED],
      ],
      [
        `UPDATE delivery_attempts a SET handset_text = '【Sign】' || n.body
         FROM notifications n WHERE a.notification_id = n.id AND n.transaction_id = ANY($1)`,
        [TEMPLATED],
      ],
      [
        `INSERT INTO notifications (id, transaction_id, event_id, cardholder_id, card_id, card_last4, amount_minor,
         currency, merchant_name, authorised_at, received_at, status, phone_e164, body, kind,
         original_notification_id, final_at, updated_at)
       SELECT $1::uuid, 'correction:' || $1, 'e-rev', cardholder_id, card_id, card_last4, 50, currency, merchant_name,
              received_at, received_at, 'DELIVERED', phone_e164, 'reversed', 'CORRECTION', id, received_at, received_at
       FROM notifications WHERE transaction_id = 'mig-tx-2'`,
        [CORRECTION_ID],
      ],
      [
        `INSERT INTO reversals (reversal_id, event_id, transaction_id, cardholder_id, card_id, card_last4, kind,
         amount_minor, currency, merchant_name, reversed_at, received_at, state, notification_id, template)
       SELECT 'mig-rev', 'e-rev', 'mig-tx-2', cardholder_id, card_id, card_last4, 'REVERSAL', 50, currency,
              merchant_name, received_at, received_at, 'QUEUED', $2::uuid, $1::jsonb
       FROM notifications WHERE transaction_id = 'mig-tx-2'`,
        [TEMPLATE_PARAMS, CORRECTION_ID],
      ],
    ];
    for (const [sql, params] of later) await scratch.pool.query(sql, params);
    for (const table of COUNTED) counts[table] = await count(table);
    maxEventId = Number(
      (await scratch.pool.query<{ m: string }>(`SELECT max(id) AS m FROM notification_events`)).rows[0].m,
    );

    await migrate(scratch.url);
    db = new Database(AppConfig.fromEnv({ DATABASE_URL: scratch.url, DATABASE_POOL_MAX: '3' }, []));
  });
  afterAll(async () => {
    await db?.onModuleDestroy();
    await scratch.drop();
  });

  async function count(table: string, where = 'true', params: unknown[] = []): Promise<number> {
    const { rows } = await scratch.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${table} WHERE ${where}`,
      params,
    );
    return Number(rows[0].n);
  }

  it('keeps every row, each in the partition of the month it was written in', async () => {
    for (const table of COUNTED) expect(await count(table)).toBe(counts[table]);
    expect(counts).toEqual({
      notifications: ALERTS + 1,
      notification_events: 4 * ALERTS,
      delivery_attempts: ALERTS,
      receipts: 2 * ALERTS + ALERTS / 100,
    });
    const { rows } = await scratch.pool.query<{ partitioned: string }>(
      `SELECT relkind::text AS partitioned FROM pg_class WHERE relname = ANY($1) ORDER BY relname`,
      [COUNTED],
    );
    expect(rows.map((r) => r.partitioned)).toEqual(['p', 'p', 'p', 'p']);
    // Every row's partition is the UTC month of its time, and the rows span MONTHS partitions.
    expect(
      await count(
        'notifications',
        `tableoid::regclass::text <> 'notifications_p' || to_char(received_at AT TIME ZONE 'UTC', 'YYYYMM')`,
      ),
    ).toBe(0);
    expect(
      await count('notification_events', `created_month <> date_trunc('month', at AT TIME ZONE 'UTC')::date`),
    ).toBe(0);
    const { rows: months } = await scratch.pool.query<{ n: string }>(
      `SELECT count(DISTINCT tableoid) AS n FROM notifications`,
    );
    expect(Number(months[0].n)).toBeGreaterThanOrEqual(MONTHS - 1);
  });

  it('finds old alerts by transactionId, cardholder and card last 4 windows, and in reconciliation windows', async () => {
    const notifications = new NotificationsRepository(db, testCipher());
    const oldest = await notifications.findByTransactionId(`mig-tx-${ALERTS - 1}`);
    expect(oldest).toMatchObject({ id: expect.any(String), status: S.DELIVERED, cardholder_id: 'mig-ch-9' });
    expect(await notifications.findById(oldest!.id)).toMatchObject({
      transaction_id: `mig-tx-${ALERTS - 1}`,
    });

    const search = new SearchRepository(db);
    const from = new Date(Date.now() - 200 * 86_400_000);
    const to = new Date();
    const byHolder = await search.page({ by: 'cardholderId', value: 'mig-ch-3', from, to }, null, 500);
    expect(byHolder).toHaveLength(ALERTS / 10);
    const byLast4 = await search.page({ by: 'cardLast4', value: '9993', from, to }, null, 500);
    expect(byLast4.map((r) => r.id).sort()).toEqual(byHolder.map((r) => r.id).sort());

    const reconciliation = new ReconciliationRepository();
    const unexpected = await db.transaction(async (tx) => {
      await reconciliation.createScratch(tx, { statementMs: 60_000, idleMs: 60_000 });
      await reconciliation.addChunk(['mig-tx-0', 'mig-tx-1'], tx);
      return reconciliation.unexpected({ from, to }, 10, tx);
    });
    expect(unexpected.count).toBe(ALERTS - 2);
  });

  it('matches receipts and attempts by provider message id, and still refuses a replayed receipt', async () => {
    const attempts = new AttemptsRepository(db);
    expect(await attempts.byProviderMessage('twilio', `SMmig${ALERTS - 1}`, db.pool)).toMatchObject({
      attempt_no: 1,
      status: 'ACCEPTED',
    });
    expect(await attempts.claimedMessageIds('twilio', ['SMmig0', `SMmig${ALERTS - 1}`, 'SMnone'])).toEqual(
      new Set(['SMmig0', `SMmig${ALERTS - 1}`]),
    );

    const receipts = new ReceiptsRepository();
    const rules = { deliveredFrom: [S.SENT], undeliveredFrom: [S.SENT] };
    const input = (id: string, status: P, providerStatus: string) => ({
      provider: 'twilio',
      providerMessageId: id,
      status,
      providerStatus,
      receivedAt: new Date(),
    });
    // The same receipt as one stored months ago: a replay, nothing written.
    const [replay] = await db.transaction((tx) =>
      receipts.recordFinalMany([input(`SMmig${ALERTS - 1}`, P.DELIVERED, 'delivered')], rules, tx),
    );
    expect(replay).toMatchObject({ duplicate: true, moved: null });
    expect(await db.transaction((tx) => receipts.insert(input('SMmig7', P.SENT, 'sent'), null, tx))).toBe(
      false,
    );
    // A new receipt for an old message is matched to its alert through the attempt.
    const [late] = await db.transaction((tx) =>
      receipts.recordFinalMany([input(`SMmig${ALERTS - 2}`, P.UNDELIVERED, 'undelivered')], rules, tx),
    );
    expect(late).toMatchObject({ duplicate: false, notification_id: expect.any(String), moved: null });
    expect(await count('receipts')).toBe(counts.receipts + 1);
  });

  it('refuses a repeated transactionId and writes new alerts into this month, with new ids after the old', async () => {
    const notifications = new NotificationsRepository(db, testCipher());
    const repeat = newNotification({ transactionId: 'mig-tx-5' });
    const fresh = newNotification();
    const twice = newNotification({ id: randomUUID(), transactionId: fresh.transactionId });

    const inserted = await db.transaction((tx) => notifications.insertMany([repeat, fresh, twice], tx));

    expect(inserted).toEqual(new Set([fresh.id]));
    expect(await count('notifications', 'transaction_id = $1', ['mig-tx-5'])).toBe(1);
    expect(
      await db.transaction((tx) =>
        notifications.insertMany([newNotification({ transactionId: fresh.transactionId })], tx),
      ),
    ).toEqual(new Set());
    const month = `notifications_p${new Date().toISOString().slice(0, 7).replace('-', '')}`;
    expect(await count(month, 'id = $1', [fresh.id])).toBe(1);

    const { rows } = await scratch.pool.query<{ id: string }>(
      `INSERT INTO notification_events (notification_id, at, type) VALUES ($1, now(), 'QUEUED') RETURNING id`,
      [fresh.id],
    );
    expect(Number(rows[0].id)).toBeGreaterThan(maxEventId);
  });

  it('then the data protection migration: its columns and index on every month, the walk seals, the purge clears', async () => {
    const { rows: parts } = await scratch.pool.query<{ part: string; cols: string; idx: string }>(
      `SELECT c.relname AS part,
              (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND NOT a.attisdropped
                 AND a.attname IN ('data_key_id', 'wrapped_key', 'phone_enc', 'body_enc', 'purged_at')) AS cols,
              (SELECT count(*) FROM pg_inherits ih JOIN pg_index x ON x.indexrelid = ih.inhrelid
                 WHERE ih.inhparent = 'notifications_unpurged_idx'::regclass AND x.indrelid = c.oid) AS idx
       FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid WHERE h.inhparent = 'notifications'::regclass`,
    );
    expect(parts.length).toBeGreaterThanOrEqual(MONTHS + 2);
    expect(parts.filter((p) => Number(p.cols) !== 5 || Number(p.idx) !== 1)).toEqual([]);

    const config = AppConfig.fromEnv(
      {
        DATABASE_URL: scratch.url,
        RETENTION_BATCH_SIZE: '50',
        PERSONAL_DATA_RETENTION_DAYS: '30',
      },
      [],
    );
    const cipher = new DataCipher(config);
    const repository = new RetentionRepository(db);
    const walk = new KeyWalk(config, new Clock(), cipher, repository, silent);
    // The migrated alerts' plain numbers and texts, in every month, are sealed by the walk.
    for (let i = 0; i < 5 && (await walk.run('notifications')).changed > 0; i++);
    expect(await count('notifications', 'phone_e164 IS NOT NULL OR body IS NOT NULL')).toBe(0);
    const { rows: sample } = await scratch.pool.query<SealedColumns & { id: string }>(
      `SELECT id, data_key_id, wrapped_key, phone_enc, body_enc, phone_e164, body FROM notifications
       WHERE transaction_id = ANY($1)`,
      [['mig-tx-0', `mig-tx-${ALERTS / 2}`, `mig-tx-${ALERTS - 1}`]],
    );
    expect(sample.map((r) => cipher.open('notifications', r.id, r))).toEqual(
      Array(3).fill({ phone: '+447911123456', body: 'hello' }),
    );
    // main's later columns: the template params, the handset's text and the reversal's template are sealed
    // by the same walk, under the alert's data key, and open to what was stored in plain.
    expect(await count('notifications', 'template_params IS NOT NULL')).toBe(0);
    expect(await count('delivery_attempts', 'handset_text IS NOT NULL')).toBe(0);
    expect(await count('reversals', 'template IS NOT NULL')).toBe(0);
    const { rows: templated } = await scratch.pool.query<
      SealedColumns & { id: string; attempt_id: string; handset_text_enc: Buffer }
    >(
      `SELECT n.id, n.data_key_id, n.wrapped_key, n.phone_enc, n.body_enc, n.phone_e164, n.body,
              n.template_params_enc, a.id AS attempt_id, a.handset_text_enc
       FROM notifications n JOIN delivery_attempts a ON a.notification_id = n.id
       WHERE n.transaction_id = ANY($1) ORDER BY n.received_at DESC`,
      [TEMPLATED],
    );
    for (const r of templated) {
      expect(cipher.open('notifications', r.id, r).params).toBe(TEMPLATE_PARAMS);
      expect(cipher.openBeside(r, besidePlace.handsetText(r.attempt_id), r.handset_text_enc)).toBe(
        '【Sign】hello',
      );
    }
    const { rows: correction } = await scratch.pool.query<
      SealedColumns & { id: string; template_enc: Buffer }
    >(
      `SELECT n.id, n.data_key_id, n.wrapped_key, n.phone_enc, n.body_enc, n.phone_e164, n.body, r.template_enc
       FROM reversals r JOIN notifications n ON n.id = r.notification_id WHERE r.reversal_id = 'mig-rev'`,
    );
    expect(cipher.open('notifications', correction[0].id, correction[0]).body).toBe('reversed');
    expect(
      JSON.parse(
        cipher.openBeside(correction[0], besidePlace.reversalTemplate('mig-rev'), correction[0].template_enc),
      ),
    ).toEqual(JSON.parse(TEMPLATE_PARAMS));

    // The purge empties the months past the retention of personal data, partition by partition.
    const retention = new RetentionService(config, new Clock(), repository, walk, silent);
    let purged = 0;
    for (let run = await retention.purge(); ; run = await retention.purge()) {
      purged += run.purged;
      if (!run.more) break;
    }
    const due = `received_at < now() - interval '30 days' AND transaction_id LIKE 'mig-tx-%'`;
    expect(purged).toBe(await count('notifications', due));
    expect(purged).toBeGreaterThan(ALERTS / 2);
    expect(await count('notifications', `${due} AND (purged_at IS NULL OR phone_enc IS NOT NULL)`)).toBe(0);
    expect(
      await count('notifications', `NOT (${due}) AND transaction_id LIKE 'mig-tx-%' AND phone_enc IS NULL`),
    ).toBe(0);
    // The old templated alert lost its params and its attempt the handset's text; the recent one kept both.
    expect(await count('notifications', `${due} AND template_params_enc IS NOT NULL`)).toBe(0);
    expect(await count('delivery_attempts', 'handset_text_enc IS NOT NULL')).toBe(1);
    expect(await count('notifications', 'template_params_enc IS NOT NULL')).toBe(1);
  });

  it('finds a correction by its original and its reversal, and leaves no child without its alert', async () => {
    const { rows } = await scratch.pool.query<{ id: string; kind: string }>(
      `SELECT c.id, c.kind FROM notifications o JOIN notifications c ON c.original_notification_id = o.id
       WHERE o.transaction_id = 'mig-tx-2'`,
    );
    expect(rows).toEqual([{ id: CORRECTION_ID, kind: 'CORRECTION' }]);
    expect(
      await count('reversals r', `NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = r.notification_id)`),
    ).toBe(0);
    // The foreign keys to notifications(id) went with partitioning (1795550000000): the check instead.
    for (const child of ['notification_events', 'delivery_attempts', 'receipts']) {
      const orphans = `notification_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = c.notification_id)`;
      expect([child, await count(`${child} c`, orphans)]).toEqual([child, 0]);
    }
  });

  it('takes a column added later to every partition, old months included', async () => {
    await scratch.pool.query(`ALTER TABLE notifications ADD COLUMN later_column text`);
    await scratch.pool.query(`UPDATE notifications SET later_column = 'x' WHERE transaction_id = $1`, [
      `mig-tx-${ALERTS - 1}`,
    ]);
    expect(await count('notifications', `later_column = 'x'`)).toBe(1);
  });
});
