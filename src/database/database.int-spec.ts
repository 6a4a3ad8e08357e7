import { Client } from 'pg';
import { loadConfig } from '../providers/provider-config';
import { SweeperRepository } from '../sweeper/sweeper.repository';
import { TEST_DATABASE_URL } from '../../test/support/db';
import { Database } from './database.service';
import { migrate } from './migrate';

// pg_terminate_backend sends the same FATAL 57P01 ("terminating connection due to administrator command")
// as a server restart, to one backend only: the failover the first chaos run found, reproduced on the shared
// test database without disturbing anyone else. Before the fix, a checked-out client without an 'error'
// listener turned it into an uncaught exception, which fails the spec (and ended the roles).

const dbWith = (settings: Record<string, string> = {}) =>
  new Database(loadConfig({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_POOL_MAX: '3', ...settings }));

async function terminate(admin: Client, applicationName: string, pid: number): Promise<void> {
  const { rows } = await admin.query<{ ok: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE pid = $1 AND application_name = $2`,
    [pid, applicationName],
  );
  expect(rows).toEqual([{ ok: true }]);
}

describe('Database under a terminated connection (57P01)', () => {
  let admin: Client;
  let db: Database;

  beforeAll(async () => {
    await migrate(TEST_DATABASE_URL);
    admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => admin.end());
  afterEach(async () => db.onModuleDestroy());

  it('a transaction whose connection is terminated between statements fails alone; the pool carries on', async () => {
    db = dbWith();
    const outcome = db.transaction(async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await terminate(admin, 'alertline', rows[0].pid);
      // The client is idle in its transaction while the server ends it: the 'error' event arrives here.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await client.query('SELECT 1');
    });
    await expect(outcome).rejects.toThrow(/terminat|Connection terminated|not queryable/i);
    await expect(db.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });

  it('the sweeper run lock survives its connection being terminated, and is free afterwards', async () => {
    db = dbWith();
    const sweeper = new SweeperRepository(db);
    const run = sweeper.withRunLock(async () => {
      const { rows } = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = (hashtextextended('alertline:sweeper', 0) & x'ffffffff'::bigint)::oid AND granted`,
      );
      expect(rows).toHaveLength(1);
      await terminate(admin, 'alertline', rows[0].pid);
      await new Promise((resolve) => setTimeout(resolve, 300));
      return 'swept';
    });
    await expect(run).resolves.toEqual({ locked: false, result: 'swept' });
    // Another dispatcher (another pool) can take the lock now: it was not left behind on a pooled session.
    const other = dbWith();
    try {
      await expect(new SweeperRepository(other).withRunLock(async () => 'again')).resolves.toEqual({
        locked: false,
        result: 'again',
      });
    } finally {
      await other.onModuleDestroy();
    }
  });

  it('a statement past DATABASE_STATEMENT_TIMEOUT_MS is cancelled and its transaction rolled back', async () => {
    db = dbWith({ DATABASE_STATEMENT_TIMEOUT_MS: '200' });
    await expect(db.transaction((client) => client.query('SELECT pg_sleep(2)'))).rejects.toMatchObject({
      code: '57014',
    });
    await expect(db.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });
});
