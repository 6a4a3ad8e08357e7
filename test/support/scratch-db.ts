import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { migrate } from '../../src/database/migrate';
import { TEST_DATABASE_URL } from './db';

/**
 * A database of its own for one spec file, for tests whose processes act on every row they can see (the
 * sweeper adopts any alert without a queue job): on the shared test database they would adopt, or be
 * disturbed by, other stacks' alerts, or that change the schema. Dropped by `drop`.
 */
export async function scratchDatabase(
  options: { migrations?: number } = {},
): Promise<{ url: string; pool: Pool; drop: () => Promise<void> }> {
  const name = `alertline_scratch_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  // `migrations`: only the first n, for a spec that starts from an older schema (then migrates up itself).
  await migrate(url.toString(), 'up', options.migrations);
  const pool = new Pool({ connectionString: url.toString(), max: 4 });
  return {
    url: url.toString(),
    pool,
    drop: async () => {
      // pool.end() resolves once its clients are asked to end, not once their sockets are closed; a client
      // still open when DROP ... WITH (FORCE) terminates its backend gets FATAL 57P01, which the pool
      // re-emits as an 'error' nobody listens to (seen: "Unhandled error" failing a suite whose tests all
      // passed). So wait for every client's 'remove' (emitted after its connection closed) first.
      const open = pool.totalCount;
      const closed = new Promise<void>((resolve) => {
        let removed = 0;
        if (open === 0) resolve();
        pool.on('remove', () => {
          if (++removed === open) resolve();
        });
      });
      await pool.end();
      await closed;
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
