-- Up Migration

-- Correction alerts (docs/design.md, "Correction alerts"). A correction is an alert row of its own, so the
-- dispatcher, leases, attempts, receipts, sweeper and support treat it like any alert; `kind` tells them
-- apart and `original_notification_id` links a correction to the alert it corrects. Plain ADD COLUMN with
-- a constant default: a catalogue-only change, and one a partitioned notifications table takes as well.
ALTER TABLE notifications ADD COLUMN kind text NOT NULL DEFAULT 'ALERT';
ALTER TABLE notifications ADD COLUMN original_notification_id uuid;
CREATE INDEX notifications_original_idx ON notifications (original_notification_id)
  WHERE original_notification_id IS NOT NULL;

-- One row per reversal event, ever: the primary key is the dedupe (reversalId), kept here rather than on
-- notifications so that table needs no new unique key. `state` is where the reversal stands:
-- WAITING_FOR_ORIGINAL, then QUEUED (its correction went to the dispatcher), SKIPPED or REFUSED, with the
-- reason. notification_id is its correction alert (RECEIVED while it waits).
CREATE TABLE reversals (
  reversal_id       text PRIMARY KEY,
  event_id          text NOT NULL,
  transaction_id    text NOT NULL,
  cardholder_id     text NOT NULL,
  card_id           text NOT NULL,
  card_last4        char(4) NOT NULL,
  kind              text NOT NULL,
  amount_minor      bigint NOT NULL,
  currency          char(3) NOT NULL,
  merchant_name     text NOT NULL,
  merchant_city     text,
  reversed_at       timestamptz NOT NULL,
  received_at       timestamptz NOT NULL,
  state             text NOT NULL,
  reason            text,
  detail            text,
  notification_id   uuid NOT NULL UNIQUE,
  decided_at        timestamptz,
  source_partition  int,
  source_offset     bigint,
  -- The correction as the 'card_reversed' template (TEMPLATE-CONTRACT.md), for template-only providers.
  template          jsonb
);
CREATE INDEX reversals_transaction_idx ON reversals (transaction_id, received_at);
CREATE INDEX reversals_waiting_idx ON reversals (transaction_id) WHERE state = 'WAITING_FOR_ORIGINAL';
CREATE INDEX reversals_received_idx ON reversals (received_at);

-- Down Migration
DROP TABLE reversals;
DROP INDEX notifications_original_idx;
ALTER TABLE notifications DROP COLUMN original_notification_id;
ALTER TABLE notifications DROP COLUMN kind;
