import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { DataCipher } from '../crypto/data-cipher';
import type { FloorJob, ReportProgress } from './floor.types';

// The columns the ingest writes per alert (src/notifications/notifications.repository.ts insertMany), with
// their array types: the floor inserts rows of the same width the same way.
const COLUMNS: Array<[string, string]> = [
  ['id', 'uuid'],
  ['transaction_id', 'text'],
  ['event_id', 'text'],
  ['cardholder_id', 'text'],
  ['card_id', 'text'],
  ['card_last4', 'text'],
  ['amount_minor', 'bigint'],
  ['currency', 'text'],
  ['merchant_name', 'text'],
  ['merchant_city', 'text'],
  ['channel', 'text'],
  ['authorised_at', 'timestamptz'],
  ['received_at', 'timestamptz'],
  ['status', 'text'],
  ['skip_reason', 'text'],
  ['data_key_id', 'text'],
  ['contact_version', 'bigint'],
  ['locale', 'text'],
  ['wrapped_key', 'bytea'],
  ['segments', 'int'],
  ['encoding', 'text'],
  ['deadline_at', 'timestamptz'],
  ['source_partition', 'int'],
  ['source_offset', 'bigint'],
  ['phone_enc', 'bytea'],
  ['body_enc', 'bytea'],
];
export const FLOOR_TABLE = 'bench_floor_notifications';

const names = COLUMNS.map(([name]) => name).join(', ');
const INSERT = `INSERT INTO ${FLOOR_TABLE} (${names}, updated_at)
  SELECT u.*, u.received_at FROM unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')}) AS u(${names})
  ON CONFLICT (transaction_id) DO NOTHING RETURNING id`;

const BODY =
  'Alertline Bank: your card ending 0042 was used for GBP 12.34 at CORNER SHOP, London on 01/01 12:00. Not you? Call +44 20 7946 0000';

// The number and text as ingest stores them, sealed: the same bytes in every row (the floor measures the
// insert, and the copy's rows are never opened; ingest's sealing CPU is measured by crypto-cost.ts).
const SEALED = new DataCipher(AppConfig.fromEnv({}, [])).seal('notifications', 'floor', {
  phone: '+447911123456',
  body: BODY,
});

function batchValues(start: number, count: number): unknown[][] {
  const now = new Date();
  const row = (i: number): unknown[] => [
    randomUUID(),
    `floor-tx-${start + i}`,
    `floor-ev-${start + i}`,
    `ch-${i}`,
    `card-${i}`,
    '0042',
    1234 + i,
    'GBP',
    'CORNER SHOP',
    'London',
    'CONTACTLESS',
    now,
    now,
    'QUEUED',
    null,
    SEALED.keyId,
    1,
    'en-GB',
    SEALED.wrappedKey,
    1,
    'GSM-7',
    now,
    0,
    start + i,
    SEALED.phone,
    SEALED.body,
  ];
  const rows = Array.from({ length: count }, (_, i) => row(i));
  return COLUMNS.map((_, c) => rows.map((r) => r[c]));
}

/**
 * The insert rate with the ingest's batching: multi-row UNNEST statements of `batch` rows, each in its own
 * transaction, on `concurrency` connections, into a copy of the notifications table (its indexes included).
 */
export async function postgresInsertFloor(job: FloorJob, report: ReportProgress): Promise<void> {
  const { url, batch } = job.pg!;
  const pool = new Pool({ connectionString: url, max: job.concurrency });
  await pool.query(`CREATE TABLE IF NOT EXISTS ${FLOOR_TABLE} (LIKE notifications INCLUDING ALL)`);
  // The ingest's dedupe is a unique transactionId in notification_transactions (the partitioned table
  // cannot hold one); here, on the copy itself: the same one extra unique btree entry per alert.
  await pool.query(
    `CREATE UNIQUE INDEX IF NOT EXISTS ${FLOOR_TABLE}_dedupe ON ${FLOOR_TABLE} (transaction_id)`,
  );
  let next = 0;
  let items = 0;
  const startedAt = Date.now();
  const worker = async () => {
    const client = await pool.connect();
    try {
      while (next < job.items) {
        const start = next;
        const count = Math.min(batch, job.items - start);
        next += count;
        await client.query('BEGIN');
        const { rowCount } = await client.query(INSERT, batchValues(start, count));
        await client.query('COMMIT');
        items += rowCount ?? 0;
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, worker));
  report({ items, startedAt, lastAt: Date.now() }, true);
  await pool.query(`DROP TABLE ${FLOOR_TABLE}`);
  await pool.end();
}
