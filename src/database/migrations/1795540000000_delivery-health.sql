-- Up Migration

-- Routing by delivery health (docs/design.md). The evidence is what the send path and the receipts already
-- record; this index lets one dispatcher read a provider's latest accepted messages in a window every few
-- seconds without scanning the attempts table. Partial: only accepted attempts can be delivered.
CREATE INDEX delivery_attempts_accepted_idx ON delivery_attempts (provider, finished_at)
  WHERE status = 'ACCEPTED';

-- Each provider's place in the route, as the evaluating dispatcher last decided it; every dispatcher reads
-- it. State lives here rather than in a process (several dispatchers must route alike, and a restart must
-- not forget a demotion) or in Redis (which may be lost).
CREATE TABLE provider_delivery_health (
  provider        text PRIMARY KEY,
  state           text NOT NULL CHECK (state IN ('HEALTHY', 'DEMOTED')),
  state_since     timestamptz NOT NULL,
  -- Why it is in this state, as the alerts' histories quote it: "delivery health 12% < 80%".
  reason          text,
  sample          integer NOT NULL DEFAULT 0,
  delivered       integer NOT NULL DEFAULT 0,
  delay_p90_ms    integer,
  evaluated_at    timestamptz NOT NULL
);

-- Down Migration
DROP TABLE provider_delivery_health;
DROP INDEX delivery_attempts_accepted_idx;
