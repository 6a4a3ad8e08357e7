-- Up Migration

-- Vonage gives each part of a long message its own message-id, and so does an SMSC for each concatenated
-- submit_sm. provider_message_id keeps the first part's id (what the alert rests on); the rest are listed
-- here so a receipt for any part finds its attempt. Only multi-part messages have a value.
ALTER TABLE delivery_attempts ADD COLUMN part_message_ids text[];
CREATE INDEX delivery_attempts_parts_idx ON delivery_attempts USING gin (part_message_ids)
  WHERE part_message_ids IS NOT NULL;

-- Down Migration
DROP INDEX delivery_attempts_parts_idx;
ALTER TABLE delivery_attempts DROP COLUMN part_message_ids;
