-- Up Migration

-- The fencing token of the send lease: every claim increments it, and every write a dispatcher makes for
-- an alert it is sending (attempt, SENT, requeue, failure, renewal) names the generation it claimed, so a
-- dispatcher whose lease ran out and was taken over can no longer write. A constant default makes this
-- a catalogue-only change (no table rewrite).
ALTER TABLE notifications ADD COLUMN lease_generation integer NOT NULL DEFAULT 0;

-- Down Migration
ALTER TABLE notifications DROP COLUMN lease_generation;
