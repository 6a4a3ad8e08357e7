import { Client, Pool } from 'pg';
import { migrate } from '../database/migrate';

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
    const { rows } = await this.pool.query<AlertText>(
      `SELECT transaction_id AS "transactionId", status, phone_e164 AS phone, body FROM notifications`,
    );
    return rows;
  }

  /** Provider attempts, and alerts that needed more than one. */
  async attempts(): Promise<{ attempts: number; retried: number }> {
    const { rows } = await this.pool.query<{ attempts: number; retried: number }>(
      `SELECT coalesce(sum(n), 0)::int AS attempts, count(*) FILTER (WHERE n > 1)::int AS retried
       FROM (SELECT count(*) AS n FROM delivery_attempts GROUP BY notification_id) a`,
    );
    return rows[0];
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
