import { Pool } from 'pg';
import type { SealedColumns } from '../crypto/data-cipher';
import { alertOpener, SEALED_COLUMNS } from '../devstack/opened-alerts';

export const FINAL_STATUSES = ['DELIVERED', 'UNDELIVERED', 'FAILED', 'EXPIRED', 'SKIPPED'];

export interface ChaosAlert {
  transactionId: string;
  status: string;
  /** SENT with no final receipt past the SLA, flagged by the sweeper (the contract's answer to a lost receipt). */
  overdue: boolean;
  phone: string | null;
  body: string | null;
  /** Milliseconds past the deadline at acceptance by a provider (or now, if never accepted); <= 0 is on time. */
  lateMs: number | null;
  /** Each provider attempt as `provider:status[:error code]`, in order. */
  attempts: string[];
}

/** The chaos run's own reads of the private database; it outlives restarts of that database too. */
export class ChaosDatabase {
  readonly pool: Pool;

  constructor(url: string) {
    this.pool = new Pool({
      connectionString: url,
      max: 2,
      connectionTimeoutMillis: 3000,
      query_timeout: 20000,
    });
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  async count(table: 'contacts' | 'notifications'): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return rows[0].n;
  }

  /** Alerts a provider has taken or that ended, of all published so far: the pipeline's output. */
  async doneCount(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notifications WHERE accepted_at IS NOT NULL OR status = ANY($1)`,
      [FINAL_STATUSES],
    );
    return rows[0].n;
  }

  async nonFinal(transactionIds: string[]): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notifications WHERE transaction_id = ANY($1) AND status = ANY($2)`,
      [transactionIds, FINAL_STATUSES],
    );
    return transactionIds.length - rows[0].n;
  }

  async alerts(transactionIds: string[]): Promise<ChaosAlert[]> {
    const { rows } = await this.pool.query<
      Omit<ChaosAlert, 'lateMs' | 'phone' | 'body'> & SealedColumns & { id: string; lateMs: string | null }
    >(
      `SELECT n.transaction_id AS "transactionId", n.status, n.overdue, ${SEALED_COLUMNS},
              (extract(epoch FROM coalesce(n.accepted_at, n.final_at, now()) - n.deadline_at) * 1000)::bigint AS "lateMs",
              coalesce(array_agg(a.provider || ':' || a.status || coalesce(':' || a.error_code, '')
                                 ORDER BY a.attempt_no) FILTER (WHERE a.id IS NOT NULL), '{}') AS attempts
       FROM notifications n LEFT JOIN delivery_attempts a ON a.notification_id = n.id
       WHERE n.transaction_id = ANY($1)
       GROUP BY n.id`,
      [transactionIds],
    );
    const open = alertOpener();
    return rows.map(({ id, data_key_id, wrapped_key, phone_enc, body_enc, phone_e164, body, ...r }) => ({
      ...r,
      ...open({ id, data_key_id, wrapped_key, phone_enc, body_enc, phone_e164, body }),
      lateMs: r.lateMs === null ? null : Number(r.lateMs),
    }));
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}
