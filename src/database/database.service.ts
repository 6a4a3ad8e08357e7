import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Pool, PoolClient, QueryResultRow } from 'pg';
import { AppConfig } from '../config/app-config';

export type Queryable = Pick<PoolClient, 'query'>;

/** A run under a session lock (`withSessionLock`): `locked` when another process holds it. */
export type RunLockOutcome<T> = { locked: true } | { locked: false; result: T };

// The client gives up this long after the server should have cancelled a statement: it only fires when the
// server cannot answer at all (frozen, partitioned), and then frees the connection instead of waiting forever.
const CLIENT_TIMEOUT_MARGIN_MS = 5000;

/** The connection pool. Repositories run their SQL through `query` or inside `transaction`. */
@Injectable()
export class Database implements OnModuleDestroy {
  readonly pool: Pool;

  constructor(config: AppConfig) {
    const statementTimeout = config.get('DATABASE_STATEMENT_TIMEOUT_MS');
    this.pool = new Pool({
      connectionString: config.get('DATABASE_URL'),
      max: config.get('DATABASE_POOL_MAX'),
      application_name: 'alertline',
      connectionTimeoutMillis: config.get('DATABASE_CONNECT_TIMEOUT_MS'),
      statement_timeout: statementTimeout,
      query_timeout: statementTimeout + CLIENT_TIMEOUT_MARGIN_MS,
      idle_in_transaction_session_timeout: config.get('DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS'),
      keepAlive: true,
      keepAliveInitialDelayMillis: 10000,
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
    // The pool's own listener is removed while a client is checked out (a transaction, the sweeper's lock):
    // a server restart (57P01) then would be an unhandled 'error' event that ends the process. The query in
    // progress still fails with the error, and a client released with an error is discarded.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  async query<T extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const result = await this.pool.query<T>(sql, params);
    return result.rows;
  }

  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // A connection that cannot even roll back (lost, or stuck behind a timed-out statement) is not
      // returned to the pool for the next caller to trip over.
      await client.query('ROLLBACK').catch((rollbackErr: Error) => {
        broken = rollbackErr;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Runs `work` on one pooled connection holding a session-level advisory lock on `key`, or returns
   * `locked` at once when another process holds it: one runner at a time across processes (the sweeper,
   * partition maintenance, the retention run). A process that dies mid-run drops its connection and so the lock.
   */
  async withSessionLock<T>(
    key: string,
    work: (client: PoolClient) => Promise<T>,
  ): Promise<RunLockOutcome<T>> {
    const client = await this.pool.connect();
    let held = false;
    let broken: Error | undefined;
    try {
      const { rows } = await client.query<{ ok: boolean }>(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`,
        [key],
      );
      held = rows[0].ok;
      if (!held) return { locked: true };
      return { locked: false, result: await work(client) };
    } finally {
      if (held)
        await client
          .query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key])
          .catch((err: Error) => {
            broken = err;
          });
      // A connection whose unlock failed may still hold the session lock: back in the pool it would keep
      // every other process out for as long as it lives. Released with the error, it is closed.
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
