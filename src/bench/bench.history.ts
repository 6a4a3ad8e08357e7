import type { Pool, PoolClient } from 'pg';
import { DataCipher } from '../crypto/data-cipher';
import { loadConfig } from '../providers/provider-config';

/** Past months the history is spread over (a year: the issue's "a year of alerts"). */
export const HISTORY_MONTHS = 12;
/** Alerts per INSERT statement: one batch is a transaction of its own, so a long fill commits as it goes. */
const BATCH = 250_000;

export interface HistoryFill {
  alerts: number;
  months: number;
  /** Alerts still holding a (sealed) number and text: the ones within the personal data retention. */
  sealed: number;
  seconds: number;
  rows: Record<string, number>;
}

/**
 * Fills the run's database with `alerts` past alerts before the stack starts, generated in SQL
 * (generate_series): spread evenly over the HISTORY_MONTHS months before this one, each with what a
 * delivered alert leaves (per alert: 1 attempt, 4 history lines: QUEUED, SENDING, SENT, DELIVERED; 2
 * receipts: sent and delivered; 1 transactionId key), on the bench's own cardholders (`ch-<n>`, the same
 * card and phone numbering), so the support indexes hold months of the same keys. Then VACUUM ANALYZE,
 * the state autovacuum keeps a live database in. The current month stays empty: the run writes there.
 *
 * The personal data is as the retention run leaves it on a live database: alerts older than
 * `personalDataDays` are purged (no number, no text, `purged_at` set), the younger ones hold their number
 * and text sealed under `cipher` (the stack's keys, so the code opens them). Sealing needs the keys, which
 * never go into SQL: those rows' values are sealed here and handed to the INSERT. The key walk is recorded
 * as finished under the current key (no rotation under way), as on a database whose last rotation is done.
 */
/**
 * The run's history, sealed and purged as a stack with `env` (its keys, its personal data retention)
 * leaves a live database.
 */
export async function fillRunHistory(
  pool: Pool,
  alerts: number,
  cardholders: number,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<HistoryFill> {
  log(`== filling ${alerts} past alerts over ${HISTORY_MONTHS} months (SQL)`);
  const config = loadConfig(env);
  const sealing = {
    cipher: new DataCipher(config),
    personalDataDays: config.get('PERSONAL_DATA_RETENTION_DAYS'),
  };
  const fill = await fillHistory(pool, alerts, cardholders, sealing, log);
  log(`   history written in ${fill.seconds.toFixed(0)} s: ${JSON.stringify(fill.rows)}`);
  return fill;
}

export async function fillHistory(
  pool: Pool,
  alerts: number,
  cardholders: number,
  seal: { cipher: DataCipher; personalDataDays: number },
  log: (line: string) => void,
): Promise<HistoryFill> {
  const started = Date.now();
  const firstMonth = `(date_trunc('month', now() AT TIME ZONE 'UTC') - interval '${HISTORY_MONTHS} months')::date`;
  await pool.query(
    `SELECT alertline_create_month_partitions((${firstMonth} + make_interval(months => m))::date)
     FROM generate_series(0, ${HISTORY_MONTHS - 1}) m`,
  );
  let sealed = 0;
  for (let from = 0; from < alerts; from += BATCH) {
    const to = Math.min(alerts, from + BATCH) - 1;
    sealed += await insertBatch(pool, { from, to, total: alerts, cardholders, firstMonth, ...seal });
    const done = to + 1;
    const rate = done / ((Date.now() - started) / 1000);
    log(`   history: ${done} of ${alerts} alerts (${rate.toFixed(0)}/s)`);
  }
  log('   history: VACUUM ANALYZE');
  await pool.query(
    `INSERT INTO data_key_walks (target, current_key, started_at, finished_at)
     VALUES ('notifications', $1, now(), now())
     ON CONFLICT (target) DO UPDATE SET current_key = $1, started_at = now(), cursor_at = NULL, cursor_id = NULL,
       changed = 0, unreadable = 0, finished_at = now()`,
    [seal.cipher.currentKeyId],
  );
  await pool.query(
    `VACUUM (ANALYZE) notifications, notification_events, delivery_attempts, receipts, notification_transactions`,
  );
  const { rows } = await pool.query<{ name: string; n: string }>(
    `SELECT 'notifications' AS name, count(*) AS n FROM notifications
     UNION ALL SELECT 'notification_events', count(*) FROM notification_events
     UNION ALL SELECT 'delivery_attempts', count(*) FROM delivery_attempts
     UNION ALL SELECT 'receipts', count(*) FROM receipts`,
  );
  return {
    alerts,
    months: HISTORY_MONTHS,
    sealed,
    seconds: (Date.now() - started) / 1000,
    rows: Object.fromEntries(rows.map((r) => [r.name, Number(r.n)])),
  };
}

/** A UUIDv7 for the time `at` (as ingest mints them, alert-id.ts), its random bits from md5 of `seed`. */
const timeId = (at: string, seed: string) =>
  `(lpad(to_hex((extract(epoch FROM ${at}) * 1000)::bigint), 12, '0') || '7' || substr(md5(${seed}), 14, 3)
    || '8' || substr(md5(${seed}), 18, 15))::uuid`;

interface Batch {
  from: number;
  to: number;
  total: number;
  cardholders: number;
  firstMonth: string;
  cipher: DataCipher;
  personalDataDays: number;
}

// The number and text of history alert i of cardholder `holder` (the bench's own numbering), as sealed.
export const historyPhone = (holder: number) => `+447700${String(holder % 1_000_000).padStart(6, '0')}`;
export const historyBody = (i: number, holder: number) =>
  `Card ending ${String(holder % 10_000).padStart(4, '0')}: GBP ${100 + (i % 100_000)} at History Merchant`;

/**
 * Alerts `from`..`to` of `total`: alert i is written at a time spread evenly over the months (its month is
 * its partition, created_month). Ids are UUIDv7 of that time, as ingest mints them. Returns how many were
 * written sealed (within the personal data retention).
 */
async function insertBatch(pool: Pool, b: Batch): Promise<number> {
  const thisMonth = `(date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;
  const first = `(${b.firstMonth}::timestamp AT TIME ZONE 'UTC')`;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Generated once into a temporary table, then written to each table from it.
    await client.query(
      `CREATE TEMP TABLE h ON COMMIT DROP AS
       SELECT i, ${timeId('at', `'history-' || i`)} AS id, 'hist-' || i AS transaction_id, holder, at
       FROM (SELECT i, i % $3 AS holder, ${first} + (${thisMonth} - ${first}) * (i::float8 / $4) AS at
             FROM generate_series($1::bigint, $2::bigint) i) g`,
      [b.from, b.to, b.cardholders, b.total],
    );
    const sealed = await sealRecent(client, b);
    await client.query(
      `INSERT INTO notification_transactions (transaction_id, created_month)
       SELECT transaction_id, date_trunc('month', at AT TIME ZONE 'UTC')::date FROM h`,
    );
    // An alert without sealed values is one the purge has been through: purged_at is when it became due.
    await client.query(
      `INSERT INTO notifications (id, transaction_id, event_id, cardholder_id, card_id, card_last4, amount_minor,
         currency, merchant_name, merchant_city, channel, authorised_at, received_at, status, data_key_id,
         wrapped_key, phone_enc, body_enc, purged_at, contact_version, locale, segments, encoding, deadline_at,
         provider, provider_message_id, accepted_at, final_at, updated_at, created_month)
       SELECT h.id, transaction_id, 'hist-evt-' || i, 'ch-' || holder, 'card-' || holder, lpad((holder % 10000)::text, 4, '0'),
              100 + i % 100000, 'GBP', 'History Merchant', 'London', 'POS', at - interval '1 second', at, 'DELIVERED',
              s.data_key_id, s.wrapped_key, s.phone_enc, s.body_enc,
              CASE WHEN s.id IS NULL THEN at + $1 * interval '1 day' END, 1, 'en',
              1, 'GSM-7', at + interval '10 minutes', 'twilio', 'SMH' || md5('history-' || i),
              at + interval '50 milliseconds', at + interval '150 milliseconds', at + interval '150 milliseconds',
              date_trunc('month', at AT TIME ZONE 'UTC')::date
       FROM h LEFT JOIN sealed s ON s.id = h.id`,
      [b.personalDataDays],
    );
    await client.query(
      `INSERT INTO delivery_attempts (id, notification_id, attempt_no, provider, status, provider_message_id,
         segments, started_at, finished_at, created_month)
       SELECT ${timeId(`at + interval '20 milliseconds'`, `'history-attempt-' || i`)}, id, 1, 'twilio', 'ACCEPTED', 'SMH' || md5('history-' || i), 1,
              at + interval '20 milliseconds', at + interval '50 milliseconds', date_trunc('month', at AT TIME ZONE 'UTC')::date
       FROM h`,
    );
    // Each message id's month, as the send path records it for the receipts (provider_message_months).
    await client.query(
      `INSERT INTO provider_message_months (provider, provider_message_id, created_month, notification_id)
       SELECT 'twilio', 'SMH' || md5('history-' || i), date_trunc('month', at AT TIME ZONE 'UTC')::date, id FROM h`,
    );
    await client.query(
      `INSERT INTO notification_events (notification_id, at, type, status, provider, provider_message_id, detail, created_month)
       SELECT h.id, h.at + e.after, e.type, e.type, CASE WHEN e.n > 1 THEN 'twilio' END,
              CASE WHEN e.n > 2 THEN 'SMH' || md5('history-' || h.i) END, CASE WHEN e.n = 4 THEN 'delivered' END,
              date_trunc('month', h.at AT TIME ZONE 'UTC')::date
       FROM h CROSS JOIN (VALUES (1, 'QUEUED', interval '0'), (2, 'SENDING', interval '20 milliseconds'),
                                 (3, 'SENT', interval '50 milliseconds'), (4, 'DELIVERED', interval '150 milliseconds'))
                          AS e(n, type, after)
       ORDER BY h.i, e.n`,
    );
    await client.query(
      `INSERT INTO receipts (provider, provider_message_id, status, provider_status, notification_id, received_at, created_month)
       SELECT 'twilio', 'SMH' || md5('history-' || h.i), r.status, r.provider_status, h.id, h.at + r.after,
              date_trunc('month', h.at AT TIME ZONE 'UTC')::date
       FROM h CROSS JOIN (VALUES ('SENT', 'sent', interval '60 milliseconds'),
                                 ('DELIVERED', 'delivered', interval '150 milliseconds')) AS r(status, provider_status, after)
       ORDER BY h.i`,
    );
    await client.query('COMMIT');
    return sealed;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Seals the number and text of the batch's alerts within the retention into the temporary table `sealed`. */
async function sealRecent(client: PoolClient, b: Batch): Promise<number> {
  const { rows } = await client.query<{ id: string; i: string; holder: string }>(
    `SELECT id, i, holder FROM h WHERE at >= now() - $1 * interval '1 day'`,
    [b.personalDataDays],
  );
  const sealed = rows.map((r) =>
    b.cipher.seal('notifications', r.id, {
      phone: historyPhone(Number(r.holder)),
      body: historyBody(Number(r.i), Number(r.holder)),
    }),
  );
  await client.query(
    `CREATE TEMP TABLE sealed ON COMMIT DROP AS
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::bytea[], $5::bytea[])
       AS u(id, data_key_id, wrapped_key, phone_enc, body_enc)`,
    [
      rows.map((r) => r.id),
      sealed.map((s) => s.keyId),
      sealed.map((s) => s.wrappedKey),
      sealed.map((s) => s.phone),
      sealed.map((s) => s.body),
    ],
  );
  return rows.length;
}

/**
 * The history a kept database (--database) already holds, from the planner's row estimates (a count of
 * ten million rows would take longer than the run): months before this one that hold alerts, and their rows.
 */
export async function describeHistory(pool: Pool): Promise<HistoryFill | null> {
  const { rows } = await pool.query<{ parent: string; months: number; n: string }>(
    `SELECT p.relname AS parent, count(*)::int AS months, sum(c.reltuples)::bigint AS n
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname IN ('notifications', 'notification_events', 'delivery_attempts', 'receipts')
       AND c.reltuples > 0
       AND substr(c.relname, length(p.relname) + 3) < to_char(now() AT TIME ZONE 'UTC', 'YYYYMM')
     GROUP BY p.relname`,
  );
  const alerts = rows.find((r) => r.parent === 'notifications');
  if (!alerts) return null;
  return {
    alerts: Number(alerts.n),
    months: alerts.months,
    sealed: 0,
    seconds: 0,
    rows: Object.fromEntries(rows.map((r) => [r.parent, Number(r.n)])),
  };
}
