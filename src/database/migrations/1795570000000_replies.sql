-- Up Migration

-- The cardholder's reply (docs/design.md, "The cardholder's reply"). One row per inbound text, ever: the
-- unique (provider, provider_message_id) is the dedupe of a provider's redeliveries. A reply that matched
-- no alert is kept with notification_id NULL. Both times the rules ask for are here: alert_sent_at (the
-- linked alert's accepted_at) and received_at. The linked alert's identifiers are copied, not joined, so
-- the published event and support's view do not depend on the alert row outliving its retention.
-- No foreign key to notifications: that table may become partitioned (issue 14), and a reply must never be
-- refused because its alert was purged first. The cardholder's number and words are personal data, sealed
-- like an alert's (docs/design.md, "Data lifecycle"): a data key of the row's own, wrapped under
-- DATA_KEYS (data_key_id, wrapped_key), the number in phone_enc, the text in text_enc, and the number's
-- keyed hash (DATA_HASH_KEY) in phone_hash for support's and the tests' lookups. Only RepliesRepository
-- reads or writes them; the retention purge clears them (purged_at).
CREATE TABLE replies (
  id                   uuid PRIMARY KEY,
  provider             text NOT NULL,
  provider_message_id  text NOT NULL,
  data_key_id          text,
  wrapped_key          bytea,
  phone_enc            bytea,
  phone_hash           bytea,
  to_number            text NOT NULL,
  text_enc             bytea,
  classification       text NOT NULL CHECK (classification IN ('NOT_RECOGNISED', 'OTHER')),
  keyword              text,
  notification_id      uuid,
  notification_kind    text,
  transaction_id       text,
  cardholder_id        text,
  card_last4           char(4),
  alert_sent_at        timestamptz,
  received_at          timestamptz NOT NULL,
  purged_at            timestamptz,
  UNIQUE (provider, provider_message_id)
);
CREATE INDEX replies_notification_idx ON replies (notification_id) WHERE notification_id IS NOT NULL;
CREATE INDEX replies_phone_hash_idx ON replies (phone_hash) WHERE phone_hash IS NOT NULL;
-- The retention purge's walk: replies still holding personal data, oldest first.
CREATE INDEX replies_unpurged_idx ON replies (received_at, id) WHERE purged_at IS NULL;

-- Written in the same statement as its reply; the publisher marks published_at once Kafka acknowledged it
-- (acks=all). A crash between the two republishes the same reply id: at least once, with a stable id.
CREATE TABLE reply_outbox (
  id            bigserial PRIMARY KEY,
  reply_id      uuid NOT NULL UNIQUE REFERENCES replies (id) ON DELETE CASCADE,
  created_at    timestamptz NOT NULL,
  published_at  timestamptz
);
CREATE INDEX reply_outbox_pending_idx ON reply_outbox (id) WHERE published_at IS NULL;

-- Linking a reply starts from its number: the cardholders whose contact has it, by the keyed hash
-- (1795555000000 stores no plain number on new contacts). Contacts had no index on it.
CREATE INDEX contacts_phone_hash_idx ON contacts (phone_hash) WHERE phone_hash IS NOT NULL;

-- Down Migration
DROP INDEX contacts_phone_hash_idx;
DROP TABLE reply_outbox;
DROP TABLE replies;
