import path from 'node:path';
import { runner } from 'node-pg-migrate';

// Migrations are plain SQL files with up and down sections, read from the source tree in every mode
// (tests, dist, Docker) so there is one copy of the schema.
export const MIGRATIONS_DIR = path.resolve(__dirname, '../../src/database/migrations');

export async function migrate(databaseUrl: string, direction: 'up' | 'down' = 'up', count?: number): Promise<void> {
  await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction,
    count: count ?? (direction === 'up' ? Infinity : 1),
    migrationsTable: 'pgmigrations',
    log: () => undefined,
    noLock: false,
    checkOrder: true,
  });
}
