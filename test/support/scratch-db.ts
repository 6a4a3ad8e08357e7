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
      await pool.end();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
