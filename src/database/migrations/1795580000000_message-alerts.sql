-- Up Migration

-- The alert a provider message id was sent for, beside its month (docs/design.md, "Partitions and cost
-- with history"). A receipt then finds its alert, and the alert's month (its UUIDv7 id), from this one
-- unpartitioned index before its statement is planned, so that statement is planned over the months it
-- touches instead of every month kept; before, it joined delivery_attempts and pruned only at run time.
-- No backfill: adding a nullable column rewrites nothing, however large the table, and a row written
-- before (notification_id NULL) finds its alert in its attempt, in the one month the row names, as the
-- receipts did until now (ReceiptsRepository.refsOf). Those rows age out with partition maintenance.
ALTER TABLE provider_message_months ADD COLUMN notification_id uuid;

-- Down Migration
ALTER TABLE provider_message_months DROP COLUMN notification_id;
