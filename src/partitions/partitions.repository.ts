import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { Database, RunLockOutcome } from '../database/database.service';

// One fixed key for the whole deployment: every dispatcher competes for the same run.
const MAINTENANCE_LOCK_KEY = 'alertline:partitions';
// DDL on a partitioned table waits for its lock behind running statements, and every statement that
// arrives meanwhile waits behind it: giving up quickly (and trying at the next run) keeps the send path
// from queueing behind maintenance.
const DDL_LOCK_TIMEOUT = '2s';

export interface ExpiredPartition {
  parent: string;
  partition: string;
  detach_pending: boolean;
}

/** The month partitions of the tables that grow per alert (migration 1795550000000_partitions.sql). */
@Injectable()
export class PartitionsRepository {
  constructor(private readonly db: Database) {}

  /** Runs `work` on a connection holding the maintenance lock, or returns `locked` when another has it. */
  async withMaintenanceLock<T>(work: (client: PoolClient) => Promise<T>): Promise<RunLockOutcome<T>> {
    return this.db.withSessionLock(MAINTENANCE_LOCK_KEY, async (client) => {
      await client.query(`SELECT set_config('lock_timeout', $1, false)`, [DDL_LOCK_TIMEOUT]);
      try {
        return await work(client);
      } finally {
        await client.query(`RESET lock_timeout`);
      }
    });
  }

  /** Creates the month's partition of every partitioned table that lacks one; returns how many it made. */
  async createMonth(client: PoolClient, month: string): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      `SELECT alertline_create_month_partitions($1::date) AS n`,
      [month],
    );
    return rows[0].n;
  }

  async expired(client: PoolClient, cutoff: string): Promise<ExpiredPartition[]> {
    const { rows } = await client.query<ExpiredPartition>(
      `SELECT parent, partition, detach_pending FROM alertline_expired_month_partitions($1::date)`,
      [cutoff],
    );
    return rows;
  }

  /**
   * Detaches the partition without blocking the send path (CONCURRENTLY takes SHARE UPDATE EXCLUSIVE on
   * the parent; it cannot run in a transaction, hence no function), then drops it. An earlier detach that
   * was interrupted is finished with FINALIZE.
   */
  async dropPartition(client: PoolClient, p: ExpiredPartition): Promise<void> {
    const parent = client.escapeIdentifier(p.parent);
    const partition = client.escapeIdentifier(p.partition);
    await client.query(
      `ALTER TABLE ${parent} DETACH PARTITION ${partition} ${p.detach_pending ? 'FINALIZE' : 'CONCURRENTLY'}`,
    );
    await client.query(`DROP TABLE ${partition}`);
  }

  /** Deletes at most `batch` transactionId keys of months before the cutoff; returns how many. */
  async trimTransactionKeys(client: PoolClient, cutoff: string, batch: number): Promise<number> {
    const { rows } = await client.query<{ n: number }>(
      `SELECT alertline_trim_transaction_keys($1::date, $2) AS n`,
      [cutoff, batch],
    );
    return rows[0].n;
  }

  /** Months that have a partition of `table`, oldest first, as YYYY-MM-01. */
  async months(table: string): Promise<string[]> {
    const rows = await this.db.query<{ month: string }>(
      `SELECT to_char(to_date(right(c.relname, 6), 'YYYYMM'), 'YYYY-MM-DD') AS month
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = $1::regclass AND c.relname ~ '_p[0-9]{6}$' ORDER BY 1`,
      [table],
    );
    return rows.map((r) => r.month);
  }
}
