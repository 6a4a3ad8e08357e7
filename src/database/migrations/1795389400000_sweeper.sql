-- Up Migration

-- When the sweeper last asked the provider about a SENT alert with no final receipt, so an alert still
-- unresolved is asked again only every SWEEP_RECHECK_SECONDS, not on every run.
ALTER TABLE notifications ADD COLUMN status_checked_at timestamptz;

-- SENT alerts oldest first: the sweeper's receipt-deadline scan and the overdue gauge. SENT is a small,
-- moving set, so a partial index stays small.
CREATE INDEX notifications_sent_idx ON notifications (accepted_at) WHERE status = 'SENT';

-- Down Migration
DROP INDEX notifications_sent_idx;
ALTER TABLE notifications DROP COLUMN status_checked_at;
