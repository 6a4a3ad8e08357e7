-- Up Migration

-- Envelope encryption at rest (docs/design.md, "Data lifecycle"). Each row that holds a phone number or a
-- message text gets its own data key, stored wrapped (AES-256-GCM) by the key-encryption key named in
-- data_key_id; phone_enc and body_enc are sealed under that data key. phone_e164 and body stay as they
-- are for rows written before this migration: the code reads either form, and the re-wrap job (one runner,
-- bounded batches) seals them and clears the plain columns. Sealing here would need the keys in SQL (in the
-- statement, the server's logs and pg_stat_statements) and one transaction rewriting every alert.
-- Plain ADD COLUMN without a default: a catalogue-only change, also on a partitioned table.
ALTER TABLE notifications ADD COLUMN data_key_id text;
ALTER TABLE notifications ADD COLUMN wrapped_key bytea;
ALTER TABLE notifications ADD COLUMN phone_enc bytea;
ALTER TABLE notifications ADD COLUMN body_enc bytea;
-- The other message content main keeps since 1795510000000/1795530000000, sealed the same way: an alert's
-- template params (merchant, amount) under its own data key; the handset's text of a template vendor's
-- attempt and a reversal's correction template under the data key of the alert they belong to
-- (DataCipher.sealBeside), so re-wrapping that alert's key covers them and the purge clears them with it.
-- The plain columns stay for rows written before this migration (the key walk seals them).
ALTER TABLE notifications ADD COLUMN template_params_enc bytea;
ALTER TABLE delivery_attempts ADD COLUMN handset_text_enc bytea;
ALTER TABLE reversals ADD COLUMN template_enc bytea;
-- Set when the retention purge removed the alert's personal data; the support API says so.
ALTER TABLE notifications ADD COLUMN purged_at timestamptz;

ALTER TABLE contacts ADD COLUMN data_key_id text;
ALTER TABLE contacts ADD COLUMN wrapped_key bytea;
ALTER TABLE contacts ADD COLUMN phone_enc bytea;
-- HMAC-SHA256 of the number under DATA_HASH_KEY: "did the number change?" without decrypting.
ALTER TABLE contacts ADD COLUMN phone_hash bytea;

-- A deleted cardholder's number goes at once (PIPL art. 47): tombstones written before this keep theirs.
UPDATE contacts SET phone_e164 = NULL, phone_invalid_reason = NULL WHERE deleted AND phone_e164 IS NOT NULL;

-- The alerts still holding personal data, oldest first: the purge's and the re-wrap walk's only index.
-- Neither column changes on the send path, so status updates stay HOT; a purged alert leaves it.
CREATE INDEX notifications_unpurged_idx ON notifications (received_at, id) WHERE purged_at IS NULL;

-- The re-wrap job's walk through each table: where it is, under which current key it started, and what
-- it found, so a failover resumes it and "key k1 is no longer used" is a recorded fact.
CREATE TABLE data_key_walks (
  target       text PRIMARY KEY,
  current_key  text NOT NULL,
  started_at   timestamptz NOT NULL,
  cursor_at    timestamptz,
  cursor_id    text,
  -- Rows re-wrapped or sealed by this walk, and rows it could not open (a key id not in DATA_KEYS).
  changed      bigint NOT NULL DEFAULT 0,
  unreadable   bigint NOT NULL DEFAULT 0,
  -- A finished walk with nothing changed and nothing unreadable: no row received before started_at uses
  -- a key other than current_key, so the others can be retired.
  finished_at  timestamptz
);

-- Down Migration
DROP TABLE data_key_walks;
ALTER TABLE reversals DROP COLUMN template_enc;
ALTER TABLE delivery_attempts DROP COLUMN handset_text_enc;
ALTER TABLE notifications DROP COLUMN template_params_enc;
DROP INDEX notifications_unpurged_idx;
ALTER TABLE contacts DROP COLUMN phone_hash;
ALTER TABLE contacts DROP COLUMN phone_enc;
ALTER TABLE contacts DROP COLUMN wrapped_key;
ALTER TABLE contacts DROP COLUMN data_key_id;
ALTER TABLE notifications DROP COLUMN purged_at;
ALTER TABLE notifications DROP COLUMN body_enc;
ALTER TABLE notifications DROP COLUMN phone_enc;
ALTER TABLE notifications DROP COLUMN wrapped_key;
ALTER TABLE notifications DROP COLUMN data_key_id;
