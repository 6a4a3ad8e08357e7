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
  /**
   * Per table, its partitions summed: rows inserted / updated (HOT updates: no index touched) / deleted,
   * rows read (sequential and index fetches), index entries read, index scans.
   */
  tables: Record<string, TableActivity>;
}

export interface TableActivity {
  inserted: number;
  updated: number;
  hotUpdated: number;
  deleted: number;
  rowsRead: number;
  indexEntriesRead: number;
  indexScans: number;
}

const NO_ACTIVITY: TableActivity = {
  inserted: 0,
  updated: 0,
  hotUpdated: 0,
  deleted: 0,
  rowsRead: 0,
  indexEntriesRead: 0,
  indexScans: 0,
};

/** The bench's history fill writes only months before this one; the run's own alerts are from here on. */
const MONTH_ROWS = `created_month >= date_trunc('month', now() AT TIME ZONE 'UTC')::date`;
/** The alerts of one publisher of the run (its transaction ids are `<prefix>-tx-<n>`, bench.workload.ts). */
const alertsOf = (prefix: string) => `${MONTH_ROWS} AND transaction_id LIKE '${prefix}-tx-%'`;

export function activitySince(before: DbActivity, after: DbActivity): DbActivity {
  const tables: DbActivity['tables'] = {};
  for (const [name, t] of Object.entries(after.tables)) {
    const b = before.tables[name] ?? NO_ACTIVITY;
    tables[name] = Object.fromEntries(
      (Object.keys(NO_ACTIVITY) as Array<keyof TableActivity>).map((k) => [k, t[k] - b[k]]),
    ) as unknown as TableActivity;
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
    /** The run's id: the measured alerts' transaction ids start with it, the warm-up's with `<id>-warm`. */
    private readonly runId: string,
  ) {}

  /** `existing`: a database kept from an earlier run (--database), migrated up and used as it is. */
  static async create(
    adminUrl: string,
    name: string,
    runId: string,
    existing = false,
  ): Promise<BenchDatabase> {
    if (!existing) await admin(adminUrl, `CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    await migrate(url.toString());
    return new BenchDatabase(
      name,
      url.toString(),
      adminUrl,
      new Pool({ connectionString: url.toString(), max: 2 }),
      runId,
    );
  }

  async count(table: 'contacts' | 'notifications'): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return rows[0].n;
  }

  /**
   * Removes this month's alerts and what hangs off them (an earlier run's, on a kept database), keeping the
   * contacts and the history months: the month's partitions then hold only this run's warm-up and run.
   */
  async forgetAlerts(): Promise<void> {
    await this.pool.query(
      `DELETE FROM notification_transactions WHERE ${MONTH_ROWS}; DELETE FROM notification_events WHERE ${MONTH_ROWS};
       DELETE FROM receipts WHERE ${MONTH_ROWS}; DELETE FROM delivery_attempts WHERE ${MONTH_ROWS};
       DELETE FROM notifications WHERE ${MONTH_ROWS};`,
    );
  }

  /**
   * What autovacuum would have done by now on a live database, then a checkpoint: run after the warm-up,
   * before the measured window. This machine's PostgreSQL runs with autovacuum off (its CI configuration),
   * so an earlier run's deletes and the warm-up's updates stayed as dead index entries the run would walk
   * through. The warm-up's alerts stay in the month: statistics taken on an empty partition (as the
   * --history fill's ANALYZE took them) made the claim scan the whole open-alerts index for each batch (57
   * entries a scan here), where a live month's statistics pick the primary key. The checkpoint keeps a
   * --history fill's dirty pages out of the window. The month's partitions and the unpartitioned lookup
   * tables only: the history months were vacuumed after the fill.
   */
  async settle(): Promise<{ autovacuum: boolean }> {
    const { rows } = await this.pool.query<{ month: string; autovacuum: string }>(
      `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYYMM') AS month, current_setting('autovacuum') AS autovacuum`,
    );
    const month = rows[0].month;
    const parts = ['notifications', 'notification_events', 'delivery_attempts', 'receipts'].map(
      (t) => `${t}_p${month}`,
    );
    await this.pool.query(
      `VACUUM (ANALYZE) ${[...parts, 'provider_message_months', 'notification_transactions'].join(', ')}`,
    );
    await this.pool.query('CHECKPOINT');
    return { autovacuum: rows[0].autovacuum === 'on' };
  }

  /** Final alerts of the run, or of its warm-up. */
  async finalCount(of: 'run' | 'warm-up' = 'run'): Promise<number> {
    const prefix = of === 'run' ? this.runId : `${this.runId}-warm`;
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notifications
       WHERE ${alertsOf(prefix)} AND status IN ('DELIVERED', 'UNDELIVERED', 'FAILED', 'EXPIRED', 'SKIPPED')`,
    );
    return rows[0].n;
  }

  async alertTimes(): Promise<AlertTimes[]> {
    const ms = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8 AS ${col.replace('_at', '')}`;
    const { rows } = await this.pool.query<AlertTimes>(
      `SELECT status, ${['authorised_at', 'received_at', 'accepted_at', 'final_at'].map(ms).join(', ')} FROM notifications WHERE ${alertsOf(this.runId)}`,
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
    >(
      `SELECT transaction_id AS "transactionId", status, ${SEALED_COLUMNS} FROM notifications n WHERE ${alertsOf(this.runId)}`,
    );
    const open = alertOpener();
    return rows.map((r) => ({ transactionId: r.transactionId, status: r.status, ...open(r) }));
  }

  /** Provider attempts, and alerts that needed more than one. */
  async attempts(): Promise<{ attempts: number; retried: number }> {
    const { rows } = await this.pool.query<{ attempts: number; retried: number }>(
      `SELECT coalesce(sum(n), 0)::int AS attempts, count(*) FILTER (WHERE n > 1)::int AS retried
       FROM (SELECT count(*) AS n FROM delivery_attempts WHERE ${MONTH_ROWS}
               AND notification_id IN (SELECT id FROM notifications WHERE ${alertsOf(this.runId)})
             GROUP BY notification_id) a`,
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
      // A partition counts for its table (notifications_p202612 for notifications).
      this.pool.query<{ name: string } & Record<keyof TableActivity, string>>(
        `SELECT COALESCE(p.relname, t.relname) AS name, sum(t.n_tup_ins) AS inserted, sum(t.n_tup_upd) AS updated,
                sum(t.n_tup_hot_upd) AS "hotUpdated", sum(t.n_tup_del) AS deleted,
                sum(COALESCE(t.seq_tup_read, 0) + COALESCE(t.idx_tup_fetch, 0)) AS "rowsRead",
                sum((SELECT COALESCE(sum(i.idx_tup_read), 0) FROM pg_stat_user_indexes i WHERE i.relid = t.relid))
                  AS "indexEntriesRead",
                sum(COALESCE(t.idx_scan, 0)) AS "indexScans"
         FROM pg_stat_user_tables t
         LEFT JOIN pg_inherits h ON h.inhrelid = t.relid LEFT JOIN pg_class p ON p.oid = h.inhparent
         GROUP BY 1`,
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
          Object.fromEntries(
            (Object.keys(NO_ACTIVITY) as Array<keyof TableActivity>).map((k) => [k, Number(t[k])]),
          ) as unknown as TableActivity,
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
