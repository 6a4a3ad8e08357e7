import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '../database/database.service';
import type { HealthState, WindowStats } from './delivery-health';

// One fixed key for the deployment: one dispatcher evaluates at a time, the others read its result.
const EVALUATE_LOCK_KEY = 'alertline:delivery-health';

export interface ProviderHealthRow {
  provider: string;
  state: HealthState;
  state_since: Date;
  reason: string | null;
  sample: number;
  delivered: number;
  delay_p90_ms: number | null;
  evaluated_at: Date;
}

export interface WindowQuery {
  providers: readonly string[];
  now: Date;
  windowMs: number;
  /** A message accepted this long before `now` with no final receipt counts as not delivered. */
  receiptWaitMs: number;
  /** The latest this many accepted messages per provider are read. */
  maxSample: number;
}

/**
 * The delivery-health evidence and the route state, in PostgreSQL: the attempts the dispatchers record
 * and the receipts the api (webhooks) and the sweeper (status polls) record, whichever process wrote them.
 */
@Injectable()
export class DeliveryHealthRepository {
  constructor(private readonly db: Database) {}

  /**
   * Runs `work` in a transaction holding the evaluation lock, or returns null at once when another
   * dispatcher holds it (it is evaluating right now). A transaction-scoped lock: nothing to release.
   */
  async withEvaluationLock<T>(work: (tx: Queryable) => Promise<T>): Promise<T | null> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ ok: boolean }>(
        `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS ok`,
        [EVALUATE_LOCK_KEY],
      );
      return rows[0].ok ? work(tx) : null;
    });
  }

  async states(db: Queryable = this.db.pool): Promise<ProviderHealthRow[]> {
    const { rows } = await db.query<ProviderHealthRow>(`SELECT * FROM provider_delivery_health`);
    return rows;
  }

  async save(rows: readonly ProviderHealthRow[], db: Queryable): Promise<void> {
    if (rows.length === 0) return;
    await db.query(
      `INSERT INTO provider_delivery_health
         (provider, state, state_since, reason, sample, delivered, delay_p90_ms, evaluated_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::int[], $6::int[],
                            $7::int[], $8::timestamptz[])
       ON CONFLICT (provider) DO UPDATE SET
         state = EXCLUDED.state, state_since = EXCLUDED.state_since, reason = EXCLUDED.reason,
         sample = EXCLUDED.sample, delivered = EXCLUDED.delivered, delay_p90_ms = EXCLUDED.delay_p90_ms,
         evaluated_at = EXCLUDED.evaluated_at`,
      [
        rows.map((r) => r.provider),
        rows.map((r) => r.state),
        rows.map((r) => r.state_since),
        rows.map((r) => r.reason),
        rows.map((r) => r.sample),
        rows.map((r) => r.delivered),
        rows.map((r) => r.delay_p90_ms),
        rows.map((r) => r.evaluated_at),
      ],
    );
  }

  /**
   * Each provider's final outcomes decided in the window ending at `now`. An accepted message's outcome is
   * its first final receipt (DELIVERED, UNDELIVERED or FAILED; webhook or polled) if that came within the
   * receipt wait, decided when it came; otherwise "not delivered", decided when the wait ran out. So the
   * messages read are those accepted within window + wait, at most `maxSample` per provider (newest first,
   * on delivery_attempts_accepted_idx); receipts are found on receipts_dedupe_idx.
   */
  async windowStats(q: WindowQuery, db: Queryable = this.db.pool): Promise<Map<string, WindowStats>> {
    const { rows } = await db.query<{
      provider: string;
      sample: number;
      delivered: number;
      delay_p90_ms: number | null;
    }>(
      `WITH accepted AS (
         SELECT p.provider, a.provider_message_id, a.finished_at AS accepted_at, a.created_month
         FROM unnest($1::text[]) AS p(provider)
         CROSS JOIN LATERAL (
           SELECT a.provider_message_id, a.finished_at, a.created_month FROM delivery_attempts a
           WHERE a.provider = p.provider AND a.status = 'ACCEPTED'
             AND a.finished_at > $2::timestamptz - ($3::bigint + $4::bigint) * interval '1 millisecond'
             AND a.finished_at <= $2::timestamptz
           ORDER BY a.finished_at DESC
           LIMIT $5
         ) a
       ), outcome AS (
         SELECT x.provider, x.accepted_at, r.status, r.received_at
         FROM accepted x
         LEFT JOIN LATERAL (
           SELECT r.status, r.received_at FROM receipts r
           WHERE r.provider = x.provider AND r.provider_message_id = x.provider_message_id
             -- No receipt before its attempt: pruned at run time to the months from the attempt's on.
             AND r.created_month >= x.created_month
             AND r.status IN ('DELIVERED', 'UNDELIVERED', 'FAILED')
             AND r.received_at <= LEAST($2::timestamptz, x.accepted_at + $4::bigint * interval '1 millisecond')
           ORDER BY r.received_at, r.id
           LIMIT 1
         ) r ON true
       ), decided AS (
         SELECT provider, status, received_at - accepted_at AS delay,
                COALESCE(received_at, accepted_at + $4::bigint * interval '1 millisecond') AS decided_at
         FROM outcome
         WHERE received_at IS NOT NULL OR accepted_at + $4::bigint * interval '1 millisecond' <= $2::timestamptz
       )
       SELECT provider, count(*)::int AS sample,
              count(*) FILTER (WHERE status = 'DELIVERED')::int AS delivered,
              round(1000 * percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM delay))
                FILTER (WHERE status = 'DELIVERED'))::int AS delay_p90_ms
       FROM decided
       WHERE decided_at > $2::timestamptz - $3::bigint * interval '1 millisecond'
       GROUP BY provider`,
      [q.providers, q.now, q.windowMs, q.receiptWaitMs, q.maxSample],
    );
    return new Map(
      rows.map((r) => [r.provider, { sample: r.sample, delivered: r.delivered, delayP90Ms: r.delay_p90_ms }]),
    );
  }
}
