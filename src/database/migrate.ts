import path from 'node:path';
import { runner } from 'node-pg-migrate';
import { Client } from 'pg';

// Migrations are plain SQL files with up and down sections, read from the source tree in every mode
// (tests, dist, Docker) so there is one copy of the schema.
export const MIGRATIONS_DIR = path.resolve(__dirname, '../../src/database/migrations');

// node-pg-migrate's own lock is a try-lock: a second role starting at the same moment fails with "Another
// migration is already running" instead of waiting. Roles queue on this lock first, so they migrate in turn.
const MIGRATE_QUEUE_LOCK = 'alertline:migrate';

export async function migrate(
  databaseUrl: string,
  direction: 'up' | 'down' = 'up',
  count?: number,
): Promise<void> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'alertline-migrate' });
  // Without a listener a server restart during start-up (57P01) is an unhandled 'error' event; the failing
  // query reports it instead.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [MIGRATE_QUEUE_LOCK]);
    await runner({
      // Our client, not one node-pg-migrate makes: its own has no 'error' listener.
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction,
      count: count ?? (direction === 'up' ? Infinity : 1),
      migrationsTable: 'pgmigrations',
      log: () => undefined,
      noLock: false,
      checkOrder: true,
    });
  } finally {
    // Ending the session releases the lock.
    await client.end();
  }
}
