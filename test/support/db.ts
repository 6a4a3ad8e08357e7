import { Pool } from 'pg';
import { migrate } from '../../src/database/migrate';

export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/alertline_test';

/** A pool on the test database, migrated up. Tests isolate by random ids, not by truncating. */
export async function testDb(): Promise<Pool> {
  await migrate(TEST_DATABASE_URL);
  return new Pool({ connectionString: TEST_DATABASE_URL, max: 4 });
}

export async function notificationByTx(db: Pool, transactionId: string) {
  const { rows } = await db.query(`SELECT * FROM notifications WHERE transaction_id = $1`, [transactionId]);
  return rows[0] as Record<string, unknown> | undefined;
}

export async function statusesByTx(db: Pool, transactionIds: string[]): Promise<Map<string, string>> {
  const { rows } = await db.query<{ transaction_id: string; status: string }>(
    `SELECT transaction_id, status FROM notifications WHERE transaction_id = ANY($1)`,
    [transactionIds],
  );
  return new Map(rows.map((r) => [r.transaction_id, r.status]));
}

export async function timelineTypes(db: Pool, notificationId: string): Promise<string[]> {
  const { rows } = await db.query<{ type: string }>(
    `SELECT type FROM notification_events WHERE notification_id = $1 ORDER BY id`,
    [notificationId],
  );
  return rows.map((r) => r.type);
}

/** The app's own Database service on the test database, for integration specs of repositories. */
export async function testDatabaseService() {
  const { loadConfig } = await import('../../src/providers/provider-config');
  const { Database } = await import('../../src/database/database.service');
  await migrate(TEST_DATABASE_URL);
  return new Database(loadConfig({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_POOL_MAX: '4' }));
}
