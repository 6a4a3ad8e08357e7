-- Up Migration

-- Monthly range partitions of every table that grows per alert (docs/design.md, "Partitions and cost with
-- history"). The partition key is `created_month`: the UTC month the row was written in, filled by a
-- default, so no writer names it and a row lands in this month's partition. A date of the month rather
-- than a timestamp on purpose: every unique key of a partitioned table must contain the key, and with a
-- month two copies of one thing written in the same month still meet in one index (a receipt replay,
-- two attempts recording one message id); a timestamp would make every copy unique.
--
-- Rebuilt in one transaction (node-pg-migrate's lock): each table is renamed, a partitioned table with the
-- same columns in the same order is created, the rows are copied into the months they were written in,
-- and the old table dropped. Partitions are created with CREATE TABLE ... PARTITION OF, so an ALTER TABLE
-- ADD COLUMN on the parent (a later migration) reaches every partition.

-- The partitions of one month for every partitioned table. Storage settings live on the partitions (a
-- partitioned table takes none in PostgreSQL 15): notifications keep room for HOT updates of the columns
-- no index covers (lease, check times) and are vacuumed and analysed after a smaller share of changes,
-- since a month's partition is large and its hot part (open alerts) small.
CREATE FUNCTION alertline_create_month_partitions(month date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  m date := date_trunc('month', month)::date;
  suffix text := to_char(date_trunc('month', month), '"_p"YYYYMM');
  parent text;
  created integer := 0;
  opts text;
BEGIN
  FOREACH parent IN ARRAY ARRAY['notifications', 'notification_events', 'delivery_attempts', 'receipts'] LOOP
    IF to_regclass(parent || suffix) IS NULL THEN
      opts := CASE parent
        WHEN 'notifications' THEN 'fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02'
        WHEN 'delivery_attempts' THEN 'fillfactor = 90, autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02'
        ELSE 'autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02'
      END;
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L) WITH (%s)',
                     parent || suffix, parent, m, (m + interval '1 month')::date, opts);
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;

-- The month partitions that end on or before `cutoff` (the partition maintenance job passes the day
-- before which the anonymous history need not be kept), children before their alerts, with whether a
-- DETACH ... CONCURRENTLY of it was interrupted (it is then finished with FINALIZE). The job detaches
-- concurrently (no lock that blocks the send path) and drops; a function cannot, since DETACH
-- CONCURRENTLY runs outside a transaction block.
CREATE FUNCTION alertline_expired_month_partitions(cutoff date)
RETURNS TABLE (parent text, partition text, detach_pending boolean)
LANGUAGE sql STABLE AS $$
  SELECT p.relname::text, c.relname::text, i.inhdetachpending
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
  WHERE p.relname IN ('notifications', 'notification_events', 'delivery_attempts', 'receipts')
    AND p.relnamespace = current_schema()::regnamespace
    AND c.relname ~ '_p[0-9]{6}$'
    AND (to_date(right(c.relname, 6), 'YYYYMM') + interval '1 month')::date <= cutoff
  ORDER BY p.relname = 'notifications', c.relname
$$;

-- The dedupe of transactionIds across partitions: a unique index on a partitioned table must contain the
-- partition key, so "one alert per transactionId, ever" is kept here, in one narrow table that the
-- ingest insert writes first (ON CONFLICT DO NOTHING) in the same statement as the alert. Its keys go with
-- their month's partitions (alertline_trim_transaction_keys, same cutoff, in bounded batches).
CREATE TABLE notification_transactions (
  transaction_id text PRIMARY KEY,
  created_month  date NOT NULL DEFAULT (date_trunc('month', now() AT TIME ZONE 'UTC'))::date
) WITH (fillfactor = 100);
CREATE INDEX notification_transactions_month_idx ON notification_transactions (created_month);

CREATE FUNCTION alertline_trim_transaction_keys(cutoff date, batch integer) RETURNS integer
LANGUAGE sql AS $$
  WITH gone AS (
    DELETE FROM notification_transactions
    WHERE transaction_id IN (SELECT transaction_id FROM notification_transactions
                             WHERE created_month <= (cutoff - interval '1 month')::date LIMIT batch)
    RETURNING 1
  )
  SELECT count(*)::int FROM gone
$$;

-- The foreign keys from the children to notifications(id) go: a partitioned notifications table has no
-- unique key on id alone (it must hold created_month). Every child row is written by the same statement or
-- transaction as its alert's (ingest, the attempt statement, the receipts' match), and the partition job
-- drops a month's children no later than its alerts (alertline_expired_month_partitions' order);
-- partition-migration.int-spec.ts checks that no child is orphaned. reversals.notification_id and
-- notifications.original_notification_id (1795530000000) never had one.
ALTER TABLE notification_events DROP CONSTRAINT notification_events_notification_id_fkey;
ALTER TABLE delivery_attempts DROP CONSTRAINT delivery_attempts_notification_id_fkey;
ALTER TABLE receipts DROP CONSTRAINT receipts_notification_id_fkey;

ALTER TABLE notifications RENAME TO notifications_unpartitioned;
ALTER TABLE notification_events RENAME TO notification_events_unpartitioned;
ALTER TABLE delivery_attempts RENAME TO delivery_attempts_unpartitioned;
ALTER TABLE receipts RENAME TO receipts_unpartitioned;
-- The old tables' index and constraint names are taken by the new ones below.
ALTER TABLE notifications_unpartitioned RENAME CONSTRAINT notifications_pkey TO notifications_unpartitioned_pkey;
ALTER TABLE notification_events_unpartitioned RENAME CONSTRAINT notification_events_pkey TO notification_events_unpartitioned_pkey;
ALTER TABLE delivery_attempts_unpartitioned RENAME CONSTRAINT delivery_attempts_pkey TO delivery_attempts_unpartitioned_pkey;
ALTER TABLE receipts_unpartitioned RENAME CONSTRAINT receipts_pkey TO receipts_unpartitioned_pkey;
DROP INDEX notifications_cardholder_idx, notifications_last4_idx, notifications_authorised_idx,
  notifications_open_idx, notifications_sent_idx, delivery_attempts_message_idx, delivery_attempts_inflight_idx,
  delivery_attempts_parts_idx, notification_events_notification_idx, receipts_dedupe_idx,
  receipts_unmatched_idx, receipts_notification_idx, notifications_original_idx, delivery_attempts_accepted_idx;

-- LIKE ... INCLUDING DEFAULTS keeps the columns in order with their defaults (the bigserial ids keep
-- their sequences); created_month comes last.
CREATE TABLE notifications (
  LIKE notifications_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  created_month date NOT NULL DEFAULT (date_trunc('month', now() AT TIME ZONE 'UTC'))::date
) PARTITION BY RANGE (created_month);
CREATE TABLE notification_events (
  LIKE notification_events_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  created_month date NOT NULL DEFAULT (date_trunc('month', now() AT TIME ZONE 'UTC'))::date
) PARTITION BY RANGE (created_month);
CREATE TABLE delivery_attempts (
  LIKE delivery_attempts_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  created_month date NOT NULL DEFAULT (date_trunc('month', now() AT TIME ZONE 'UTC'))::date
) PARTITION BY RANGE (created_month);
CREATE TABLE receipts (
  LIKE receipts_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
  created_month date NOT NULL DEFAULT (date_trunc('month', now() AT TIME ZONE 'UTC'))::date
) PARTITION BY RANGE (created_month);
ALTER SEQUENCE notification_events_id_seq OWNED BY notification_events.id;
ALTER SEQUENCE receipts_id_seq OWNED BY receipts.id;

-- Every month that holds a row, and this month and the next two (the maintenance job keeps that lead).
DO $$
DECLARE
  m date;
  first date;
BEGIN
  SELECT date_trunc('month', min(t) AT TIME ZONE 'UTC')::date INTO first FROM (
    SELECT min(received_at) AS t FROM notifications_unpartitioned
    UNION ALL SELECT min(at) FROM notification_events_unpartitioned
    UNION ALL SELECT min(started_at) FROM delivery_attempts_unpartitioned
    UNION ALL SELECT min(received_at) FROM receipts_unpartitioned) s;
  m := LEAST(COALESCE(first, date_trunc('month', now() AT TIME ZONE 'UTC')::date),
             date_trunc('month', now() AT TIME ZONE 'UTC')::date);
  WHILE m <= (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months')::date LOOP
    PERFORM alertline_create_month_partitions(m);
    m := (m + interval '1 month')::date;
  END LOOP;
END $$;

-- Each row goes into the month it was written in: the alert's arrival, the event's, the attempt's start,
-- the receipt's arrival. Rows from a clock ahead of this one (never expected) land in this month.
INSERT INTO notifications
SELECT o.*, LEAST(date_trunc('month', o.received_at AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC'))::date
FROM notifications_unpartitioned o;
INSERT INTO notification_events
SELECT o.*, LEAST(date_trunc('month', o.at AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC'))::date
FROM notification_events_unpartitioned o;
INSERT INTO delivery_attempts
SELECT o.*, LEAST(date_trunc('month', o.started_at AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC'))::date
FROM delivery_attempts_unpartitioned o;
INSERT INTO receipts
SELECT o.*, LEAST(date_trunc('month', o.received_at AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC'))::date
FROM receipts_unpartitioned o;
INSERT INTO notification_transactions (transaction_id, created_month)
SELECT transaction_id, created_month FROM notifications;

DROP TABLE notification_events_unpartitioned, delivery_attempts_unpartitioned, receipts_unpartitioned,
  notifications_unpartitioned;

-- Keys and indexes, built once over the copied rows. A lookup by alert id or by message id without the
-- month visits each partition's index (a root-to-leaf descent per month kept); see docs/design.md.
ALTER TABLE notifications ADD PRIMARY KEY (id, created_month);
CREATE INDEX notifications_transaction_idx ON notifications (transaction_id);
CREATE INDEX notifications_cardholder_idx ON notifications (cardholder_id, authorised_at);
CREATE INDEX notifications_last4_idx ON notifications (card_last4, authorised_at);
CREATE INDEX notifications_authorised_idx ON notifications (authorised_at);
CREATE INDEX notifications_open_idx ON notifications (status, updated_at)
  WHERE status IN ('RECEIVED', 'QUEUED', 'SENDING', 'SENT');
CREATE INDEX notifications_sent_idx ON notifications (accepted_at) WHERE status = 'SENT';
-- 1795530000000's (a correction's link to its original) and 1795540000000's (delivery health's window).
CREATE INDEX notifications_original_idx ON notifications (original_notification_id)
  WHERE original_notification_id IS NOT NULL;

ALTER TABLE delivery_attempts ADD PRIMARY KEY (id, created_month);
ALTER TABLE delivery_attempts ADD CONSTRAINT delivery_attempts_notification_id_attempt_no_key
  UNIQUE (notification_id, attempt_no, created_month);
CREATE UNIQUE INDEX delivery_attempts_message_idx ON delivery_attempts (provider, provider_message_id, created_month)
  WHERE provider_message_id IS NOT NULL;
-- Keyed by the alert, not by started_at: the only readers ask "has this alert an attempt in flight?" (the
-- claim's EXISTS, in-flight recovery). On (started_at) the planner walked the whole partial index for each
-- claim, dead entries of attempts that left IN_FLIGHT included: at 1M rows of history the bench read 7,100
-- index entries per alert from it (src/bench/README.md).
CREATE INDEX delivery_attempts_inflight_idx ON delivery_attempts (notification_id) WHERE status = 'IN_FLIGHT';
CREATE INDEX delivery_attempts_accepted_idx ON delivery_attempts (provider, finished_at)
  WHERE status = 'ACCEPTED';
CREATE INDEX delivery_attempts_parts_idx ON delivery_attempts USING gin (part_message_ids)
  WHERE part_message_ids IS NOT NULL;

ALTER TABLE notification_events ADD PRIMARY KEY (id, created_month);
CREATE INDEX notification_events_notification_idx ON notification_events (notification_id, id);

ALTER TABLE receipts ADD PRIMARY KEY (id, created_month);
CREATE UNIQUE INDEX receipts_dedupe_idx
  ON receipts (provider, provider_message_id, provider_status, (COALESCE(error_code, '')), created_month);
CREATE INDEX receipts_unmatched_idx ON receipts (received_at) WHERE notification_id IS NULL;
CREATE INDEX receipts_notification_idx ON receipts (notification_id) WHERE notification_id IS NOT NULL;

ANALYZE notifications, notification_events, delivery_attempts, receipts, notification_transactions;

-- Down Migration
-- Not reversible in place: going back would mean rebuilding unpartitioned tables from every partition
-- (restore the pre-migration backup instead).
DO $$ BEGIN RAISE EXCEPTION 'the partitioning migration cannot be reverted; restore a backup'; END $$;
