-- Up Migration

-- Projection of the compacted cardholder.contacts topic. A tombstone keeps the row (deleted = true) so
-- that a stale update with a lower version cannot bring the cardholder back.
CREATE TABLE contacts (
  cardholder_id        text PRIMARY KEY,
  version              bigint NOT NULL,
  deleted              boolean NOT NULL DEFAULT false,
  phone_e164           text,
  phone_invalid_reason text,
  sms_alerts           boolean NOT NULL DEFAULT false,
  locale               text NOT NULL DEFAULT 'en',
  min_amount_minor     bigint,
  flagged_reason       text,
  flagged_at           timestamptz,
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- One row per transactionId, ever: the unique constraint is the dedupe.
CREATE TABLE notifications (
  id                  uuid PRIMARY KEY,
  transaction_id      text NOT NULL UNIQUE,
  event_id            text NOT NULL,
  cardholder_id       text NOT NULL,
  card_id             text NOT NULL,
  card_last4          char(4) NOT NULL,
  amount_minor        bigint NOT NULL,
  currency            char(3) NOT NULL,
  merchant_name       text NOT NULL,
  merchant_city       text,
  channel             text,
  authorised_at       timestamptz NOT NULL,
  received_at         timestamptz NOT NULL,
  status              text NOT NULL,
  skip_reason         text,
  phone_e164          text,
  contact_version     bigint,
  locale              text,
  body                text,
  segments            int,
  encoding            text,
  deadline_at         timestamptz,
  provider            text,
  provider_message_id text,
  last_error_code     text,
  last_error_detail   text,
  overdue             boolean NOT NULL DEFAULT false,
  lease_until         timestamptz,
  accepted_at         timestamptz,
  final_at            timestamptz,
  updated_at          timestamptz NOT NULL,
  source_partition    int,
  source_offset       bigint
);
CREATE INDEX notifications_cardholder_idx ON notifications (cardholder_id, authorised_at);
CREATE INDEX notifications_last4_idx ON notifications (card_last4, authorised_at);
CREATE INDEX notifications_authorised_idx ON notifications (authorised_at);
CREATE INDEX notifications_open_idx ON notifications (status, updated_at)
  WHERE status IN ('RECEIVED', 'QUEUED', 'SENDING', 'SENT');

-- Every try at a provider. An attempt is written IN_FLIGHT before the provider is called, so a crash
-- leaves evidence that the provider may have taken the message.
CREATE TABLE delivery_attempts (
  id                  uuid PRIMARY KEY,
  notification_id     uuid NOT NULL REFERENCES notifications (id),
  attempt_no          int NOT NULL,
  provider            text NOT NULL,
  status              text NOT NULL,
  provider_message_id text,
  error_code          text,
  error_detail        text,
  segments            int,
  started_at          timestamptz NOT NULL,
  finished_at         timestamptz,
  UNIQUE (notification_id, attempt_no)
);
CREATE UNIQUE INDEX delivery_attempts_message_idx ON delivery_attempts (provider, provider_message_id)
  WHERE provider_message_id IS NOT NULL;
CREATE INDEX delivery_attempts_inflight_idx ON delivery_attempts (started_at) WHERE status = 'IN_FLIGHT';

-- The delivery history: one row per state change or notable fact (failover, breaker change, receipt).
CREATE TABLE notification_events (
  id                  bigserial PRIMARY KEY,
  notification_id     uuid NOT NULL REFERENCES notifications (id),
  at                  timestamptz NOT NULL,
  type                text NOT NULL,
  status              text,
  provider            text,
  provider_message_id text,
  error_code          text,
  detail              text
);
CREATE INDEX notification_events_notification_idx ON notification_events (notification_id, id);

-- Every receipt as it arrived, matched or not: an unknown message id is kept and counted, never dropped.
CREATE TABLE receipts (
  id                  bigserial PRIMARY KEY,
  provider            text NOT NULL,
  provider_message_id text NOT NULL,
  status              text NOT NULL,
  provider_status     text NOT NULL,
  error_code          text,
  notification_id     uuid REFERENCES notifications (id),
  received_at         timestamptz NOT NULL
);
CREATE INDEX receipts_message_idx ON receipts (provider, provider_message_id);
CREATE INDEX receipts_unmatched_idx ON receipts (received_at) WHERE notification_id IS NULL;

-- PCI DSS 10.2: who looked at which alert, when, from where, and with what outcome.
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL,
  principal   text NOT NULL,
  role        text NOT NULL,
  action      text NOT NULL,
  target      text,
  outcome     text NOT NULL,
  origin      text
);
CREATE INDEX audit_log_at_idx ON audit_log (at);

-- Down Migration
DROP TABLE audit_log;
DROP TABLE receipts;
DROP TABLE notification_events;
DROP TABLE delivery_attempts;
DROP TABLE notifications;
DROP TABLE contacts;
