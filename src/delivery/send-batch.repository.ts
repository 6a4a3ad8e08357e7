import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '../database/database.service';
import { childFloor, idMonth, idMonths } from '../notifications/alert-id';
import { AttemptRow, NewEvent } from '../notifications/notification.types';
import { ClaimedRow } from '../notifications/notifications.repository';

export interface ClaimRequest {
  id: string;
  leaseMs: number;
  now: Date;
}

export interface AttemptRequest {
  id: string;
  notificationId: string;
  /** The claim the attempt is made under: no attempt for an alert claimed again since. */
  generation: number;
  /** The lease is renewed to this with the attempt (null: left as it is). */
  leaseUntil: Date | null;
  provider: string;
  now: Date;
  /** History lines the route collected on the way (a failover, a breaker change): written before SENDING. */
  notes: readonly NewEvent[];
}

export interface AcceptRequest {
  notificationId: string;
  generation: number;
  attemptId: string;
  provider: string;
  messageId: string;
  segments: number | null;
  /** The handset's text sealed under the alert's data key (SendAcceptance). */
  handsetTextEnc: Buffer | null;
  now: Date;
}

/**
 * Per accepted attempt: whether the attempt was recorded (false: the alert was claimed again and the new
 * holder decides about this attempt), whether the alert moved to SENT, whether receipts were waiting.
 */
export interface AcceptedRow {
  attempt_id: string;
  recorded: boolean;
  moved: boolean;
  has_pending: boolean;
}

export interface RenewRequest {
  id: string;
  generation: number;
}

/**
 * The send path's three hot writes for many alerts at once, each one statement: the set-based forms of
 * NotificationsRepository.claim, AttemptsRepository.start (+ its SENDING event) and the SENT write.
 * Callers make sure an alert appears at most once per call.
 */
@Injectable()
export class SendBatchRepository {
  constructor(private readonly db: Database) {}

  /**
   * Takes alerts for sending: QUEUED, or SENDING whose lease ran out (its dispatcher died). The lease
   * keeps two dispatchers from working one alert even if Bull hands the job out twice.
   */
  async claimMany(reqs: readonly ClaimRequest[]): Promise<ClaimedRow[]> {
    const { rows } = await this.db.pool.query<ClaimedRow>({
      text: `UPDATE notifications n SET status = 'SENDING', lease_until = u.now + u.lease_ms * interval '1 millisecond',
              lease_generation = n.lease_generation + 1, updated_at = u.now
       FROM unnest($1::uuid[], $2::timestamptz[], $3::int[]) AS u(id, now, lease_ms)
       WHERE n.id = u.id AND ($4::date[] IS NULL OR n.created_month = ANY($4::date[]))
         AND (n.status = 'QUEUED' OR (n.status = 'SENDING' AND (n.lease_until IS NULL OR n.lease_until < u.now)))
       RETURNING n.*, EXISTS (SELECT 1 FROM delivery_attempts a
                              WHERE a.notification_id = n.id AND a.status = 'IN_FLIGHT'
                                AND ($5::date IS NULL OR a.created_month >= $5::date)) AS has_in_flight`,
      values: [
        reqs.map((r) => r.id),
        reqs.map((r) => r.now),
        reqs.map((r) => r.leaseMs),
        ...byMonth(reqs.map((r) => r.id)),
      ],
    });
    return rows;
  }

  /**
   * Lease-generation-fenced renewal of alerts this process is sending: the ids still held come back.
   * `until` is the new end of every lease in the tick.
   */
  async renewMany(reqs: readonly RenewRequest[], now: Date, until: Date): Promise<string[]> {
    const { rows } = await this.db.pool.query<{ id: string }>({
      text: `UPDATE notifications n SET lease_until = $4
       FROM unnest($1::uuid[], $2::int[]) AS u(id, generation)
       WHERE n.id = u.id AND n.lease_generation = u.generation AND n.status = 'SENDING' AND n.lease_until > $3
         AND ($5::date[] IS NULL OR n.created_month = ANY($5::date[]))
       RETURNING n.id`,
      values: [
        reqs.map((r) => r.id),
        reqs.map((r) => r.generation),
        now,
        until,
        idMonths(reqs.map((r) => r.id)),
      ],
    });
    return rows.map((r) => r.id);
  }

  /**
   * IN_FLIGHT attempts with their SENDING history events, each after its alert's route notes; only for
   * alerts still SENDING under the claim that asks and inside its lease, which is renewed in the same
   * statement. The renewal also shuts out a takeover racing this statement: a claim that waited for the
   * row sees the new lease and leaves the alert alone.
   */
  async startMany(reqs: readonly AttemptRequest[]): Promise<AttemptRow[]> {
    const notes = reqs.flatMap((r) => r.notes);
    const { rows } = await this.db.pool.query<AttemptRow>({
      text: `WITH u AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $13::int[], $14::timestamptz[],
                              $17::date[])
           AS u(id, notification_id, provider, started_at, generation, lease_until, created_month)
       ), held AS (
         UPDATE notifications n SET lease_until = GREATEST(n.lease_until, COALESCE(u.lease_until, n.lease_until))
         FROM u
         WHERE n.id = u.notification_id AND n.lease_generation = u.generation AND n.status = 'SENDING'
           AND n.lease_until > u.started_at AND ($15::date[] IS NULL OR n.created_month = ANY($15::date[]))
         RETURNING n.id
       ), ins AS (
         INSERT INTO delivery_attempts (id, notification_id, attempt_no, provider, status, started_at, created_month)
         SELECT u.id, u.notification_id,
                COALESCE((SELECT MAX(a.attempt_no) FROM delivery_attempts a
                          WHERE a.notification_id = u.notification_id
                            AND ($16::date IS NULL OR a.created_month >= $16::date)), 0) + 1,
                u.provider, 'IN_FLIGHT', u.started_at,
                -- The month of the attempt's (UUIDv7) id, so the SENT write names its partition.
                COALESCE(u.created_month, (date_trunc('month', now() AT TIME ZONE 'UTC'))::date)
         FROM u JOIN held ON held.id = u.notification_id
         RETURNING *
       ), notes AS (
         SELECT * FROM unnest($5::uuid[], $6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::text[],
                              $11::text[], $12::text[])
           WITH ORDINALITY AS x(notification_id, at, type, status, provider, provider_message_id, error_code,
                                detail, ord)
       ), ev AS (
         -- One INSERT in sorted order, so the ids (the history's order) put each alert's notes first.
         INSERT INTO notification_events (notification_id, at, type, status, provider, provider_message_id,
                                          error_code, detail)
         SELECT notification_id, at, type, status, provider, provider_message_id, error_code, detail
         FROM (SELECT notes.*, 0 AS after FROM notes JOIN held ON held.id = notes.notification_id
               UNION ALL
               SELECT notification_id, started_at, 'SENDING', 'SENDING', provider, NULL, NULL,
                      'attempt ' || attempt_no, 0, 1 FROM ins) e
         ORDER BY notification_id, after, ord
       )
       SELECT * FROM ins`,
      values: [
        reqs.map((r) => r.id),
        reqs.map((r) => r.notificationId),
        reqs.map((r) => r.provider),
        reqs.map((r) => r.now),
        notes.map((e) => e.notificationId),
        notes.map((e) => e.at),
        notes.map((e) => e.type),
        notes.map((e) => e.status ?? null),
        notes.map((e) => e.provider ?? null),
        notes.map((e) => e.providerMessageId ?? null),
        notes.map((e) => e.errorCode ?? null),
        notes.map((e) => e.detail ?? null),
        reqs.map((r) => r.generation),
        reqs.map((r) => r.leaseUntil),
        ...byMonth(reqs.map((r) => r.notificationId)),
        reqs.map((r) => idMonth(r.id)),
      ],
    });
    return rows;
  }

  /**
   * The provider took these messages: attempts ACCEPTED, alerts SENT (from SENDING or QUEUED only) with
   * their SENT events, fenced by the claim's generation. An alert claimed again since keeps this attempt
   * IN_FLIGHT for its new holder to ask the provider about; one that another claim already ended gets the
   * attempt recorded (a real SMS, whose receipts must find it) but keeps its status. Runs in the caller's
   * transaction after the message locks were taken, so a receipt that arrived first is seen (`has_pending`)
   * and applied by the caller.
   */
  async acceptMany(reqs: readonly AcceptRequest[], tx: Queryable): Promise<AcceptedRow[]> {
    const { rows } = await tx.query<AcceptedRow>({
      text: `WITH u AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::timestamptz[],
                              $7::int[], $8::bytea[])
           AS u(notification_id, attempt_id, provider, message_id, segments, at, generation,
                handset_text_enc)
       ), held AS (
         -- The claim's own lock: a takeover waiting for it sees what this statement did, and vice versa.
         SELECT n.id, n.lease_generation = u.generation AS ours
         FROM notifications n JOIN u ON n.id = u.notification_id
         WHERE (n.lease_generation = u.generation OR n.status NOT IN ('SENDING', 'QUEUED'))
           AND ($9::date[] IS NULL OR n.created_month = ANY($9::date[]))
         FOR NO KEY UPDATE OF n
       ), fin AS (
         UPDATE delivery_attempts a SET status = 'ACCEPTED', provider_message_id = u.message_id,
                error_code = NULL, error_detail = NULL, segments = COALESCE(u.segments, a.segments),
                handset_text_enc = COALESCE(u.handset_text_enc, a.handset_text_enc), finished_at = u.at
         FROM u JOIN held ON held.id = u.notification_id
         WHERE a.id = u.attempt_id AND ($11::date[] IS NULL OR a.created_month = ANY($11::date[]))
         RETURNING a.id, a.notification_id, a.provider, a.provider_message_id, a.created_month
       ), months AS (
         -- The message id's month and alert, for the receipts (provider_message_months, migrations
         -- 1795556000000 and 1795580000000).
         INSERT INTO provider_message_months (provider, provider_message_id, created_month, notification_id)
         SELECT provider, provider_message_id, created_month, notification_id FROM fin
         ON CONFLICT (provider, provider_message_id) DO NOTHING
       ), moved AS (
         UPDATE notifications n SET status = 'SENT', provider = u.provider, provider_message_id = u.message_id,
                accepted_at = u.at, lease_until = NULL, updated_at = u.at
         FROM u JOIN held ON held.id = u.notification_id AND held.ours
         WHERE n.id = u.notification_id AND n.status IN ('SENDING', 'QUEUED')
           AND ($9::date[] IS NULL OR n.created_month = ANY($9::date[]))
         RETURNING n.id
       ), ev AS (
         INSERT INTO notification_events (notification_id, at, type, status, provider, provider_message_id, detail)
         SELECT u.notification_id, u.at, 'SENT', 'SENT', u.provider, u.message_id,
                CASE WHEN u.segments IS NOT NULL AND u.segments > 0 THEN u.segments || ' segment(s)' END
         FROM u JOIN moved ON moved.id = u.notification_id
       )
       SELECT u.attempt_id, EXISTS (SELECT 1 FROM held WHERE held.id = u.notification_id) AS recorded,
              EXISTS (SELECT 1 FROM moved WHERE moved.id = u.notification_id) AS moved,
              EXISTS (SELECT 1 FROM receipts r
                      WHERE r.provider = u.provider AND r.provider_message_id = u.message_id
                        AND r.notification_id IS NULL AND r.status IN ('DELIVERED', 'UNDELIVERED', 'FAILED')
                        AND ($10::date IS NULL OR r.created_month >= $10::date))
                AS has_pending
       FROM u`,
      values: [
        reqs.map((r) => r.notificationId),
        reqs.map((r) => r.attemptId),
        reqs.map((r) => r.provider),
        reqs.map((r) => r.messageId),
        reqs.map((r) => r.segments),
        reqs.map((r) => r.now),
        reqs.map((r) => r.generation),
        reqs.map((r) => r.handsetTextEnc),
        ...byMonth(reqs.map((r) => r.notificationId)),
        idMonths(reqs.map((r) => r.attemptId)),
      ],
    });
    return rows;
  }
}

/**
 * The alerts' months (`created_month = ANY`) and the earliest month their attempts, history lines and
 * receipts can be in (`created_month >=`): with them PostgreSQL plans and probes this month's partitions
 * only, not every month kept. Both null for ids that carry no time (alert-id.ts).
 */
function byMonth(alertIds: readonly string[]): [string[] | null, string | null] {
  return [idMonths(alertIds), childFloor(alertIds)];
}
