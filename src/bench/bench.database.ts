import { Client, Pool } from 'pg';
import type { SealedColumns } from '../crypto/data-cipher';
import { migrate } from '../database/migrate';
import { alertOpener, SEALED_COLUMNS } from '../devstack/opened-alerts';

/** Each alert's times as epoch milliseconds (NaN where the stage was not reached). */
export interface AlertTimes {
  status: string;
  authorised: number;
  received: number;
  accepted: number;
  final: number;
}

/** What the alert says and where it went, to match against the sandbox's messages. */
export interface AlertText {
  transactionId: string;
  status: string;
  phone: string | null;
  body: string | null;
}

/** Work the database did, from PostgreSQL's cumulative statistics (WAL is the whole server's). */
export interface DbActivity {
  commits: number;
  rollbacks: number;
  walRecords: number;
  walBytes: number;
  /** Rows inserted / updated (HOT updates: no index touched) / deleted, per table. */
  tables: Record<string, { inserted: number; updated: number; hotUpdated: number; deleted: number }>;
}

export function activitySince(before: DbActivity, after: DbActivity): DbActivity {
  const tables: DbActivity['tables'] = {};
  for (const [name, t] of Object.entries(after.tables)) {
    const b = before.tables[name] ?? { inserted: 0, updated: 0, hotUpdated: 0, deleted: 0 };
    tables[name] = {
      inserted: t.inserted - b.inserted,
      updated: t.updated - b.updated,
      hotUpdated: t.hotUpdated - b.hotUpdated,
      deleted: t.deleted - b.deleted,
    };
  }
  return {
    commits: after.commits - before.commits,
    rollbacks: after.rollbacks - before.rollbacks,
    walRecords: after.walRecords - before.walRecords,
    walBytes: after.walBytes - before.walBytes,
    tables,
  };
}

/**
 * A database of its own for one benchmark run (created fresh, migrated, dropped at the end), so the
 * figures are not skewed by other runs' rows, and the readings the benchmark takes from it.
 */
export class BenchDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
    private readonly adminUrl: string,
    readonly pool: Pool,
  ) {}

  static async create(adminUrl: string, name: string): Promise<BenchDatabase> {
    await admin(adminUrl, `CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    await migrate(url.toString());
    return new BenchDatabase(
      name,
      url.toString(),
      adminUrl,
      new Pool({ connectionString: url.toString(), max: 2 }),
    );
  }

  async count(table: 'contacts' | 'notifications'): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return rows[0].n;
  }

  /** Removes every alert and what hangs off it (the warm-up's), keeping the contacts. */
  async forgetAlerts(): Promise<void> {
    await this.pool.query(
      `DELETE FROM notification_events; DELETE FROM receipts; DELETE FROM delivery_attempts; DELETE FROM notifications;`,
    );
  }

  async finalCount(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notifications WHERE status IN ('DELIVERED', 'UNDELIVERED', 'FAILED', 'EXPIRED', 'SKIPPED')`,
    );
    return rows[0].n;
  }

  async alertTimes(): Promise<AlertTimes[]> {
    const ms = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8 AS ${col.replace('_at', '')}`;
    const { rows } = await this.pool.query<AlertTimes>(
      `SELECT status, ${['authorised_at', 'received_at', 'accepted_at', 'final_at'].map(ms).join(', ')} FROM notifications`,
    );
    return rows.map((r) => ({
      status: r.status,
      authorised: r.authorised,
      received: r.received,
      accepted: r.accepted ?? NaN,
      final: r.final ?? NaN,
    }));
  }

  async alertTexts(): Promise<AlertText[]> {
    const { rows } = await this.pool.query<
      SealedColumns & { id: string; transactionId: string; status: string }
    >(`SELECT transaction_id AS "transactionId", status, ${SEALED_COLUMNS} FROM notifications n`);
    const open = alertOpener();
    return rows.map((r) => ({ transactionId: r.transactionId, status: r.status, ...open(r) }));
  }

  /** Provider attempts, and alerts that needed more than one. */
  async attempts(): Promise<{ attempts: number; retried: number }> {
    const { rows } = await this.pool.query<{ attempts: number; retried: number }>(
      `SELECT coalesce(sum(n), 0)::int AS attempts, count(*) FILTER (WHERE n > 1)::int AS retried
       FROM (SELECT count(*) AS n FROM delivery_attempts GROUP BY notification_id) a`,
    );
    return rows[0];
  }

  async activity(): Promise<DbActivity> {
    const [db, wal, tables] = await Promise.all([
      this.pool.query<{ commits: string; rollbacks: string }>(
        `SELECT xact_commit AS commits, xact_rollback AS rollbacks FROM pg_stat_database WHERE datname = current_database()`,
      ),
      this.pool.query<{ records: string; bytes: string }>(
        `SELECT wal_records AS records, wal_bytes AS bytes FROM pg_stat_wal`,
      ),
      this.pool.query<{ name: string; ins: string; upd: string; hot: string; del: string }>(
        `SELECT relname AS name, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_hot_upd AS hot, n_tup_del AS del
         FROM pg_stat_user_tables`,
      ),
    ]);
    return {
      commits: Number(db.rows[0]?.commits ?? 0),
      rollbacks: Number(db.rows[0]?.rollbacks ?? 0),
      walRecords: Number(wal.rows[0]?.records ?? 0),
      walBytes: Number(wal.rows[0]?.bytes ?? 0),
      tables: Object.fromEntries(
        tables.rows.map((t) => [
          t.name,
          {
            inserted: Number(t.ins),
            updated: Number(t.upd),
            hotUpdated: Number(t.hot),
            deleted: Number(t.del),
          },
        ]),
      ),
    };
  }

  async drop(keep: boolean): Promise<void> {
    await this.pool.end();
    if (!keep) await admin(this.adminUrl, `DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
  }
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
