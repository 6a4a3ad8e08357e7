-- Up Migration

-- receipts.notification_id references notifications: without an index every deleted or re-keyed alert
-- scans the whole receipts table (seen as a reconciliation test that slowed down run after run), and
-- support's "receipts of this alert" lookup scans it too.
CREATE INDEX receipts_notification_idx ON receipts (notification_id) WHERE notification_id IS NOT NULL;

-- Down Migration
DROP INDEX receipts_notification_idx;
