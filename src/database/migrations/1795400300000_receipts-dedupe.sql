-- Up Migration

-- A receipt is what the provider sent: the same message id, vendor status and error code again is a replay
-- (an attacker's, or the provider's own retry) and must add no row, history line or metric count
-- (docs/design.md, "Receipt replays and refused floods"). Copies stored before this index are removed,
-- keeping the first; the history lines they wrote stay.
DELETE FROM receipts r
USING receipts k
WHERE k.provider = r.provider AND k.provider_message_id = r.provider_message_id
  AND k.provider_status = r.provider_status AND COALESCE(k.error_code, '') = COALESCE(r.error_code, '')
  AND k.id < r.id;

-- The receipt writes' ON CONFLICT target. Its leading columns serve every lookup the old
-- (provider, provider_message_id) index served, so that one goes: one index to maintain on the hot path.
CREATE UNIQUE INDEX receipts_dedupe_idx
  ON receipts (provider, provider_message_id, provider_status, (COALESCE(error_code, '')));
DROP INDEX receipts_message_idx;

-- Down Migration
CREATE INDEX receipts_message_idx ON receipts (provider, provider_message_id);
DROP INDEX receipts_dedupe_idx;
