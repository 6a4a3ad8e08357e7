/**
 * The SQL the receipt statements share (ReceiptsRepository). Every bound on a partitioned table is a
 * parameter the application computed from the batch (the alerts' months, the replay floor), which
 * PostgreSQL, planning an unnamed statement with its values, prunes with while planning; the replay floor
 * also has a per-row form, exact for each receipt. Bounds known only while the statement runs (how this
 * file did it before) still had each batch planned over every month kept: with a year of partitions the
 * planning, not the rows, was most of a receipt's cost.
 */

export const messageLockKey = (provider: string, providerMessageId: string) =>
  `${provider}:${providerMessageId}`;

/**
 * What makes two receipts the same one: what the provider sent (its message id, its own status word and
 * error code, as its ParsedReceipt carries them). receipts_dedupe_idx is on exactly this plus the month
 * partition (a unique index of a partitioned table must hold its key), so copies written in one month,
 * concurrent ones included, meet in the index; notStoredBefore refuses a copy of a receipt stored in an
 * earlier month (a replay that late is never concurrent with its original).
 */
export const ON_CONFLICT = `ON CONFLICT (provider, provider_message_id, provider_status, (COALESCE(error_code, '')), created_month) DO NOTHING`;

/**
 * Where an earlier copy of a receipt can be: from `floor` on, per row (the replay floor, below) and for the
 * batch (its earliest, a parameter PostgreSQL plans with; null: none). No receipt comes before its message,
 * so a known message's copies are from its month on. A message id provider_message_months does not know is
 * looked for from the month before the receipt's: either ours with its SENT write not committed yet (sent
 * seconds ago: any copy is this month's or, across a month's end, the last one's) or not ours at all (never
 * sent, or trimmed with history months dropped). A copy of such a receipt stored again more than a month
 * later is kept unmatched and moves nothing; looked for in every month, each of these receipts (an early
 * intermediate receipt is one, often) cost one index descent per month kept.
 */
export const notStoredBefore = (
  provider: string,
  messageId: string,
  status: string,
  errorCode: string,
  rowFloor: string,
  floor: string,
) =>
  `NOT EXISTS (SELECT 1 FROM receipts s WHERE s.provider = ${provider} AND s.provider_message_id = ${messageId}
     AND s.provider_status = ${status} AND COALESCE(s.error_code, '') = COALESCE(${errorCode}, '')
     AND s.created_month >= ${rowFloor}
     AND (${floor}::date IS NULL OR s.created_month >= ${floor}::date))`;

/**
 * The batch's alert months (a date[] parameter, from the alerts' UUIDv7 ids; null when any id is an older
 * random v4 one, which bounds nothing), as a bound on n.created_month PostgreSQL plans with.
 */
export const inAlertMonths = (months: string) =>
  `(${months}::date[] IS NULL OR n.created_month = ANY(${months}::date[]))`;

/** The replay floor of one receipt ($1 provider, $2 message id, `receivedAt` its time), as the batch's. */
export const replayFloorOf = (
  receivedAt: string,
) => `COALESCE((SELECT pm.created_month FROM provider_message_months pm
    WHERE pm.provider = $1 AND pm.provider_message_id = $2),
  (date_trunc('month', ${receivedAt} AT TIME ZONE 'UTC') - interval '1 month')::date)`;
/** Numbers the repeats of one receipt inside a batch (only the first is offered to the INSERT). */
export const COPY = `row_number() OVER (PARTITION BY u.provider, u.message_id, u.provider_status, COALESCE(u.error_code, '') ORDER BY u.idx)`;
export const STORED_KEY = `RETURNING provider, provider_message_id, provider_status, COALESCE(error_code, '') AS error_key`;
/** True for a batch row (alias `t`) whose INSERT went through (`stored` is that INSERT's RETURNING). */
export const WAS_STORED = `t.copy = 1 AND (t.provider, t.message_id, t.provider_status, COALESCE(t.error_code, ''))
  IN (SELECT provider, provider_message_id, provider_status, error_key FROM stored)`;
/**
 * A batch of receipts as rows u(provider, message_id, status, provider_status, error_code, received_at,
 * notification_id, replay_floor, idx): $1-$6 the receipts, $7 the alert their message id was sent for.
 */
export const BATCH = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::uuid[], $8::date[])
  WITH ORDINALITY AS u(provider, message_id, status, provider_status, error_code, received_at, notification_id, replay_floor, idx)`;
