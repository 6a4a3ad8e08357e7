-- Up Migration

-- Which month holds the attempt a provider message id belongs to (docs/design.md, "Partitions and cost
-- with history"). A receipt names only the message id, and the partitioned delivery_attempts can find it
-- only by asking every month's index (one descent per month kept). One narrow row per accepted attempt,
-- written by the statement that records the message id (ON CONFLICT DO NOTHING: the first attempt that
-- recorded it keeps it, as the receipts' match always did); the receipt statements read it first and join
-- the attempt with `created_month = <its month>`, which PostgreSQL prunes at run time to that partition.
-- Unpartitioned like notification_transactions, and trimmed with it.
CREATE TABLE provider_message_months (
  provider            text NOT NULL,
  provider_message_id text NOT NULL,
  created_month       date NOT NULL,
  PRIMARY KEY (provider, provider_message_id)
) WITH (fillfactor = 100);
CREATE INDEX provider_message_months_month_idx ON provider_message_months (created_month);

INSERT INTO provider_message_months (provider, provider_message_id, created_month)
SELECT DISTINCT ON (provider, provider_message_id) provider, provider_message_id, created_month
FROM delivery_attempts WHERE provider_message_id IS NOT NULL
ORDER BY provider, provider_message_id, created_month;

-- Partition maintenance trims it behind the dropped months with the transactionId keys, in bounded
-- batches (PartitionsRepository.trimTransactionKeys runs both).
CREATE FUNCTION alertline_trim_message_months(cutoff date, batch integer) RETURNS integer
LANGUAGE sql AS $$
  WITH gone AS (
    DELETE FROM provider_message_months
    WHERE (provider, provider_message_id) IN (
      SELECT provider, provider_message_id FROM provider_message_months
      WHERE created_month <= (cutoff - interval '1 month')::date LIMIT batch)
    RETURNING 1
  )
  SELECT count(*)::int FROM gone
$$;

ANALYZE provider_message_months;

-- Down Migration
DROP FUNCTION alertline_trim_message_months(date, integer);
DROP TABLE provider_message_months;
